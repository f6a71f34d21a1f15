package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/store"
)

// t0 is the time of the store's clock: every timestamp the tests see.
var t0 = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

// Version ids: the first two are those of the AWS CLI's
// update-secret-version-stage examples.
const (
	v1 = "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"
	v2 = "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE"
	v3 = "EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE"
	v4 = "EXAMPLE4-90ab-cdef-fedc-ba987EXAMPLE"
	v9 = "EXAMPLE9-90ab-cdef-fedc-ba987EXAMPLE" // of no version
)

// AWS's messages (§N9, §X3, §L14).
const (
	msgNoSecret          = "Secrets Manager can't find the specified secret."
	msgMarkedForDeletion = "You can't perform this operation on the secret because it was marked for deletion."
	msgTooManyLabels     = "You can attach up to 20 staging labels to a secret."
)

// lambda is the ARN of a rotation function. AWS refuses RotateSecret on a
// secret without one; the store of newClient invokes none: the tests
// perform the steps (manual rotation).
const lambda = "arn:aws:lambda:us-east-1:123456789012:function:rotate"

// newClient starts a server speaking the Secrets Manager protocol over a
// new store whose clock stands at t0, and returns an SDK client pointed at
// it, which does not retry.
func newClient(t *testing.T) *secretsmanager.Client {
	t.Helper()
	st := store.New(store.WithClock(func() time.Time { return t0 }), store.WithManualRotation())
	srv := httptest.NewServer(awsjson.New(st))
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:  srv.Client(),
	}
	return secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.RetryMaxAttempts = 1
	})
}

// mustCreate creates the secret name with the string value val and the
// first version id token, or without a value when val is empty, and
// returns its ARN.
func mustCreate(t *testing.T, c *secretsmanager.Client, name, token, val string) string {
	t.Helper()
	in := &secretsmanager.CreateSecretInput{Name: aws.String(name), ClientRequestToken: aws.String(token)}
	if val != "" {
		in.SecretString = aws.String(val)
	}
	out, err := c.CreateSecret(t.Context(), in)
	if err != nil {
		t.Fatalf("CreateSecret(%s) = %v", name, err)
	}
	return aws.ToString(out.ARN)
}

// mustPut puts the string value val as version token of the secret name,
// with the given staging labels (none: the default, AWSCURRENT).
func mustPut(t *testing.T, c *secretsmanager.Client, name, token, val string, stages ...string) {
	t.Helper()
	_, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(name), ClientRequestToken: aws.String(token), SecretString: aws.String(val), VersionStages: stages,
	})
	if err != nil {
		t.Fatalf("PutSecretValue(%s, %s) = %v", name, token, err)
	}
}

// mustMove calls UpdateSecretVersionStage; an empty id is a member not
// given.
func mustMove(t *testing.T, c *secretsmanager.Client, name, label, removeFrom, moveTo string) {
	t.Helper()
	if err := move(t.Context(), c, name, label, removeFrom, moveTo); err != nil {
		t.Fatalf("UpdateSecretVersionStage(%s, %s, remove from %q, move to %q) = %v", name, label, removeFrom, moveTo, err)
	}
}

func move(ctx context.Context, c *secretsmanager.Client, name, label, removeFrom, moveTo string) error {
	_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(name), VersionStage: aws.String(label),
		RemoveFromVersionId: optional(removeFrom), MoveToVersionId: optional(moveTo),
	})
	return err
}

// optional returns nil for "", the member left out, else a pointer to s.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// stages returns DescribeSecret's VersionIdsToStages of the secret name,
// each list sorted.
func stages(t *testing.T, c *secretsmanager.Client, name string) map[string][]string {
	t.Helper()
	out, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeSecret(%s) = %v", name, err)
	}
	return sorted(out.VersionIdsToStages)
}

func sorted(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := make(map[string][]string, len(m))
	for id, ls := range m {
		out[id] = slices.Sorted(slices.Values(ls))
	}
	return out
}

// entry is what a test compares of a ListSecretVersionIds entry.
type entry struct {
	VersionId     string
	VersionStages []string // sorted; nil for a deprecated version
}

// versions returns all the versions ListSecretVersionIds lists, page by
// page of size pageSize (0: MaxResults not given), and the number of
// pages.
func versions(t *testing.T, c *secretsmanager.Client, name string, includeDeprecated bool, pageSize int32) ([]entry, int) {
	t.Helper()
	in := &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name), IncludeDeprecated: aws.Bool(includeDeprecated)}
	if pageSize > 0 {
		in.MaxResults = aws.Int32(pageSize)
	}
	var all []entry
	pages := 0
	for {
		out, err := c.ListSecretVersionIds(t.Context(), in)
		if err != nil {
			t.Fatalf("ListSecretVersionIds(%s) = %v", name, err)
		}
		pages++
		for _, v := range out.Versions {
			if v.CreatedDate == nil {
				t.Errorf("ListSecretVersionIds(%s): version %s has no CreatedDate", name, aws.ToString(v.VersionId))
			}
			var ls []string
			if v.VersionStages != nil {
				ls = slices.Sorted(slices.Values(v.VersionStages))
			}
			all = append(all, entry{aws.ToString(v.VersionId), ls})
		}
		if out.NextToken == nil {
			return all, pages
		}
		if pages > 100 {
			t.Fatalf("ListSecretVersionIds(%s): more than 100 pages", name)
		}
		in.NextToken = out.NextToken
	}
}

// value returns the string value GetSecretValue gives for in, and the id
// and sorted labels of its version.
func value(t *testing.T, c *secretsmanager.Client, in *secretsmanager.GetSecretValueInput) (string, string, []string) {
	t.Helper()
	out, err := c.GetSecretValue(t.Context(), in)
	if err != nil {
		t.Fatalf("GetSecretValue(%s, id %q, stage %q) = %v", aws.ToString(in.SecretId), aws.ToString(in.VersionId), aws.ToString(in.VersionStage), err)
	}
	return aws.ToString(out.SecretString), aws.ToString(out.VersionId), slices.Sorted(slices.Values(out.VersionStages))
}

// apiError is the code and message of an error, as the SDK reports them.
type apiError struct {
	Code, Message string
}

// as returns err as the SDK's typed error E, if it is one.
func as[E smithy.APIError](err error) (smithy.APIError, bool) {
	var e E
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// checkError checks that err is the SDK's typed error for code (for
// ValidationException, for which the SDK has no type, a
// smithy.GenericAPIError) and carries msg.
func checkError(t *testing.T, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("got no error, want %s %q", code, msg)
		return
	}
	var got smithy.APIError
	var ok bool
	switch code {
	case "InvalidParameterException":
		got, ok = as[*types.InvalidParameterException](err)
	case "InvalidRequestException":
		got, ok = as[*types.InvalidRequestException](err)
	case "ResourceNotFoundException":
		got, ok = as[*types.ResourceNotFoundException](err)
	case "ResourceExistsException":
		got, ok = as[*types.ResourceExistsException](err)
	case "LimitExceededException":
		got, ok = as[*types.LimitExceededException](err)
	case "InvalidNextTokenException":
		got, ok = as[*types.InvalidNextTokenException](err)
	default:
		got, ok = as[*smithy.GenericAPIError](err)
	}
	if !ok {
		t.Errorf("error %v (%T) is not the SDK's error for %s", err, err, code)
		return
	}
	if diff := cmp.Diff(apiError{code, msg}, apiError{got.ErrorCode(), got.ErrorMessage()}); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
}

func TestCreateSecret(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	tests := []struct {
		name   string
		in     *secretsmanager.CreateSecretInput
		wantID string // "" when the secret has no version
		want   *secretsmanager.GetSecretValueOutput
	}{
		{"a string value makes the first version, AWSCURRENT",
			&secretsmanager.CreateSecretInput{Name: aws.String("text"), ClientRequestToken: aws.String(v1), SecretString: aws.String("pw")},
			v1, &secretsmanager.GetSecretValueOutput{SecretString: aws.String("pw")}},
		{"a binary value travels as base64 and comes back as bytes",
			&secretsmanager.CreateSecretInput{Name: aws.String("binary"), ClientRequestToken: aws.String(v1), SecretBinary: []byte{0, 1, 0xff}},
			v1, &secretsmanager.GetSecretValueOutput{SecretBinary: []byte{0, 1, 0xff}}},
		{"without a value there is no version",
			&secretsmanager.CreateSecretInput{Name: aws.String("empty"), ClientRequestToken: aws.String(v1), Description: aws.String("later")},
			"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.CreateSecret(t.Context(), tt.in)
			if err != nil {
				t.Fatalf("CreateSecret() = %v", err)
			}
			name := aws.ToString(tt.in.Name)
			if arn := aws.ToString(out.ARN); !strings.HasPrefix(arn, "arn:aws:secretsmanager:us-east-1:123456789012:secret:"+name+"-") ||
				len(arn) != len("arn:aws:secretsmanager:us-east-1:123456789012:secret:"+name+"-XXXXXX") {
				t.Errorf("CreateSecret() ARN = %q, want the name and a six-character suffix", arn)
			}
			if got := aws.ToString(out.Name); got != name {
				t.Errorf("CreateSecret() Name = %q, want %q", got, name)
			}
			if got := aws.ToString(out.VersionId); got != tt.wantID {
				t.Errorf("CreateSecret() VersionId = %q, want %q", got, tt.wantID)
			}

			get, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: out.ARN})
			if tt.want == nil {
				checkError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
				if got := stages(t, c, name); got != nil {
					t.Errorf("DescribeSecret() VersionIdsToStages = %v, want none", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetSecretValue() = %v", err)
			}
			if diff := cmp.Diff(tt.want.SecretString, get.SecretString); diff != "" {
				t.Errorf("GetSecretValue() SecretString mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want.SecretBinary, get.SecretBinary); diff != "" {
				t.Errorf("GetSecretValue() SecretBinary mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string][]string{tt.wantID: {"AWSCURRENT"}}, stages(t, c, name)); diff != "" {
				t.Errorf("DescribeSecret() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPutSecretValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		stages     []string // of the put of v2 on a secret whose v1 has AWSCURRENT
		wantOut    []string // the output's VersionStages
		wantStages map[string][]string
	}{
		{"without VersionStages the new version becomes AWSCURRENT, the old one AWSPREVIOUS", nil,
			[]string{"AWSCURRENT"},
			map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT"}}},
		{"with VersionStages only the labels named move", []string{"AWSPENDING"},
			[]string{"AWSPENDING"},
			map[string][]string{v1: {"AWSCURRENT"}, v2: {"AWSPENDING"}}},
		{"AWSCURRENT named moves as by default", []string{"AWSCURRENT", "X"},
			[]string{"AWSCURRENT", "X"},
			map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT", "X"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t)
			arn := mustCreate(t, c, "db", v1, "one")
			out, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{
				SecretId: aws.String("db"), ClientRequestToken: aws.String(v2), SecretString: aws.String("two"), VersionStages: tt.stages,
			})
			if err != nil {
				t.Fatalf("PutSecretValue() = %v", err)
			}
			if aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "db" || aws.ToString(out.VersionId) != v2 {
				t.Errorf("PutSecretValue() = ARN %q, Name %q, VersionId %q; want %q, db, %s",
					aws.ToString(out.ARN), aws.ToString(out.Name), aws.ToString(out.VersionId), arn, v2)
			}
			if diff := cmp.Diff(tt.wantOut, slices.Sorted(slices.Values(out.VersionStages))); diff != "" {
				t.Errorf("PutSecretValue() VersionStages mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStages, stages(t, c, "db")); diff != "" {
				t.Errorf("DescribeSecret() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetSecretValue(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	arn := mustCreate(t, c, "db", v1, "one")
	mustPut(t, c, "db", v2, "two")
	tests := []struct {
		name       string
		in         *secretsmanager.GetSecretValueInput
		wantValue  string
		wantID     string
		wantStages []string
	}{
		{"by default AWSCURRENT", &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")},
			"two", v2, []string{"AWSCURRENT"}},
		{"by VersionStage", &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionStage: aws.String("AWSPREVIOUS")},
			"one", v1, []string{"AWSPREVIOUS"}},
		{"by VersionId", &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionId: aws.String(v1)},
			"one", v1, []string{"AWSPREVIOUS"}},
		{"by VersionId and VersionStage that agree", &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionId: aws.String(v2), VersionStage: aws.String("AWSCURRENT")},
			"two", v2, []string{"AWSCURRENT"}},
		{"by ARN", &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)},
			"two", v2, []string{"AWSCURRENT"}},
		{"by partial ARN", &secretsmanager.GetSecretValueInput{SecretId: aws.String(strings.TrimSuffix(arn, arn[len(arn)-7:]))},
			"two", v2, []string{"AWSCURRENT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.GetSecretValue(t.Context(), tt.in)
			if err != nil {
				t.Fatalf("GetSecretValue() = %v", err)
			}
			if aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "db" || out.CreatedDate == nil || !out.CreatedDate.Equal(t0) {
				t.Errorf("GetSecretValue() = ARN %q, Name %q, CreatedDate %v; want %q, db, %v", aws.ToString(out.ARN), aws.ToString(out.Name), out.CreatedDate, arn, t0)
			}
			type result struct {
				Value, VersionId string
				VersionStages    []string
			}
			want := result{tt.wantValue, tt.wantID, tt.wantStages}
			got := result{aws.ToString(out.SecretString), aws.ToString(out.VersionId), slices.Sorted(slices.Values(out.VersionStages))}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GetSecretValue() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDescribeSecret(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	arn := mustCreate(t, c, "db", v1, "one")
	mustPut(t, c, "db", v2, "two")
	mustPut(t, c, "db", v3, "three") // v1 deprecated

	describe := func() *secretsmanager.DescribeSecretOutput {
		t.Helper()
		out, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
		if err != nil {
			t.Fatalf("DescribeSecret() = %v", err)
		}
		return out
	}
	out := describe()
	if aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "db" {
		t.Errorf("DescribeSecret() = ARN %q, Name %q; want %q, db", aws.ToString(out.ARN), aws.ToString(out.Name), arn)
	}
	if diff := cmp.Diff(map[string][]string{v2: {"AWSPREVIOUS"}, v3: {"AWSCURRENT"}}, sorted(out.VersionIdsToStages)); diff != "" {
		t.Errorf("DescribeSecret() VersionIdsToStages mismatch (-want +got):\n%s", diff)
	}
	for name, d := range map[string]*time.Time{"CreatedDate": out.CreatedDate, "LastChangedDate": out.LastChangedDate} {
		if d == nil || !d.Equal(t0) {
			t.Errorf("DescribeSecret() %s = %v, want %v", name, d, t0)
		}
	}
	// Never configured for rotation, RotationEnabled is left out
	// (LocalStack's AWS-validated test_update_secret_description).
	if out.RotationEnabled != nil {
		t.Errorf("DescribeSecret() RotationEnabled = %v, want it left out", *out.RotationEnabled)
	}
	if out.LastAccessedDate != nil || out.DeletedDate != nil || out.LastRotatedDate != nil {
		t.Errorf("DescribeSecret() LastAccessedDate %v, DeletedDate %v, LastRotatedDate %v; want none", out.LastAccessedDate, out.DeletedDate, out.LastRotatedDate)
	}

	value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
	if got, want := describe().LastAccessedDate, t0.Truncate(24*time.Hour); got == nil || !got.Equal(want) {
		t.Errorf("DescribeSecret() LastAccessedDate after a read = %v, want %v", got, want)
	}

	if _, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("db"), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatalf("DeleteSecret() = %v", err)
	}
	if got := describe().DeletedDate; got == nil || !got.Equal(t0) {
		t.Errorf("DescribeSecret() DeletedDate after DeleteSecret = %v, want %v", got, t0)
	}
}

func TestListSecretVersionIds(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	mustCreate(t, c, "db", v1, "one")
	mustPut(t, c, "db", v2, "two")
	mustPut(t, c, "db", v3, "three")
	mustPut(t, c, "db", v4, "four", "X") // v1 deprecated: v2{P}, v3{C}, v4{X}
	labelled := []entry{{v2, []string{"AWSPREVIOUS"}}, {v3, []string{"AWSCURRENT"}}, {v4, []string{"X"}}}
	all := []entry{{v1, nil}, {v2, []string{"AWSPREVIOUS"}}, {v3, []string{"AWSCURRENT"}}, {v4, []string{"X"}}}
	tests := []struct {
		name              string
		includeDeprecated bool
		pageSize          int32 // 0: MaxResults not given
		want              []entry
		wantPages         int
	}{
		{"deprecated versions are left out by default", false, 0, labelled, 1},
		{"IncludeDeprecated lists them without VersionStages", true, 0, all, 1},
		{"pages of one", true, 1, all, 4},
		{"pages of three", true, 3, all, 2},
		{"pages of two, deprecated left out", false, 2, labelled, 2},
		{"a page as large as the listing", true, 4, all, 1},
		{"the largest page", true, 100, all, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pages := versions(t, c, "db", tt.includeDeprecated, tt.pageSize)
			slices.SortFunc(got, func(a, b entry) int { return strings.Compare(a.VersionId, b.VersionId) })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListSecretVersionIds() mismatch (-want +got):\n%s", diff)
			}
			if pages != tt.wantPages {
				t.Errorf("ListSecretVersionIds() took %d pages, want %d", pages, tt.wantPages)
			}
		})
	}

	t.Run("the SDK's paginator", func(t *testing.T) {
		p := secretsmanager.NewListSecretVersionIdsPaginator(c,
			&secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("db"), IncludeDeprecated: aws.Bool(true)},
			func(o *secretsmanager.ListSecretVersionIdsPaginatorOptions) { o.Limit = 1 })
		var got []string
		for p.HasMorePages() {
			page, err := p.NextPage(t.Context())
			if err != nil {
				t.Fatalf("NextPage() = %v", err)
			}
			for _, v := range page.Versions {
				got = append(got, aws.ToString(v.VersionId))
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff([]string{v1, v2, v3, v4}, got); diff != "" {
			t.Errorf("ListSecretVersionIds() paginated mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("LastAccessedDate only once read", func(t *testing.T) {
		value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionId: aws.String(v2)})
		out, err := c.ListSecretVersionIds(t.Context(), &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("db"), IncludeDeprecated: aws.Bool(true)})
		if err != nil {
			t.Fatalf("ListSecretVersionIds() = %v", err)
		}
		for _, v := range out.Versions {
			if read := aws.ToString(v.VersionId) == v2; read != (v.LastAccessedDate != nil) {
				t.Errorf("version %s: LastAccessedDate = %v, read %t", aws.ToString(v.VersionId), v.LastAccessedDate, read)
			}
		}
	})
}

func TestUpdateSecretVersionStage(t *testing.T) {
	t.Parallel()
	// The examples of the AWS CLI's update-secret-version-stage page, on a
	// secret whose v1 has AWSPREVIOUS and v2 AWSCURRENT.
	type move struct{ label, removeFrom, moveTo string }
	tests := []struct {
		name   string
		before []move // to set up
		move   move
		want   []entry // ListSecretVersionIds with IncludeDeprecated
	}{
		{"add a staging label", nil,
			move{"STAGINGLABEL1", "", v1},
			[]entry{{v1, []string{"AWSPREVIOUS", "STAGINGLABEL1"}}, {v2, []string{"AWSCURRENT"}}}},
		{"delete a staging label", []move{{"STAGINGLABEL1", "", v1}},
			move{"STAGINGLABEL1", v1, ""},
			[]entry{{v1, []string{"AWSPREVIOUS"}}, {v2, []string{"AWSCURRENT"}}}},
		{"move AWSCURRENT onto the AWSPREVIOUS version: they swap", nil,
			move{"AWSCURRENT", v2, v1},
			[]entry{{v1, []string{"AWSCURRENT"}}, {v2, []string{"AWSPREVIOUS"}}}},
		{"move a custom label between versions", []move{{"STAGINGLABEL1", "", v1}},
			move{"STAGINGLABEL1", v1, v2},
			[]entry{{v1, []string{"AWSPREVIOUS"}}, {v2, []string{"AWSCURRENT", "STAGINGLABEL1"}}}},
		{"removing a version's last label deprecates it", nil,
			move{"AWSPREVIOUS", v1, ""},
			[]entry{{v1, nil}, {v2, []string{"AWSCURRENT"}}}},
		{"moving AWSCURRENT leaves AWSPENDING and custom labels where they are", []move{{"AWSPENDING", "", v1}, {"X", "", v2}},
			move{"AWSCURRENT", v2, v1},
			[]entry{{v1, []string{"AWSCURRENT", "AWSPENDING"}}, {v2, []string{"AWSPREVIOUS", "X"}}}},
		{"a label beginning with AWS is a custom label", nil,
			move{"AWSSOMETHING", "", v1},
			[]entry{{v1, []string{"AWSPREVIOUS", "AWSSOMETHING"}}, {v2, []string{"AWSCURRENT"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t)
			arn := mustCreate(t, c, "MyTestDatabaseSecret", v1, "one")
			mustPut(t, c, "MyTestDatabaseSecret", v2, "two")
			for _, m := range tt.before {
				mustMove(t, c, "MyTestDatabaseSecret", m.label, m.removeFrom, m.moveTo)
			}
			out, err := c.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
				SecretId: aws.String("MyTestDatabaseSecret"), VersionStage: aws.String(tt.move.label),
				RemoveFromVersionId: optional(tt.move.removeFrom), MoveToVersionId: optional(tt.move.moveTo),
			})
			if err != nil {
				t.Fatalf("UpdateSecretVersionStage() = %v", err)
			}
			if aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "MyTestDatabaseSecret" {
				t.Errorf("UpdateSecretVersionStage() = ARN %q, Name %q; want %q, MyTestDatabaseSecret", aws.ToString(out.ARN), aws.ToString(out.Name), arn)
			}
			got, _ := versions(t, c, "MyTestDatabaseSecret", true, 0)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("UpdateSecretVersionStage() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRotateSecret(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	arn := mustCreate(t, c, "db", v1, "one")
	out, err := c.RotateSecret(t.Context(), &secretsmanager.RotateSecretInput{
		SecretId: aws.String("db"), ClientRequestToken: aws.String(v2),
		RotationLambdaARN: aws.String(lambda), RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)},
	})
	if err != nil {
		t.Fatalf("RotateSecret() = %v", err)
	}
	if aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "db" || aws.ToString(out.VersionId) != v2 {
		t.Errorf("RotateSecret() = ARN %q, Name %q, VersionId %q; want %q, db, %s", aws.ToString(out.ARN), aws.ToString(out.Name), aws.ToString(out.VersionId), arn, v2)
	}
	d, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
	if err != nil {
		t.Fatalf("DescribeSecret() = %v", err)
	}
	type rotation struct {
		Enabled     bool
		Lambda      string
		Days        int64
		LastRotated bool
		Stages      map[string][]string
	}
	// No LastRotatedDate until the rotation ends (§RT11).
	want := rotation{true, lambda, 30, false, map[string][]string{v1: {"AWSCURRENT"}, v2: {"AWSPENDING"}}}
	got := rotation{aws.ToBool(d.RotationEnabled), aws.ToString(d.RotationLambdaARN), 0, d.LastRotatedDate != nil, sorted(d.VersionIdsToStages)}
	if d.RotationRules != nil {
		got.Days = aws.ToInt64(d.RotationRules.AutomaticallyAfterDays)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DescribeSecret() after RotateSecret mismatch (-want +got):\n%s", diff)
	}

	t.Run("retried with the same token", func(t *testing.T) {
		if _, err := c.RotateSecret(t.Context(), &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v2)}); err != nil {
			t.Errorf("RotateSecret() again = %v, want success", err)
		}
		if diff := cmp.Diff(want.Stages, stages(t, c, "db")); diff != "" {
			t.Errorf("DescribeSecret() mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("CancelRotateSecret", func(t *testing.T) {
		out, err := c.CancelRotateSecret(t.Context(), &secretsmanager.CancelRotateSecretInput{SecretId: aws.String("db")})
		if err != nil {
			t.Fatalf("CancelRotateSecret() = %v", err)
		}
		if aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "db" || aws.ToString(out.VersionId) != v2 {
			t.Errorf("CancelRotateSecret() = ARN %q, Name %q, VersionId %q; want %q, db, %s (the AWSPENDING version)",
				aws.ToString(out.ARN), aws.ToString(out.Name), aws.ToString(out.VersionId), arn, v2)
		}
		d, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
		if err != nil {
			t.Fatalf("DescribeSecret() = %v", err)
		}
		if aws.ToBool(d.RotationEnabled) {
			t.Errorf("DescribeSecret() RotationEnabled = true after CancelRotateSecret")
		}
		// AWSPENDING stays where it was: the caller cleans up.
		if diff := cmp.Diff(want.Stages, sorted(d.VersionIdsToStages)); diff != "" {
			t.Errorf("DescribeSecret() after CancelRotateSecret mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("RotateImmediately false only enables rotation", func(t *testing.T) {
		out, err := c.RotateSecret(t.Context(), &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), RotateImmediately: aws.Bool(false)})
		if err != nil {
			t.Fatalf("RotateSecret() = %v", err)
		}
		if out.VersionId != nil {
			t.Errorf("RotateSecret() VersionId = %q, want none", aws.ToString(out.VersionId))
		}
		if diff := cmp.Diff(want.Stages, stages(t, c, "db")); diff != "" {
			t.Errorf("DescribeSecret() mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestDeleteSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       *secretsmanager.DeleteSecretInput
		wantDate time.Time
	}{
		{"the default window is 30 days", &secretsmanager.DeleteSecretInput{}, t0.AddDate(0, 0, 30)},
		{"a window of 7 days", &secretsmanager.DeleteSecretInput{RecoveryWindowInDays: aws.Int64(7)}, t0.AddDate(0, 0, 7)},
		{"ForceDeleteWithoutRecovery deletes at once", &secretsmanager.DeleteSecretInput{ForceDeleteWithoutRecovery: aws.Bool(true)}, t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t)
			arn := mustCreate(t, c, "db", v1, "one")
			tt.in.SecretId = aws.String("db")
			out, err := c.DeleteSecret(t.Context(), tt.in)
			if err != nil {
				t.Fatalf("DeleteSecret() = %v", err)
			}
			if aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "db" || out.DeletionDate == nil || !out.DeletionDate.Equal(tt.wantDate) {
				t.Errorf("DeleteSecret() = ARN %q, Name %q, DeletionDate %v; want %q, db, %v", aws.ToString(out.ARN), aws.ToString(out.Name), out.DeletionDate, arn, tt.wantDate)
			}
			_, err = c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
			if aws.ToBool(tt.in.ForceDeleteWithoutRecovery) {
				checkError(t, err, "ResourceNotFoundException", msgNoSecret)
				_, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
				checkError(t, err, "ResourceNotFoundException", msgNoSecret)
				// The name is free again.
				mustCreate(t, c, "db", v2, "again")
				return
			}
			checkError(t, err, "InvalidRequestException", msgMarkedForDeletion)

			r, err := c.RestoreSecret(t.Context(), &secretsmanager.RestoreSecretInput{SecretId: aws.String("db")})
			if err != nil {
				t.Fatalf("RestoreSecret() = %v", err)
			}
			if aws.ToString(r.ARN) != arn || aws.ToString(r.Name) != "db" {
				t.Errorf("RestoreSecret() = ARN %q, Name %q; want %q, db", aws.ToString(r.ARN), aws.ToString(r.Name), arn)
			}
			d, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
			if err != nil {
				t.Fatalf("DescribeSecret() = %v", err)
			}
			if d.DeletedDate != nil {
				t.Errorf("DescribeSecret() DeletedDate after RestoreSecret = %v, want none", d.DeletedDate)
			}
			if got, _, _ := value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")}); got != "one" {
				t.Errorf("GetSecretValue() after RestoreSecret = %q, want one", got)
			}
		})
	}
}

func TestListSecrets(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	for _, name := range []string{"c", "a", "b", "d"} {
		mustCreate(t, c, name, v1, "value of "+name)
	}
	mustPut(t, c, "a", v2, "new")
	if _, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("d")}); err != nil {
		t.Fatalf("DeleteSecret() = %v", err)
	}
	type listed struct {
		Name    string
		Stages  map[string][]string
		Deleted bool
	}
	list := func(in *secretsmanager.ListSecretsInput) ([]listed, int) {
		t.Helper()
		var all []listed
		pages := 0
		for {
			out, err := c.ListSecrets(t.Context(), in)
			if err != nil {
				t.Fatalf("ListSecrets() = %v", err)
			}
			pages++
			for _, s := range out.SecretList {
				all = append(all, listed{aws.ToString(s.Name), sorted(s.SecretVersionsToStages), s.DeletedDate != nil})
			}
			if out.NextToken == nil || pages > 10 {
				return all, pages
			}
			in.NextToken = out.NextToken
		}
	}
	live := []listed{
		{"a", map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT"}}, false},
		{"b", map[string][]string{v1: {"AWSCURRENT"}}, false},
		{"c", map[string][]string{v1: {"AWSCURRENT"}}, false},
	}
	withDeleted := append(slices.Clone(live), listed{"d", map[string][]string{v1: {"AWSCURRENT"}}, true})
	tests := []struct {
		name      string
		in        *secretsmanager.ListSecretsInput
		want      []listed
		wantPages int
	}{
		{"secrets scheduled for deletion are left out", &secretsmanager.ListSecretsInput{}, live, 1},
		{"IncludePlannedDeletion", &secretsmanager.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true)}, withDeleted, 1},
		{"pages of one", &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(1)}, live, 3},
		{"pages of three", &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(3), IncludePlannedDeletion: aws.Bool(true)}, withDeleted, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pages := list(tt.in)
			slices.SortFunc(got, func(a, b listed) int { return strings.Compare(a.Name, b.Name) })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListSecrets() mismatch (-want +got):\n%s", diff)
			}
			if pages != tt.wantPages {
				t.Errorf("ListSecrets() took %d pages, want %d", pages, tt.wantPages)
			}
		})
	}
}

// TestUpdateSecret checks UpdateSecret through the SDK, which fills in
// ClientRequestToken itself: a description alone makes no version; a value
// makes one carrying AWSCURRENT.
func TestUpdateSecret(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	arn := mustCreate(t, c, "db", v1, "one")
	out, err := c.UpdateSecret(t.Context(), &secretsmanager.UpdateSecretInput{SecretId: aws.String("db"), Description: aws.String("main")})
	if err != nil {
		t.Fatalf("UpdateSecret(description) = %v", err)
	}
	if aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "db" || out.VersionId != nil {
		t.Errorf("UpdateSecret(description) = ARN %q, Name %q, VersionId %v; want %q, db, none", aws.ToString(out.ARN), aws.ToString(out.Name), out.VersionId, arn)
	}
	out, err = c.UpdateSecret(t.Context(), &secretsmanager.UpdateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v2), SecretString: aws.String("two")})
	if err != nil {
		t.Fatalf("UpdateSecret(value) = %v", err)
	}
	if aws.ToString(out.VersionId) != v2 {
		t.Errorf("UpdateSecret(value) VersionId = %q, want %s", aws.ToString(out.VersionId), v2)
	}
	if got, id, stages := value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")}); got != "two" || id != v2 || !slices.Equal(stages, []string{"AWSCURRENT"}) {
		t.Errorf("GetSecretValue() after UpdateSecret = %q, %s, %v", got, id, stages)
	}
	d, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
	if err != nil {
		t.Fatalf("DescribeSecret() = %v", err)
	}
	if want := map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT"}}; aws.ToString(d.Description) != "main" || !cmp.Equal(sorted(d.VersionIdsToStages), want) {
		t.Errorf("DescribeSecret() after UpdateSecret = %q, %v", aws.ToString(d.Description), d.VersionIdsToStages)
	}
	_, err = c.UpdateSecret(t.Context(), &secretsmanager.UpdateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v2), SecretString: aws.String("other")})
	checkError(t, err, "ResourceExistsException", "You can't use ClientRequestToken "+v2+" because that value is already in use for a version of secret "+arn+".")
}

// TestTags checks tags through the SDK: given at creation, attached,
// removed, described, and filtered on.
func TestTags(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	if _, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("one"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}); err != nil {
		t.Fatalf("CreateSecret() = %v", err)
	}
	mustCreate(t, c, "other", v1, "one")
	if _, err := c.TagResource(t.Context(), &secretsmanager.TagResourceInput{SecretId: aws.String("db"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("")}, {Key: aws.String("team"), Value: aws.String("b")}}}); err != nil {
		t.Fatalf("TagResource() = %v", err)
	}
	d, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
	if err != nil {
		t.Fatalf("DescribeSecret() = %v", err)
	}
	want := []types.Tag{{Key: aws.String("env"), Value: aws.String("")}, {Key: aws.String("team"), Value: aws.String("b")}}
	if diff := cmp.Diff(want, d.Tags, cmpopts.IgnoreUnexported(types.Tag{})); diff != "" {
		t.Errorf("DescribeSecret() Tags mismatch (-want +got):\n%s", diff)
	}
	out, err := c.ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeTagKey, Values: []string{"te"}}}})
	if err != nil || len(out.SecretList) != 1 || aws.ToString(out.SecretList[0].Name) != "db" {
		t.Errorf("ListSecrets(tag-key te) = %v, %v; want db alone", out, err)
	}
	if _, err := c.UntagResource(t.Context(), &secretsmanager.UntagResourceInput{SecretId: aws.String("db"), TagKeys: []string{"env", "team"}}); err != nil {
		t.Fatalf("UntagResource() = %v", err)
	}
	if d, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")}); err != nil || d.Tags == nil || len(d.Tags) != 0 {
		// Every tag removed, Tags is [] (LocalStack's AWS-validated test_secret_tags).
		t.Errorf("DescribeSecret() after UntagResource = %#v, %v; want []", d.Tags, err)
	}
	_, err = c.TagResource(t.Context(), &secretsmanager.TagResourceInput{SecretId: aws.String("db"), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("")}}})
	checkError(t, err, "InvalidParameterException", "The tag key aws:x begins with aws:, which AWS reserves for its own use.")
}

// TestResourcePolicy checks the resource policy operations through the
// SDK, and MalformedPolicyDocumentException as its typed error.
func TestResourcePolicy(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	arn := mustCreate(t, c, "db", v1, "one")
	const doc = `{"Version":"2012-10-17","Statement":[]}`
	if _, err := c.PutResourcePolicy(t.Context(), &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("db"), ResourcePolicy: aws.String(doc)}); err != nil {
		t.Fatalf("PutResourcePolicy() = %v", err)
	}
	out, err := c.GetResourcePolicy(t.Context(), &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(arn)})
	if err != nil || aws.ToString(out.ResourcePolicy) != doc || aws.ToString(out.Name) != "db" {
		t.Errorf("GetResourcePolicy() = %v, %v; want db with the policy put", out, err)
	}
	_, err = c.PutResourcePolicy(t.Context(), &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("db"), ResourcePolicy: aws.String("{")})
	if _, ok := as[*types.MalformedPolicyDocumentException](err); !ok {
		t.Errorf("PutResourcePolicy(malformed) = %v (%T), want *types.MalformedPolicyDocumentException", err, err)
	}
	if _, err := c.DeleteResourcePolicy(t.Context(), &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String("db")}); err != nil {
		t.Fatalf("DeleteResourcePolicy() = %v", err)
	}
	if out, err := c.GetResourcePolicy(t.Context(), &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("db")}); err != nil || out.ResourcePolicy != nil {
		t.Errorf("GetResourcePolicy() after DeleteResourcePolicy = %v, %v; want no policy", out, err)
	}
}

// TestGetRandomPassword checks GetRandomPassword through the SDK.
func TestGetRandomPassword(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	out, err := c.GetRandomPassword(t.Context(), &secretsmanager.GetRandomPasswordInput{
		PasswordLength: aws.Int64(20), ExcludePunctuation: aws.Bool(true), ExcludeCharacters: aws.String("0Oo1lI"),
	})
	if err != nil {
		t.Fatalf("GetRandomPassword() = %v", err)
	}
	p := aws.ToString(out.RandomPassword)
	if len(p) != 20 || strings.ContainsAny(p, "0Oo1lI!#%") || !strings.ContainsAny(p, "0123456789") {
		t.Errorf("GetRandomPassword() = %d characters, not 20 letters and digits without 0Oo1lI", len(p))
	}
	_, err = c.GetRandomPassword(t.Context(), &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(0)})
	checkError(t, err, "ValidationException",
		"1 validation error detected: Value '0' at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to 1")
}

// TestListSecretsFilters checks that filters and sort members reach the
// store from the SDK, and their validation errors come back.
func TestListSecretsFilters(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	for _, name := range []string{"prod/db", "dev/db", "prod/api"} {
		mustCreate(t, c, name, v1, "value of "+name)
	}
	out, err := c.ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{
		Filters:   []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"prod/", "!prod/x"}}},
		SortBy:    types.SortByTypeName,
		SortOrder: types.SortOrderTypeDesc,
	})
	if err != nil {
		t.Fatalf("ListSecrets() = %v", err)
	}
	var got []string
	for _, s := range out.SecretList {
		got = append(got, aws.ToString(s.Name))
	}
	if diff := cmp.Diff([]string{"prod/db", "prod/api"}, got); diff != "" {
		t.Errorf("ListSecrets(name prod/, by name, desc) mismatch (-want +got):\n%s", diff)
	}
	_, err = c.ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: "size", Values: []string{"a#"}}}})
	checkError(t, err, "ValidationException", "2 validation errors detected: "+
		"Value 'size' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [description, name, tag-key, tag-value, primary-region, owning-service, all]; "+
		`Value 'a#' at 'filters.1.member.values.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`)
}

// TestErrors checks every error the handler answers as the SDK reports it,
// and that failed calls change nothing.
func TestErrors(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	// db: v1{AWSPREVIOUS, X}, v2{AWSCURRENT}.
	arn := mustCreate(t, c, "db", v1, "one")
	mustPut(t, c, "db", v2, "two")
	mustMove(t, c, "db", "X", "", v1)
	// gone: scheduled for deletion.
	mustCreate(t, c, "gone", v1, "one")
	if _, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("gone")}); err != nil {
		t.Fatalf("DeleteSecret() = %v", err)
	}
	// full: v1 carries AWSCURRENT and L01..L19, 20 labels.
	mustCreate(t, c, "full", v1, "one")
	for i := range 19 {
		mustMove(t, c, "full", fmt.Sprintf("L%02d", i+1), "", v1)
	}
	// rotating: v1{AWSCURRENT}, v2{AWSPENDING} without a value.
	mustCreate(t, c, "rotating", v1, "one")
	if _, err := c.RotateSecret(t.Context(), &secretsmanager.RotateSecretInput{SecretId: aws.String("rotating"), ClientRequestToken: aws.String(v2), RotationLambdaARN: aws.String(lambda)}); err != nil {
		t.Fatalf("RotateSecret() = %v", err)
	}

	names := []string{"db", "gone", "full", "rotating"}
	before := map[string]map[string][]string{}
	for _, n := range names {
		before[n] = stages(t, c, n)
	}

	ctx := t.Context()
	get := func(id, versionID, stage string) error {
		_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id), VersionId: optional(versionID), VersionStage: optional(stage)})
		return err
	}
	put := func(in *secretsmanager.PutSecretValueInput) error {
		_, err := c.PutSecretValue(ctx, in)
		return err
	}
	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		// UpdateSecretVersionStage (§L).
		{"AWSCURRENT moved without RemoveFromVersionId",
			func() error { return move(ctx, c, "db", "AWSCURRENT", "", v1) },
			"InvalidParameterException",
			"The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version " + v2 + ", so you must explicitly reference that version in RemoveFromVersionId."},
		{"a custom label moved without RemoveFromVersionId",
			func() error { return move(ctx, c, "db", "X", "", v2) },
			"InvalidParameterException",
			"The parameter RemoveFromVersionId can't be empty. Staging label X is currently attached to version " + v1 + ", so you must explicitly reference that version in RemoveFromVersionId."},
		{"AWSCURRENT removed",
			func() error { return move(ctx, c, "db", "AWSCURRENT", v2, "") },
			"InvalidParameterException",
			"You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed."},
		{"RemoveFromVersionId not the holder",
			func() error { return move(ctx, c, "db", "X", v2, v2) },
			"InvalidParameterException", "Staging label X is not attached to version " + v2 + "."},
		{"RemoveFromVersionId of a label attached nowhere",
			func() error { return move(ctx, c, "db", "Y", v1, "") },
			"InvalidParameterException", "Staging label Y is not attached to version " + v1 + "."},
		{"neither version id",
			func() error { return move(ctx, c, "db", "X", "", "") },
			"InvalidParameterException", "You must specify RemoveFromVersionId, MoveToVersionId, or both."},
		{"MoveToVersionId of no version",
			func() error { return move(ctx, c, "db", "Y", "", v9) },
			"ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: " + v9},
		{"RemoveFromVersionId of no version",
			func() error { return move(ctx, c, "db", "X", v9, v2) },
			"ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: " + v9},
		{"UpdateSecretVersionStage on no secret",
			func() error { return move(ctx, c, "nope", "X", "", v1) },
			"ResourceNotFoundException", msgNoSecret},
		{"a 21st label",
			func() error { return move(ctx, c, "full", "L20", "", v1) },
			"LimitExceededException", msgTooManyLabels},
		{"a 21st label by the automatic AWSPREVIOUS of a put",
			func() error {
				return put(&secretsmanager.PutSecretValueInput{SecretId: aws.String("full"), ClientRequestToken: aws.String(v2), SecretString: aws.String("two")})
			},
			"LimitExceededException", msgTooManyLabels},
		{"a 21st label named by a put",
			func() error {
				return put(&secretsmanager.PutSecretValueInput{SecretId: aws.String("full"), ClientRequestToken: aws.String(v2), SecretString: aws.String("two"), VersionStages: []string{"L20"}})
			},
			"LimitExceededException", msgTooManyLabels},
		{"a label too long",
			func() error { return move(ctx, c, "db", strings.Repeat("L", 257), "", v1) },
			"ValidationException",
			"1 validation error detected: Value '" + strings.Repeat("L", 257) + "' at 'versionStage' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"a version id too short",
			func() error { return move(ctx, c, "db", "X", v1, "short") },
			"ValidationException",
			"1 validation error detected: Value 'short' at 'moveToVersionId' failed to satisfy constraint: Member must have length greater than or equal to 32"},
		{"rotation members outside the model's constraints",
			func() error {
				_, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v2),
					RotationLambdaARN: aws.String(strings.Repeat("a", 2049)),
					RotationRules:     &types.RotationRulesType{Duration: aws.String("3 hours"), ScheduleExpression: aws.String("rate(10 days);")}})
				return err
			},
			"ValidationException",
			"4 validation errors detected: Value '" + strings.Repeat("a", 2049) + "' at 'rotationLambdaARN' failed to satisfy constraint: Member must have length less than or equal to 2048; " +
				"Value '3 hours' at 'rotationRules.duration' failed to satisfy constraint: Member must have length less than or equal to 3; " +
				"Value '3 hours' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h; " +
				`Value 'rate(10 days);' at 'rotationRules.scheduleExpression' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z\(\)#\?\*\-\/, ]+`},

		// Secrets scheduled for deletion (§X).
		{"UpdateSecretVersionStage on a secret marked for deletion",
			func() error { return move(ctx, c, "gone", "X", "", v1) },
			"InvalidRequestException", msgMarkedForDeletion},
		{"GetSecretValue on a secret marked for deletion",
			func() error { return get("gone", "", "") },
			"InvalidRequestException", msgMarkedForDeletion},
		{"PutSecretValue on a secret marked for deletion",
			func() error {
				return put(&secretsmanager.PutSecretValueInput{SecretId: aws.String("gone"), ClientRequestToken: aws.String(v2), SecretString: aws.String("two")})
			},
			"InvalidRequestException", msgMarkedForDeletion},
		{"RotateSecret on a secret marked for deletion",
			func() error {
				_, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("gone"), ClientRequestToken: aws.String(v2)})
				return err
			},
			"InvalidRequestException", msgMarkedForDeletion},
		{"DeleteSecret with a window on a secret marked for deletion",
			func() error {
				_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("gone"), RecoveryWindowInDays: aws.Int64(7)})
				return err
			},
			"InvalidRequestException", msgMarkedForDeletion},
		{"CreateSecret of a name scheduled for deletion",
			func() error {
				_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("gone"), SecretString: aws.String("x")})
				return err
			},
			"InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion."},

		// CreateSecret.
		{"CreateSecret of a name in use",
			func() error {
				_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("x")})
				return err
			},
			"ResourceExistsException", "The operation failed because the secret db already exists."},
		{"CreateSecret of an invalid name",
			func() error {
				_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name!"), SecretString: aws.String("x")})
				return err
			},
			"ValidationException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"},

		// PutSecretValue (§V).
		{"a ClientRequestToken in use with another value",
			func() error {
				return put(&secretsmanager.PutSecretValueInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v1), SecretString: aws.String("other")})
			},
			"ResourceExistsException",
			"You can't use ClientRequestToken " + v1 + " because that value is already in use for a version of secret " + arn + "."},
		{"PutSecretValue without a value",
			func() error {
				return put(&secretsmanager.PutSecretValueInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v3)})
			},
			"InvalidRequestException", "You must provide either SecretString or SecretBinary."},
		{"PutSecretValue with two values",
			func() error {
				return put(&secretsmanager.PutSecretValueInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v3), SecretString: aws.String("x"), SecretBinary: []byte("x")})
			},
			"InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret."},
		{"PutSecretValue on no secret",
			func() error {
				return put(&secretsmanager.PutSecretValueInput{SecretId: aws.String("nope"), ClientRequestToken: aws.String(v3), SecretString: aws.String("x")})
			},
			"ResourceNotFoundException", msgNoSecret},

		// GetSecretValue (§G).
		{"GetSecretValue on no secret", func() error { return get("nope", "", "") },
			"ResourceNotFoundException", msgNoSecret},
		{"GetSecretValue of a label attached nowhere", func() error { return get("db", "", "nope") },
			"ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: nope"},
		{"GetSecretValue of no version", func() error { return get("db", v9, "") },
			"ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: " + v9},
		{"GetSecretValue with VersionId and VersionStage that disagree", func() error { return get("db", v1, "AWSCURRENT") },
			"InvalidRequestException", "You provided a VersionStage that is not associated to the provided VersionId."},
		{"GetSecretValue of a rotation not yet filled", func() error { return get("rotating", "", "AWSPENDING") },
			"ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSPENDING"},

		// RotateSecret.
		{"RotateSecret during a rotation",
			func() error {
				_, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("rotating"), ClientRequestToken: aws.String(v3)})
				return err
			},
			"InvalidRequestException", "A previous rotation isn't complete. That rotation will be reattempted."},

		// DeleteSecret.
		{"DeleteSecret with both a window and ForceDeleteWithoutRecovery",
			func() error {
				_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("db"), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
				return err
			},
			"InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."},
		{"DeleteSecret with a window too short",
			func() error {
				_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("db"), RecoveryWindowInDays: aws.Int64(6)})
				return err
			},
			"InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."},
		{"DescribeSecret on no secret",
			func() error {
				_, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("nope")})
				return err
			},
			"ResourceNotFoundException", msgNoSecret},
		{"RestoreSecret on no secret",
			func() error {
				_, err := c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("nope")})
				return err
			},
			"ResourceNotFoundException", msgNoSecret},

		// Listings.
		{"MaxResults 0",
			func() error {
				_, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("db"), MaxResults: aws.Int32(0)})
				return err
			},
			"ValidationException",
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"MaxResults 101",
			func() error {
				_, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(101)})
				return err
			},
			"ValidationException",
			"1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{"a NextToken no listing gave",
			func() error {
				_, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("db"), NextToken: aws.String("bogus")})
				return err
			},
			"InvalidNextTokenException", "The NextToken value is invalid."},
		{"ListSecretVersionIds on no secret",
			func() error {
				_, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("nope")})
				return err
			},
			"ResourceNotFoundException", msgNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkError(t, tt.call(), tt.code, tt.msg)
		})
	}

	for _, n := range names {
		if diff := cmp.Diff(before[n], stages(t, c, n)); diff != "" {
			t.Errorf("failed calls changed %s: DescribeSecret() mismatch (-want +got):\n%s", n, diff)
		}
	}
	if got, _, _ := value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionId: aws.String(v1)}); got != "one" {
		t.Errorf("failed calls changed the value of %s: %q, want one", v1, got)
	}
}

// TestRotationFlow performs the steps of a rotation Lambda (createSecret,
// setSecret, testSecret, finishSecret), twice, as the SDK calls them.
func TestRotationFlow(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	mustCreate(t, c, "db", v1, "one")
	rotations := []struct {
		token, value, oldCurrent string
		want                     []entry // after the rotation, IncludeDeprecated
	}{
		{v2, "two", v1, []entry{{v1, []string{"AWSPREVIOUS"}}, {v2, []string{"AWSCURRENT"}}}},
		{v3, "three", v2, []entry{{v1, nil}, {v2, []string{"AWSPREVIOUS"}}, {v3, []string{"AWSCURRENT"}}}},
	}
	for _, r := range rotations {
		t.Run("rotation to "+r.token, func(t *testing.T) {
			ctx := t.Context()
			out, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(r.token), RotationLambdaARN: aws.String(lambda)})
			if err != nil {
				t.Fatalf("RotateSecret() = %v", err)
			}
			if got := aws.ToString(out.VersionId); got != r.token {
				t.Errorf("RotateSecret() VersionId = %q, want %q", got, r.token)
			}

			// createSecret: the Lambda sees the token pending, with no value yet.
			if got := stages(t, c, "db")[r.token]; !slices.Equal(got, []string{"AWSPENDING"}) {
				t.Errorf("DescribeSecret() stages of %s = %v, want [AWSPENDING]", r.token, got)
			}
			_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionId: aws.String(r.token), VersionStage: aws.String("AWSPENDING")})
			checkError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: "+r.token)
			_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionStage: aws.String("AWSPENDING")})
			checkError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSPENDING")
			if got, _, _ := value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionStage: aws.String("AWSCURRENT")}); got == "" {
				t.Errorf("GetSecretValue(AWSCURRENT) during the rotation = %q", got)
			}
			mustPut(t, c, "db", r.token, r.value, "AWSPENDING")

			// testSecret: the pending value reads back.
			got, id, ls := value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionId: aws.String(r.token), VersionStage: aws.String("AWSPENDING")})
			if got != r.value || id != r.token || !slices.Equal(ls, []string{"AWSPENDING"}) {
				t.Errorf("GetSecretValue(AWSPENDING) = %q, %s, %v; want %q, %s, [AWSPENDING]", got, id, ls, r.value, r.token)
			}

			// finishSecret.
			mustMove(t, c, "db", "AWSCURRENT", r.oldCurrent, r.token)
			if diff := cmp.Diff([]string{"AWSCURRENT", "AWSPENDING"}, stages(t, c, "db")[r.token]); diff != "" {
				t.Errorf("stages of %s after moving AWSCURRENT mismatch (-want +got):\n%s", r.token, diff)
			}
			mustMove(t, c, "db", "AWSPENDING", r.token, "")

			got, id, _ = value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
			if got != r.value || id != r.token {
				t.Errorf("GetSecretValue() after the rotation = %q, %s; want %q, %s", got, id, r.value, r.token)
			}
			got, id, _ = value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionStage: aws.String("AWSPREVIOUS")})
			if id != r.oldCurrent {
				t.Errorf("GetSecretValue(AWSPREVIOUS) after the rotation = %q, %s; want version %s", got, id, r.oldCurrent)
			}
			all, _ := versions(t, c, "db", true, 0)
			if diff := cmp.Diff(r.want, all); diff != "" {
				t.Errorf("ListSecretVersionIds() after the rotation mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	c := newClient(t)

	// The SDK fills ClientRequestToken with a UUID when the caller leaves it out.
	created, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("one")})
	if err != nil {
		t.Fatalf("CreateSecret() = %v", err)
	}
	auto := aws.ToString(created.VersionId)
	if len(auto) != 36 {
		t.Errorf("CreateSecret() VersionId = %q, want the UUID the SDK made", auto)
	}
	put, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String("db"), SecretString: aws.String("two")})
	if err != nil {
		t.Fatalf("PutSecretValue() = %v", err)
	}
	auto2 := aws.ToString(put.VersionId)
	if len(auto2) != 36 || auto2 == auto {
		t.Errorf("PutSecretValue() VersionId = %q, want a new UUID (the first was %q)", auto2, auto)
	}
	if diff := cmp.Diff(map[string][]string{auto: {"AWSPREVIOUS"}, auto2: {"AWSCURRENT"}}, stages(t, c, "db")); diff != "" {
		t.Errorf("DescribeSecret() mismatch (-want +got):\n%s", diff)
	}

	// An explicit token twice with the same value: one version.
	in := &secretsmanager.PutSecretValueInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v3), SecretString: aws.String("three")}
	for i := range 2 {
		out, err := c.PutSecretValue(t.Context(), in)
		if err != nil {
			t.Fatalf("PutSecretValue() #%d = %v", i+1, err)
		}
		if got := aws.ToString(out.VersionId); got != v3 {
			t.Errorf("PutSecretValue() #%d VersionId = %q, want %q", i+1, got, v3)
		}
	}
	want := map[string][]string{auto2: {"AWSPREVIOUS"}, v3: {"AWSCURRENT"}}
	if diff := cmp.Diff(want, stages(t, c, "db")); diff != "" {
		t.Errorf("DescribeSecret() after a repeated put mismatch (-want +got):\n%s", diff)
	}
	if all, _ := versions(t, c, "db", true, 0); len(all) != 3 {
		t.Errorf("ListSecretVersionIds() lists %d versions after a repeated put, want 3: %v", len(all), all)
	}

	// The same with VersionStages: the repeat is still a no-op.
	if _, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("db"), ClientRequestToken: aws.String(v3), SecretString: aws.String("three"), VersionStages: []string{"X"},
	}); err != nil {
		t.Errorf("PutSecretValue() repeated with VersionStages = %v, want success", err)
	}
	if diff := cmp.Diff(want, stages(t, c, "db")); diff != "" {
		t.Errorf("DescribeSecret() after a repeated put with VersionStages mismatch (-want +got):\n%s", diff)
	}

	// The same token with another value.
	_, err = c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v3), SecretString: aws.String("other")})
	checkError(t, err, "ResourceExistsException",
		"You can't use ClientRequestToken "+v3+" because that value is already in use for a version of secret "+aws.ToString(created.ARN)+".")
	_, err = c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v3), SecretBinary: []byte("three")})
	checkError(t, err, "ResourceExistsException",
		"You can't use ClientRequestToken "+v3+" because that value is already in use for a version of secret "+aws.ToString(created.ARN)+".")
	if got, _, _ := value(t, c, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")}); got != "three" {
		t.Errorf("GetSecretValue() = %q, want three", got)
	}
	if diff := cmp.Diff(want, stages(t, c, "db")); diff != "" {
		t.Errorf("DescribeSecret() after a conflicting put mismatch (-want +got):\n%s", diff)
	}

	// CreateSecret again with the first version's token: a repeat with its
	// value succeeds with the same answer; another value is the token in
	// use; another token is the name in use (§V13 [R]).
	again, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("db"), ClientRequestToken: aws.String(auto), SecretString: aws.String("one")})
	if err != nil || aws.ToString(again.ARN) != aws.ToString(created.ARN) || aws.ToString(again.VersionId) != auto {
		t.Errorf("CreateSecret() repeated = %+v, %v; want ARN %s, VersionId %s", again, err, aws.ToString(created.ARN), auto)
	}
	_, err = c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("db"), ClientRequestToken: aws.String(auto), SecretString: aws.String("other")})
	checkError(t, err, "ResourceExistsException",
		"You can't use ClientRequestToken "+auto+" because that value is already in use for a version of secret "+aws.ToString(created.ARN)+".")
	_, err = c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("one")})
	checkError(t, err, "ResourceExistsException", "The operation failed because the secret db already exists.")
	if diff := cmp.Diff(want, stages(t, c, "db")); diff != "" {
		t.Errorf("DescribeSecret() after CreateSecret repeated mismatch (-want +got):\n%s", diff)
	}
}

// TestEmptyMembers sends optional members empty, as the SDK does for
// aws.String(""): AWS refuses them for their length [D], and so does the
// handler, though the store takes "" for a member not given.
func TestEmptyMembers(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	mustCreate(t, c, "db", v1, "one")
	tests := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"GetSecretValue with an empty VersionStage", func(ctx context.Context) error {
			_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionStage: aws.String("")})
			return err
		}},
		{"GetSecretValue with an empty VersionId", func(ctx context.Context) error {
			_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionId: aws.String("")})
			return err
		}},
		{"UpdateSecretVersionStage with an empty RemoveFromVersionId", func(ctx context.Context) error {
			_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("db"),
				VersionStage: aws.String("X"), MoveToVersionId: aws.String(v1), RemoveFromVersionId: aws.String("")})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(t.Context())
			var e smithy.APIError
			if !errors.As(err, &e) || e.ErrorCode() != "ValidationException" {
				t.Errorf("error %v, want ValidationException", err)
			}
		})
	}
}

// TestKMSKeys: through the SDK, a secret keeps the KmsKeyId it was created
// with (DescribeSecret) and each version the key it was written with
// (ListSecretVersionIds' KmsKeyIds); the default key is left out of
// DescribeSecret and named DefaultEncryptionKey in KmsKeyIds (LocalStack's
// AWS-validated snapshots); UpdateSecret's KmsKeyId "" restores the
// default [D]. A forced DeleteSecret of a secret that does not exist
// succeeds (LocalStack's AWS-validated
// test_delete_non_existent_secret_returns_as_if_secret_exists).
func TestKMSKeys(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	key := "alias/mine"
	if _, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("db"), ClientRequestToken: aws.String(v1),
		SecretString: aws.String("one"), KmsKeyId: aws.String(key)}); err != nil {
		t.Fatalf("CreateSecret() = %v", err)
	}
	if _, err := c.UpdateSecret(t.Context(), &secretsmanager.UpdateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(v2),
		SecretString: aws.String("two"), KmsKeyId: aws.String("")}); err != nil {
		t.Fatalf("UpdateSecret() = %v", err)
	}
	d, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
	if err != nil || d.KmsKeyId != nil {
		t.Errorf("DescribeSecret() KmsKeyId = %v, %v; want it left out for the default key", aws.ToString(d.KmsKeyId), err)
	}
	l, err := c.ListSecretVersionIds(t.Context(), &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("db")})
	if err != nil {
		t.Fatalf("ListSecretVersionIds() = %v", err)
	}
	got := map[string][]string{}
	for _, v := range l.Versions {
		got[aws.ToString(v.VersionId)] = v.KmsKeyIds
	}
	if diff := cmp.Diff(map[string][]string{v1: {key}, v2: {"DefaultEncryptionKey"}}, got); diff != "" {
		t.Errorf("ListSecretVersionIds() KmsKeyIds mismatch (-want +got):\n%s", diff)
	}
	del, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("never"), ForceDeleteWithoutRecovery: aws.Bool(true)})
	if err != nil || aws.ToString(del.Name) != "never" || del.ARN == nil || del.DeletionDate == nil {
		t.Errorf("DeleteSecret(never, force) = %+v, %v; want a success with ARN, Name and DeletionDate", del, err)
	}
}
