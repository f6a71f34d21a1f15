package store_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
)

const (
	notFound    = "Secrets Manager can't find the specified secret."
	marked      = "You can't perform this operation on the secret because it was marked for deletion."
	invalidName = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
)

func TestCreateSecret(t *testing.T) {
	tests := []struct {
		name string
		in   store.CreateSecretInput
		code stagelabel.Code
		msg  string
	}{
		{"with a string value", store.CreateSecretInput{Name: "prod/db_1+x=y.z@w-v", ClientRequestToken: tok(1), SecretString: ptr("v")}, "", ""},
		{"with a binary value", store.CreateSecretInput{Name: "bin", ClientRequestToken: tok(1), SecretBinary: []byte{0, 1}}, "", ""},
		{"without a value", store.CreateSecretInput{Name: "empty", ClientRequestToken: tok(1)}, "", ""},
		{"a name of 512 characters", store.CreateSecretInput{Name: strings.Repeat("n", 512), ClientRequestToken: tok(1)}, "", ""},
		{"an existing name", store.CreateSecretInput{Name: "taken", ClientRequestToken: tok(1)},
			stagelabel.ErrResourceExists, "The operation failed because the secret taken already exists."},
		{"a name scheduled for deletion", store.CreateSecretInput{Name: "deleting", ClientRequestToken: tok(1)},
			stagelabel.ErrInvalidRequest, "You can't create this secret because a secret with this name is already scheduled for deletion."},
		{"a name with a space", store.CreateSecretInput{Name: "a b", ClientRequestToken: tok(1)}, stagelabel.ErrValidation, invalidName},
		{"a name with a colon", store.CreateSecretInput{Name: "a:b", ClientRequestToken: tok(1)}, stagelabel.ErrValidation, invalidName},
		{"a name with a non-ASCII letter", store.CreateSecretInput{Name: "café", ClientRequestToken: tok(1)}, stagelabel.ErrValidation, invalidName},
		{"an empty name", store.CreateSecretInput{Name: "", ClientRequestToken: tok(1)}, stagelabel.ErrValidation,
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a name of 513 characters", store.CreateSecretInput{Name: strings.Repeat("n", 513), ClientRequestToken: tok(1)}, stagelabel.ErrValidation, ""},
		{"no token", store.CreateSecretInput{Name: "x", SecretString: ptr("v")},
			stagelabel.ErrInvalidRequest, "You must provide a ClientRequestToken value. We recommend a UUID-type value."},
		{"no token without a value", store.CreateSecretInput{Name: "x"},
			stagelabel.ErrInvalidRequest, "You must provide a ClientRequestToken value. We recommend a UUID-type value."},
		{"a short token", store.CreateSecretInput{Name: "x", ClientRequestToken: "abc", SecretString: ptr("v")}, stagelabel.ErrValidation,
			"1 validation error detected: Value 'abc' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32"},
		{"a short token without a value", store.CreateSecretInput{Name: "x", ClientRequestToken: "abc"}, stagelabel.ErrValidation,
			"1 validation error detected: Value 'abc' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32"},
		{"both values", store.CreateSecretInput{Name: "x", ClientRequestToken: tok(1), SecretString: ptr("v"), SecretBinary: []byte{1}},
			stagelabel.ErrInvalidParameter, "You can't specify both a binary secret value and a string secret value in the same secret."},
		{"an empty SecretString", store.CreateSecretInput{Name: "x", ClientRequestToken: tok(1), SecretString: ptr("")}, stagelabel.ErrValidation,
			"1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a value too long", store.CreateSecretInput{Name: "x", ClientRequestToken: tok(1), SecretBinary: make([]byte, 65537)}, stagelabel.ErrValidation,
			"1 validation error detected: Value at 'secretBinary' failed to satisfy constraint: Member must have length less than or equal to 65536"},
		{"a description too long", store.CreateSecretInput{Name: "x", ClientRequestToken: tok(1), Description: strings.Repeat("d", 2049)}, stagelabel.ErrValidation, ""},
	}
	arn := regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:(.*)-[A-Za-z0-9]{6}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := newStore()
			create(t, st, "taken", 9)
			create(t, st, "deleting", 9)
			if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "deleting"}); err != nil {
				t.Fatal(err)
			}
			out, err := st.CreateSecret(tt.in)
			check.Err(t, err, tt.code, tt.msg)
			if tt.code != "" {
				if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: tt.in.Name}); tt.in.Name != "taken" && tt.in.Name != "deleting" && err == nil {
					t.Errorf("failed CreateSecret left secret %q behind", tt.in.Name)
				}
				return
			}
			if m := arn.FindStringSubmatch(out.ARN); m == nil || m[1] != tt.in.Name || out.Name != tt.in.Name {
				t.Errorf("CreateSecret() = %+v, want the ARN of %q", out, tt.in.Name)
			}
			hasValue := tt.in.SecretString != nil || tt.in.SecretBinary != nil
			if (out.VersionId != "") != hasValue {
				t.Errorf("VersionId = %q with a value: %v", out.VersionId, hasValue)
			}
			want := map[string][]string(nil)
			if hasValue {
				want = map[string][]string{tok(1): {"AWSCURRENT"}}
			}
			if diff := cmp.Diff(want, stages(t, st, out.ARN)); diff != "" {
				t.Errorf("VersionIdsToStages mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCreateSecretRepeated checks CreateSecret sent again, as an SDK
// retries it (§V13 [R], recorded by moto's aws_verified tests of
// CreateSecret): the same name, token and value succeed with the same
// answer and change nothing; the same token
// with another value is the token-in-use error; another token, or no
// value, is the name-in-use error.
func TestCreateSecretRepeated(t *testing.T) {
	exists := "The operation failed because the secret db already exists."
	tests := []struct {
		name string
		in   store.CreateSecretInput
		code stagelabel.Code
		msg  string // %s: the ARN
	}{
		{"the same token and value", store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), SecretString: ptr("value 1")}, "", ""},
		{"the same token and value, another description", store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), SecretString: ptr("value 1"), Description: "other"}, "", ""},
		{"the same token, another value", store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), SecretString: ptr("value 2")},
			stagelabel.ErrResourceExists, "You can't use ClientRequestToken " + tok(1) + " because that value is already in use for a version of secret %s."},
		{"the same token, the value as binary", store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), SecretBinary: []byte("value 1")},
			stagelabel.ErrResourceExists, "You can't use ClientRequestToken " + tok(1) + " because that value is already in use for a version of secret %s."},
		{"another token, the same value", store.CreateSecretInput{Name: "db", ClientRequestToken: tok(2), SecretString: ptr("value 1")}, stagelabel.ErrResourceExists, exists},
		{"the same token, no value", store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1)}, stagelabel.ErrResourceExists, exists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events int
			st, _ := newStore(store.WithObserver(func(store.Event) { events++ }))
			first := create(t, st, "db", 1)
			before := st.Snapshot()
			out, err := st.CreateSecret(tt.in)
			msg := tt.msg
			if strings.Contains(msg, "%s") {
				msg = fmt.Sprintf(msg, first.ARN)
			}
			check.Err(t, err, tt.code, msg)
			if tt.code == "" && !cmp.Equal(out, first) {
				t.Errorf("CreateSecret() repeated = %+v, want %+v", out, first)
			}
			if diff := cmp.Diff(before, st.Snapshot()); diff != "" || events != 1 {
				t.Errorf("CreateSecret() repeated changed the store (%d events; -before +after):\n%s", events, diff)
			}
		})
	}
}

// TestInvalidSecretId checks that every operation taking a SecretId
// refuses one that is neither a name nor an ARN, changing nothing (§N7
// [R] for DeleteSecret, DescribeSecret, GetSecretValue,
// ListSecretVersionIds, PutSecretValue, TagResource, UntagResource and
// UpdateSecret; §N8 [M] for the others).
func TestInvalidSecretId(t *testing.T) {
	const id = "db name!#"
	ops := map[string]func(st *store.Store) error{
		"DeleteSecret": func(st *store.Store) error {
			_, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: id, ForceDeleteWithoutRecovery: true})
			return err
		},
		"DescribeSecret": func(st *store.Store) error {
			_, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: id})
			return err
		},
		"GetSecretValue": func(st *store.Store) error {
			_, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: id})
			return err
		},
		"ListSecretVersionIds": func(st *store.Store) error {
			_, err := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: id})
			return err
		},
		"PutSecretValue": func(st *store.Store) error {
			_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: id, ClientRequestToken: tok(2), SecretString: ptr("v")})
			return err
		},
		"TagResource": func(st *store.Store) error {
			_, err := st.TagResource(store.TagResourceInput{SecretId: id, Tags: []store.Tag{{"k", "v"}}})
			return err
		},
		"UntagResource": func(st *store.Store) error {
			_, err := st.UntagResource(store.UntagResourceInput{SecretId: id, TagKeys: []string{"k"}})
			return err
		},
		"UpdateSecret": func(st *store.Store) error {
			_, err := st.UpdateSecret(store.UpdateSecretInput{SecretId: id, ClientRequestToken: tok(2), Description: ptr("d")})
			return err
		},
		"UpdateSecretVersionStage": func(st *store.Store) error {
			_, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: id, VersionStage: "X", MoveToVersionId: tok(1)})
			return err
		},
		"RotateSecret": func(st *store.Store) error {
			_, err := st.RotateSecret(store.RotateSecretInput{RotationLambdaARN: fn, SecretId: id, ClientRequestToken: tok(2)})
			return err
		},
		"CancelRotateSecret": func(st *store.Store) error {
			_, err := st.CancelRotateSecret(store.CancelRotateSecretInput{SecretId: id})
			return err
		},
		"RestoreSecret": func(st *store.Store) error {
			_, err := st.RestoreSecret(store.RestoreSecretInput{SecretId: id})
			return err
		},
		"PutResourcePolicy": func(st *store.Store) error {
			_, err := st.PutResourcePolicy(store.PutResourcePolicyInput{SecretId: id, ResourcePolicy: "{}"})
			return err
		},
		"GetResourcePolicy": func(st *store.Store) error {
			_, err := st.GetResourcePolicy(store.GetResourcePolicyInput{SecretId: id})
			return err
		},
		"DeleteResourcePolicy": func(st *store.Store) error {
			_, err := st.DeleteResourcePolicy(store.DeleteResourcePolicyInput{SecretId: id})
			return err
		},
		"ValidateResourcePolicy": func(st *store.Store) error {
			_, err := st.ValidateResourcePolicy(store.ValidateResourcePolicyInput{SecretId: id, ResourcePolicy: "{}"})
			return err
		},
	}
	for op, f := range ops {
		t.Run(op, func(t *testing.T) {
			st, _ := newStore()
			create(t, st, "db", 1)
			before := st.Snapshot()
			check.Err(t, f(st), stagelabel.ErrValidation, invalidName)
			if diff := cmp.Diff(before, st.Snapshot()); diff != "" {
				t.Errorf("%s changed the store (-before +after):\n%s", op, diff)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	st, _ := newStore()
	db := create(t, st, "db", 1)
	trap := create(t, st, "trap-abcdef", 1)
	prefix := "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
	tests := []struct {
		name, id string
		want     string // the name found; "" for not found, "!" for an invalid id
	}{
		{"name", "db", "db"},
		{"full ARN", db.ARN, "db"},
		{"partial ARN", prefix + "db", "db"},
		{"full ARN with another suffix", prefix + "db-zzzzzz", ""},
		{"full ARN of another region", strings.Replace(db.ARN, "us-east-1", "eu-west-1", 1), ""},
		{"unknown name", "nope", ""},
		{"a name ending in -6 characters, by name", "trap-abcdef", "trap-abcdef"},
		{"its full ARN", trap.ARN, "trap-abcdef"},
		{"its partial ARN is taken as a full ARN, so not found", prefix + "trap-abcdef", ""},
		{"the name part of an ARN is not a name: a colon is no name's", "secret:db", "!"},
		// Neither a name nor an ARN: ValidationException (§N7 [R]).
		{"a space", "a b", "!"},
		{"a non-ASCII letter", "café", "!"},
		{"arn: alone is taken as an ARN, so not found", "arn:", ""},
		{"an ARN with a space", prefix + "a b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: tt.id})
			if tt.want == "!" {
				check.Err(t, err, stagelabel.ErrValidation, invalidName)
				return
			}
			if tt.want == "" {
				check.Err(t, err, stagelabel.ErrResourceNotFound, notFound)
				return
			}
			check.Err(t, err, "", "")
			if d.Name != tt.want {
				t.Errorf("DescribeSecret(%q).Name = %q, want %q", tt.id, d.Name, tt.want)
			}
		})
	}
	_, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: ""})
	check.Err(t, err, stagelabel.ErrValidation,
		"1 validation error detected: Value '' at 'secretId' failed to satisfy constraint: Member must have length greater than or equal to 1")
	_, err = st.DescribeSecret(store.DescribeSecretInput{SecretId: strings.Repeat("s", 2049)})
	check.Err(t, err, stagelabel.ErrValidation, "")
}

func TestPutSecretValue(t *testing.T) {
	st, _ := newStore()
	create(t, st, "db", 1)
	out := put(t, st, "db", 2)
	if diff := cmp.Diff(store.PutSecretValueOutput{ARN: out.ARN, Name: "db", VersionId: tok(2), VersionStages: []string{"AWSCURRENT"}}, out); diff != "" {
		t.Errorf("PutSecretValue() mismatch (-want +got):\n%s", diff)
	}
	put(t, st, "db", 3, "AWSPENDING")
	want := map[string][]string{tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSCURRENT"}, tok(3): {"AWSPENDING"}}
	if diff := cmp.Diff(want, stages(t, st, "db")); diff != "" {
		t.Errorf("VersionIdsToStages mismatch (-want +got):\n%s", diff)
	}

	errs := []struct {
		name string
		in   store.PutSecretValueInput
		code stagelabel.Code
		msg  string
	}{
		{"no token", store.PutSecretValueInput{SecretId: "db", SecretString: ptr("x")},
			stagelabel.ErrInvalidRequest, "You must provide a ClientRequestToken value. We recommend a UUID-type value."},
		{"no value", store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(4)},
			stagelabel.ErrInvalidRequest, "You must provide either SecretString or SecretBinary."},
		{"an empty VersionStages list", store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(4), SecretString: ptr("x"), VersionStages: []string{}},
			stagelabel.ErrValidation, "1 validation error detected: Value '[]' at 'versionStages' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a token reused for another value", store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(2), SecretString: ptr("other")},
			stagelabel.ErrResourceExists, "You can't use ClientRequestToken " + tok(2) + " because that value is already in use for a version of secret " + out.ARN + "."},
		{"no such secret", store.PutSecretValueInput{SecretId: "nope", ClientRequestToken: tok(4), SecretString: ptr("x")},
			stagelabel.ErrResourceNotFound, notFound},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.PutSecretValue(tt.in)
			check.Err(t, err, tt.code, tt.msg)
			if e := err.(*stagelabel.Error); e.Op != "PutSecretValue" {
				t.Errorf("Op = %q, want PutSecretValue", e.Op)
			}
			if diff := cmp.Diff(want, stages(t, st, "db")); diff != "" {
				t.Errorf("a failed call changed the labels (-want +got):\n%s", diff)
			}
		})
	}
	// The same token and value again: success, nothing changes [3.6].
	if again := put(t, st, "db", 2); again.VersionId != tok(2) {
		t.Errorf("idempotent PutSecretValue() = %+v", again)
	}
	if diff := cmp.Diff(want, stages(t, st, "db")); diff != "" {
		t.Errorf("an idempotent put changed the labels (-want +got):\n%s", diff)
	}
}

func TestGetSecretValue(t *testing.T) {
	st, c := newStore()
	create(t, st, "db", 1)
	c.Advance(time.Hour)
	st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(2), SecretBinary: []byte{7}})
	tests := []struct {
		name    string
		in      store.GetSecretValueInput
		version string
		text    string
		binary  []byte
		code    stagelabel.Code
		msg     string
	}{
		{"the current version by default", store.GetSecretValueInput{SecretId: "db"}, tok(2), "", []byte{7}, "", ""},
		{"by stage", store.GetSecretValueInput{SecretId: "db", VersionStage: "AWSPREVIOUS"}, tok(1), "value 1", nil, "", ""},
		{"by id and stage", store.GetSecretValueInput{SecretId: "db", VersionId: tok(1), VersionStage: "AWSPREVIOUS"}, tok(1), "value 1", nil, "", ""},
		{"id and stage disagreeing", store.GetSecretValueInput{SecretId: "db", VersionId: tok(1), VersionStage: "AWSCURRENT"}, "", "", nil,
			stagelabel.ErrInvalidRequest, "You provided a VersionStage that is not associated to the provided VersionId."},
		{"an unknown id", store.GetSecretValueInput{SecretId: "db", VersionId: tok(9)}, "", "", nil,
			stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret value for VersionId: " + tok(9)},
		{"a stage on nothing", store.GetSecretValueInput{SecretId: "db", VersionStage: "AWSPENDING"}, "", "", nil,
			stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret value for staging label: AWSPENDING"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.GetSecretValue(tt.in)
			check.Err(t, err, tt.code, tt.msg)
			if tt.code != "" {
				return
			}
			if got.VersionId != tt.version || got.Name != "db" {
				t.Errorf("GetSecretValue() = %v, want version %s", got, tt.version)
			}
			if (got.SecretString != nil) != (tt.text != "") || (got.SecretString != nil && *got.SecretString != tt.text) || !cmp.Equal(got.SecretBinary, tt.binary) {
				t.Errorf("GetSecretValue() payload wrong for %s", tt.version)
			}
		})
	}
	// LastAccessedDate: the day of the last read, on the secret and the version read.
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	if !d.LastAccessedDate.Equal(day) || !d.CreatedDate.Equal(t0) || !d.LastChangedDate.Equal(t0.Add(time.Hour)) {
		t.Errorf("DescribeSecret() dates = accessed %v, created %v, changed %v", d.LastAccessedDate, d.CreatedDate, d.LastChangedDate)
	}
	l, _ := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db"})
	for _, v := range l.Versions {
		if !v.LastAccessedDate.Equal(day) {
			t.Errorf("version %s LastAccessedDate = %v, want %v", v.VersionId, v.LastAccessedDate, day)
		}
	}
	// The output never prints the value.
	got, _ := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db", VersionStage: "AWSPREVIOUS"})
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, got); strings.Contains(out, "value 1") {
			t.Errorf("Sprintf(%q, output) = %q leaks the value", verb, out)
		}
	}
}

func TestUpdateSecretVersionStage(t *testing.T) {
	st, _ := newStore()
	c := create(t, st, "db", 1)
	put(t, st, "db", 2, "AWSPENDING")
	out, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: c.ARN, VersionStage: "AWSCURRENT",
		RemoveFromVersionId: tok(1), MoveToVersionId: tok(2)})
	check.Err(t, err, "", "")
	if diff := cmp.Diff(store.UpdateSecretVersionStageOutput{ARN: c.ARN, Name: "db"}, out); diff != "" {
		t.Errorf("UpdateSecretVersionStage() mismatch (-want +got):\n%s", diff)
	}
	want := map[string][]string{tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSCURRENT", "AWSPENDING"}}
	if diff := cmp.Diff(want, stages(t, st, "db")); diff != "" {
		t.Errorf("VersionIdsToStages mismatch (-want +got):\n%s", diff)
	}
	_, err = st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSCURRENT", RemoveFromVersionId: tok(2)})
	check.Err(t, err, stagelabel.ErrInvalidParameter, "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.")
	if e := err.(*stagelabel.Error); e.Op != "UpdateSecretVersionStage" {
		t.Errorf("Op = %q", e.Op)
	}
	_, err = st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "nope", VersionStage: "X", MoveToVersionId: tok(2)})
	check.Err(t, err, stagelabel.ErrResourceNotFound, notFound)
}

func TestRotation(t *testing.T) {
	st, _ := newStore()
	create(t, st, "db", 1)
	// RotationEnabled is left out until rotation is configured (LocalStack's
	// AWS-validated test_update_secret_description, describe_secret_res_0).
	if d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); d.RotationEnabled != nil {
		t.Errorf("RotationEnabled = %v before any rotation, want it left out", *d.RotationEnabled)
	}
	rot, err := st.RotateSecret(store.RotateSecretInput{RotationLambdaARN: fn, SecretId: "db", ClientRequestToken: tok(2),
		RotationRules: &store.RotationRules{AutomaticallyAfterDays: ptr(int64(30))}})
	check.Err(t, err, "", "")
	if rot.VersionId != tok(2) {
		t.Errorf("RotateSecret().VersionId = %q", rot.VersionId)
	}
	_, err = st.GetSecretValue(store.GetSecretValueInput{SecretId: "db", VersionStage: "AWSPENDING"})
	check.Err(t, err, stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret value for staging label: AWSPENDING")
	_, err = st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(3)})
	check.Err(t, err, stagelabel.ErrInvalidRequest, "A previous rotation isn't complete. That rotation will be reattempted.")
	_, err = st.RotateSecret(store.RotateSecretInput{SecretId: "db"})
	check.Err(t, err, stagelabel.ErrInvalidParameter, "You must provide a ClientRequestToken value. We recommend a UUID-type value.")

	d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	if d.RotationEnabled == nil || !*d.RotationEnabled || d.RotationLambdaARN == "" || d.RotationRules == nil || *d.RotationRules.AutomaticallyAfterDays != 30 || !d.LastRotatedDate.IsZero() {
		t.Errorf("DescribeSecret() after RotateSecret = %+v", d)
	}
	cancel, err := st.CancelRotateSecret(store.CancelRotateSecretInput{SecretId: "db"})
	check.Err(t, err, "", "")
	if cancel.VersionId != tok(2) {
		t.Errorf("CancelRotateSecret().VersionId = %q, want the pending %s", cancel.VersionId, tok(2))
	}
	want := map[string][]string{tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING"}}
	if diff := cmp.Diff(want, stages(t, st, "db")); diff != "" {
		t.Errorf("CancelRotateSecret changed labels (-want +got):\n%s", diff)
	}
	if d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); d.RotationEnabled == nil || *d.RotationEnabled {
		t.Errorf("RotationEnabled = %v after CancelRotateSecret, want false", d.RotationEnabled)
	}
	// Finish the rotation as a rotation function does.
	put(t, st, "db", 2, "AWSPENDING")
	if _, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSCURRENT", RemoveFromVersionId: tok(1), MoveToVersionId: tok(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSPENDING", RemoveFromVersionId: tok(2)}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
	if got.VersionId != tok(2) || *got.SecretString != "value 2" {
		t.Errorf("after rotation GetSecretValue() = %v", got)
	}
	// Moving AWSCURRENT onto the AWSPENDING version ended the rotation
	// (§RT11).
	if d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !d.LastRotatedDate.Equal(t0) {
		t.Errorf("LastRotatedDate = %v after the rotation ended, want %v", d.LastRotatedDate, t0)
	}
	// RotateImmediately=false only configures.
	no, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", RotateImmediately: ptr(false)})
	check.Err(t, err, "", "")
	if no.VersionId != "" || len(stages(t, st, "db")) != 2 {
		t.Errorf("RotateSecret(RotateImmediately=false) = %+v, stages %v", no, stages(t, st, "db"))
	}
}

// TestForceDeleteMissing holds that a forced DeleteSecret of a secret that
// does not exist succeeds with ARN, Name and DeletionDate and changes
// nothing (LocalStack's AWS-validated
// test_delete_non_existent_secret_returns_as_if_secret_exists) [R]; what
// they hold is stagelabel's [M].
func TestForceDeleteMissing(t *testing.T) {
	var events int
	st := store.New(store.WithClock(func() time.Time { return t0 }), store.WithObserver(func(store.Event) { events++ }))
	full := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gone-AbC123"
	for _, c := range []struct{ id, arn, name string }{
		{"gone", "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-", "gone"},
		{full, full, "gone"},
		{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b", "a/b"},
	} {
		out, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: c.id, ForceDeleteWithoutRecovery: true})
		check.Err(t, err, "", "")
		if !strings.HasPrefix(out.ARN, c.arn) || out.Name != c.name || !out.DeletionDate.Equal(t0) {
			t.Errorf("DeleteSecret(%s, force) = %+v, want ARN %s…, Name %s, DeletionDate now", c.id, out, c.arn, c.name)
		}
	}
	if list, _ := st.ListSecrets(store.ListSecretsInput{IncludePlannedDeletion: true}); len(list.SecretList) != 0 || events != 0 {
		t.Errorf("a forced DeleteSecret of nothing changed the store: %v, %d events", list.SecretList, events)
	}
	// Without force, it is still not found [R].
	_, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "gone"})
	check.Err(t, err, stagelabel.ErrResourceNotFound, notFound)
}

func TestDeleteAndRestore(t *testing.T) {
	st, c := newStore()
	create(t, st, "db", 1)
	del, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "db"})
	check.Err(t, err, "", "")
	if want := t0.Add(30 * 24 * time.Hour); !del.DeletionDate.Equal(want) {
		t.Errorf("DeletionDate = %v, want %v (30 days)", del.DeletionDate, want)
	}
	// While scheduled: value and label operations fail, DescribeSecret works.
	calls := map[string]error{}
	_, calls["GetSecretValue"] = st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
	_, calls["PutSecretValue"] = st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(2), SecretString: ptr("x")})
	_, calls["UpdateSecretVersionStage"] = st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "X", MoveToVersionId: tok(1)})
	_, calls["RotateSecret"] = st.RotateSecret(store.RotateSecretInput{RotationLambdaARN: fn, SecretId: "db", ClientRequestToken: tok(2)})
	_, calls["DeleteSecret"] = st.DeleteSecret(store.DeleteSecretInput{SecretId: "db", RecoveryWindowInDays: ptr(int64(7))})
	for op, err := range calls {
		t.Run(op, func(t *testing.T) { check.Err(t, err, stagelabel.ErrInvalidRequest, marked) })
	}
	d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	check.Err(t, err, "", "")
	if !d.DeletedDate.Equal(t0) {
		t.Errorf("DeletedDate = %v, want %v", d.DeletedDate, t0)
	}
	if l, _ := st.ListSecrets(store.ListSecretsInput{}); len(l.SecretList) != 0 {
		t.Errorf("ListSecrets() lists a secret scheduled for deletion: %+v", l.SecretList)
	}
	if l, _ := st.ListSecrets(store.ListSecretsInput{IncludePlannedDeletion: true}); len(l.SecretList) != 1 {
		t.Errorf("ListSecrets(IncludePlannedDeletion) = %+v", l.SecretList)
	}
	_, err = st.RestoreSecret(store.RestoreSecretInput{SecretId: "db"})
	check.Err(t, err, "", "")
	if d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !d.DeletedDate.IsZero() {
		t.Errorf("DeletedDate after RestoreSecret = %v", d.DeletedDate)
	}
	if _, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil {
		t.Errorf("GetSecretValue after RestoreSecret: %v", err)
	}

	// The window ends: the secret is gone and its name free again.
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "db", RecoveryWindowInDays: ptr(int64(7))}); err != nil {
		t.Fatal(err)
	}
	c.Advance(7*24*time.Hour - time.Second)
	if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); err != nil {
		t.Errorf("secret gone before its window ended: %v", err)
	}
	c.Advance(time.Second)
	_, err = st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	check.Err(t, err, stagelabel.ErrResourceNotFound, notFound)
	create(t, st, "db", 5)

	// Force: gone at once, even when already scheduled.
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "db", ForceDeleteWithoutRecovery: true}); err != nil {
		t.Fatalf("force delete of a scheduled secret: %v", err)
	}
	_, err = st.RestoreSecret(store.RestoreSecretInput{SecretId: "db"})
	check.Err(t, err, stagelabel.ErrResourceNotFound, notFound)
	create(t, st, "db", 6)

	bad := []struct {
		name string
		in   store.DeleteSecretInput
		msg  string
	}{
		{"both window and force", store.DeleteSecretInput{SecretId: "db", RecoveryWindowInDays: ptr(int64(7)), ForceDeleteWithoutRecovery: true},
			"You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."},
		{"a window of 6 days", store.DeleteSecretInput{SecretId: "db", RecoveryWindowInDays: ptr(int64(6))},
			"The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."},
		{"a window of 31 days", store.DeleteSecretInput{SecretId: "db", RecoveryWindowInDays: ptr(int64(31))},
			"The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.DeleteSecret(tt.in)
			check.Err(t, err, stagelabel.ErrInvalidParameter, tt.msg)
			if d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !d.DeletedDate.IsZero() {
				t.Error("a failed DeleteSecret scheduled the deletion")
			}
		})
	}
	// Restoring a secret not scheduled changes nothing.
	if _, err := st.RestoreSecret(store.RestoreSecretInput{SecretId: "db"}); err != nil {
		t.Errorf("RestoreSecret of a live secret: %v", err)
	}
}

func TestListSecretVersionIds(t *testing.T) {
	st, c := newStore()
	create(t, st, "db", 1)
	for n := 2; n <= 5; n++ {
		c.Advance(time.Minute)
		put(t, st, "db", n)
	}
	// 1..3 deprecated, 4 AWSPREVIOUS, 5 AWSCURRENT.
	all, err := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db", IncludeDeprecated: true})
	check.Err(t, err, "", "")
	var ids []string
	for i, v := range all.Versions {
		ids = append(ids, v.VersionId)
		if deprecated := i < 3; deprecated != (v.VersionStages == nil) {
			t.Errorf("version %s: VersionStages %v, deprecated %v", v.VersionId, v.VersionStages, deprecated)
		}
		if !v.CreatedDate.Equal(t0.Add(time.Duration(i) * time.Minute)) {
			t.Errorf("version %s CreatedDate = %v", v.VersionId, v.CreatedDate)
		}
		if !v.LastAccessedDate.IsZero() {
			t.Errorf("version %s LastAccessedDate = %v before any read", v.VersionId, v.LastAccessedDate)
		}
	}
	if diff := cmp.Diff([]string{tok(1), tok(2), tok(3), tok(4), tok(5)}, ids); diff != "" {
		t.Errorf("versions mismatch (-want +got):\n%s", diff)
	}
	labelled, _ := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db"})
	if len(labelled.Versions) != 2 || labelled.Versions[0].VersionId != tok(4) {
		t.Errorf("without IncludeDeprecated: %+v", labelled.Versions)
	}
	// Pages of two.
	var paged []string
	token := ""
	for range 10 {
		p, err := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db", IncludeDeprecated: true, MaxResults: ptr[int32](2), NextToken: token})
		check.Err(t, err, "", "")
		for _, v := range p.Versions {
			paged = append(paged, v.VersionId)
		}
		if token = p.NextToken; token == "" {
			break
		}
	}
	if diff := cmp.Diff(ids, paged); diff != "" {
		t.Errorf("paged listing mismatch (-want +got):\n%s", diff)
	}
	_, err = st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db", MaxResults: ptr[int32](0)})
	check.Err(t, err, stagelabel.ErrValidation,
		"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db", MaxResults: ptr[int32](101)})
	check.Err(t, err, stagelabel.ErrValidation, "")
	for _, bad := range []string{"garbage!", "MA", "OTk5"} {
		_, err = st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db", NextToken: bad})
		check.Err(t, err, stagelabel.ErrInvalidNextToken, "The NextToken value is invalid.")
	}
}

func TestListSecrets(t *testing.T) {
	st, c := newStore()
	for _, name := range []string{"c", "a", "b"} {
		create(t, st, name, 1)
		c.Advance(time.Second)
	}
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "empty", ClientRequestToken: tok(1)}); err != nil {
		t.Fatal(err)
	}
	first, err := st.ListSecrets(store.ListSecretsInput{MaxResults: ptr[int32](3)})
	check.Err(t, err, "", "")
	rest, err := st.ListSecrets(store.ListSecretsInput{MaxResults: ptr[int32](3), NextToken: first.NextToken})
	check.Err(t, err, "", "")
	var names []string
	for _, e := range append(first.SecretList, rest.SecretList...) {
		names = append(names, e.Name)
	}
	if diff := cmp.Diff([]string{"c", "a", "b", "empty"}, names); diff != "" {
		t.Errorf("ListSecrets() names, oldest first, mismatch (-want +got):\n%s", diff)
	}
	if rest.NextToken != "" {
		t.Errorf("last page NextToken = %q", rest.NextToken)
	}
	if got := first.SecretList[1].SecretVersionsToStages; !cmp.Equal(got, map[string][]string{tok(1): {"AWSCURRENT"}}) {
		t.Errorf("SecretVersionsToStages = %v", got)
	}
	if got := rest.SecretList[0].SecretVersionsToStages; got != nil {
		t.Errorf("SecretVersionsToStages of a secret without versions = %v, want nil", got)
	}
}

func TestPruneThroughPut(t *testing.T) {
	st, c := newStore()
	create(t, st, "db", 0)
	for n := 1; n <= 100; n++ {
		put(t, st, "db", n)
	}
	if ids := versionIDs(t, st, "db"); len(ids) != 101 || ids[0] != tok(0) {
		t.Fatalf("versions too young were pruned: %d left, oldest %s", len(ids), ids[0])
	}
	c.Advance(25 * time.Hour)
	put(t, st, "db", 101)
	if ids := versionIDs(t, st, "db"); len(ids) != 100 || ids[0] != tok(2) {
		t.Errorf("after a put past 100 versions: %d left, oldest %s; want 100, oldest %s", len(ids), ids[0], tok(2))
	}
	_, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db", VersionId: tok(1)})
	check.Err(t, err, stagelabel.ErrInvalidRequest, "You can't perform this operation on secret version "+tok(1)+" because it was deleted.")
}

// TestPruneThroughEveryChange checks that UpdateSecret and RotateSecret
// prune as PutSecretValue does [§PR2].
func TestPruneThroughEveryChange(t *testing.T) {
	for name, add := range map[string]func(st *store.Store) error{
		"UpdateSecret": func(st *store.Store) error {
			_, err := st.UpdateSecret(store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(101), SecretString: ptr("v")})
			return err
		},
		"RotateSecret": func(st *store.Store) error {
			_, err := st.RotateSecret(store.RotateSecretInput{RotationLambdaARN: fn, SecretId: "db", ClientRequestToken: tok(101)})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			st, c := newStore()
			create(t, st, "db", 0)
			for n := 1; n <= 100; n++ {
				put(t, st, "db", n)
			}
			c.Advance(25 * time.Hour)
			if err := add(st); err != nil {
				t.Fatal(err)
			}
			if ids := versionIDs(t, st, "db"); len(ids) != 100 || ids[0] != tok(2) {
				t.Errorf("after %s past 100 versions: %d left, oldest %s; want 100, oldest %s", name, len(ids), ids[0], tok(2))
			}
		})
	}
}

// TestVersionsReadApart checks that LastAccessedDate is kept per version:
// a version never read has none [§G8].
func TestVersionsReadApart(t *testing.T) {
	st, c := newStore()
	create(t, st, "db", 1)
	put(t, st, "db", 2)
	c.Advance(24 * time.Hour)
	if _, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	out, err := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db"})
	check.Err(t, err, "", "")
	day := c.Now().Truncate(24 * time.Hour)
	for _, v := range out.Versions {
		want := map[string]time.Time{tok(1): {}, tok(2): day}[v.VersionId]
		if !v.LastAccessedDate.Equal(want) {
			t.Errorf("version %s LastAccessedDate = %v, want %v", v.VersionId, v.LastAccessedDate, want)
		}
	}
}

// TestFailedCallsKeepDetails checks that failed calls leave the details,
// not only the labels, as they were [§I5].
func TestFailedCallsKeepDetails(t *testing.T) {
	st, c := newStore()
	create(t, st, "db", 1)
	put(t, st, "db", 2, "AWSPENDING")
	before, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	check.Err(t, err, "", "")
	c.Advance(time.Hour)
	_, err = st.RotateSecret(store.RotateSecretInput{RotationLambdaARN: fn, SecretId: "db", ClientRequestToken: tok(3), RotationRules: &store.RotationRules{AutomaticallyAfterDays: ptr(int64(7))}})
	check.Err(t, err, stagelabel.ErrInvalidRequest, "")
	_, err = st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(1), SecretString: ptr("other")})
	check.Err(t, err, stagelabel.ErrResourceExists, "")
	after, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	check.Err(t, err, "", "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("failed calls changed the details (-before +after):\n%s", diff)
	}
}

// TestPagesFollowKeys checks that a listing changed between two pages
// neither repeats nor skips what stayed.
func TestPagesFollowKeys(t *testing.T) {
	st, _ := newStore()
	for _, name := range []string{"b", "c", "d"} {
		create(t, st, name, 1)
	}
	first, _ := st.ListSecrets(store.ListSecretsInput{SortBy: store.SortByName, MaxResults: ptr[int32](2)})
	create(t, st, "a", 1)
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "c", ForceDeleteWithoutRecovery: true}); err != nil {
		t.Fatal(err)
	}
	rest, err := st.ListSecrets(store.ListSecretsInput{SortBy: store.SortByName, MaxResults: ptr[int32](2), NextToken: first.NextToken})
	check.Err(t, err, "", "")
	var names []string
	for _, e := range append(first.SecretList, rest.SecretList...) {
		names = append(names, e.Name)
	}
	if diff := cmp.Diff([]string{"b", "c", "d"}, names); diff != "" {
		t.Errorf("pages mismatch (-want +got):\n%s", diff)
	}
	// Empty listings are empty lists, which the protocol sends.
	empty, _ := newStore()
	l, _ := empty.ListSecrets(store.ListSecretsInput{})
	if l.SecretList == nil || len(l.SecretList) != 0 {
		t.Errorf("ListSecrets() of an empty store = %#v, want an empty list", l.SecretList)
	}
	empty.CreateSecret(store.CreateSecretInput{Name: "none", ClientRequestToken: tok(1)})
	v, _ := empty.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "none"})
	if v.Versions == nil || len(v.Versions) != 0 {
		t.Errorf("ListSecretVersionIds() of a secret without versions = %#v, want an empty list", v.Versions)
	}
}

func TestRotationRules(t *testing.T) {
	st, _ := newStore()
	create(t, st, "db", 1)
	for _, days := range []int64{0, 1001} {
		_, err := st.RotateSecret(store.RotateSecretInput{RotationLambdaARN: fn, SecretId: "db", RotateImmediately: ptr(false), RotationRules: &store.RotationRules{AutomaticallyAfterDays: ptr(days)}})
		check.Err(t, err, stagelabel.ErrValidation, fmt.Sprintf("1 validation error detected: Value '%d' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value %s",
			days, map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 1000"}[days == 0]))
	}
	rules := &store.RotationRules{AutomaticallyAfterDays: ptr(int64(10))}
	if _, err := st.RotateSecret(store.RotateSecretInput{RotationLambdaARN: fn, SecretId: "db", RotateImmediately: ptr(false), RotationRules: rules}); err != nil {
		t.Fatal(err)
	}
	*rules.AutomaticallyAfterDays = 99 // the store keeps its own copy
	d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	*d.RotationRules.AutomaticallyAfterDays = 77 // and hands out copies
	exported, _ := st.Export("db")
	*exported.RotationRules.AutomaticallyAfterDays = 55
	if d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); *d.RotationRules.AutomaticallyAfterDays != 10 {
		t.Errorf("AutomaticallyAfterDays = %d, want 10: the store shares its rules", *d.RotationRules.AutomaticallyAfterDays)
	}
}

func TestInputsNeverPrintValues(t *testing.T) {
	for _, in := range []any{
		store.CreateSecretInput{Name: "db", SecretString: ptr("pa55word")},
		store.CreateSecretInput{Name: "db", SecretBinary: []byte("pa55word")},
		store.PutSecretValueInput{SecretId: "db", SecretString: ptr("pa55word")},
		store.PutSecretValueInput{SecretId: "db", SecretBinary: []byte("pa55word")},
		store.UpdateSecretInput{SecretId: "db", Description: ptr("d"), SecretString: ptr("pa55word")},
		store.UpdateSecretInput{SecretId: "db", SecretBinary: []byte("pa55word")},
		store.GetSecretValueOutput{Name: "db", SecretBinary: []byte("pa55word")},
		store.SecretValueEntry{Name: "db", SecretString: ptr("pa55word")},
		store.BatchGetSecretValueOutput{SecretValues: []store.SecretValueEntry{{Name: "db", SecretBinary: []byte("pa55word")}}},
		&store.BatchGetSecretValueOutput{SecretValues: []store.SecretValueEntry{{Name: "db", SecretString: ptr("pa55word")}}},
		[]store.SecretValueEntry{{Name: "db", SecretString: ptr("pa55word")}},
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
			if out := fmt.Sprintf(verb, in); strings.Contains(out, "pa55word") || strings.Contains(out, fmt.Sprintf("%x", "pa55word")) ||
				strings.Contains(out, fmt.Sprint([]byte("pa55word"))) {
				t.Errorf("Sprintf(%q, %T) = %s leaks the value", verb, in, out)
			}
		}
	}
}

// TestKMSKeys holds the KMS key rules: a version remembers the key it was
// written with, and ListSecretVersionIds names it in KmsKeyIds,
// ["DefaultEncryptionKey"] for the default key (LocalStack's AWS-validated
// snapshots, every ListSecretVersionIds) [R]; DescribeSecret leaves
// KmsKeyId out for the default key (the same snapshots) [R] and gives
// another as it was given [M]; UpdateSecret's KmsKeyId changes the key of
// new versions, "" back to the default [D]; no key is looked up, there
// being no KMS here [M]; KmsKeyId is at most 2,048 characters [D].
func TestKMSKeys(t *testing.T) {
	st, _ := newStore()
	keys := func(name string) (string, map[string][]string) {
		t.Helper()
		d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: name})
		check.Err(t, err, "", "")
		l, err := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: name, IncludeDeprecated: true})
		check.Err(t, err, "", "")
		got := map[string][]string{}
		for _, v := range l.Versions {
			got[v.VersionId] = v.KmsKeyIds
		}
		return d.KmsKeyId, got
	}
	create(t, st, "plain", 1)
	if key, versions := keys("plain"); key != "" || !cmp.Equal(versions, map[string][]string{tok(1): {"DefaultEncryptionKey"}}) {
		t.Errorf("default key: KmsKeyId %q, KmsKeyIds %v", key, versions)
	}

	mine := "alias/mine"
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), SecretString: ptr("one"), KmsKeyId: mine}); err != nil {
		t.Fatal(err)
	}
	other := "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	if _, err := st.UpdateSecret(store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(2), KmsKeyId: &other, SecretString: ptr("two")}); err != nil {
		t.Fatal(err)
	}
	if key, versions := keys("db"); key != other || !cmp.Equal(versions, map[string][]string{tok(1): {mine}, tok(2): {other}}) {
		t.Errorf("after UpdateSecret with a key and a value: KmsKeyId %q, KmsKeyIds %v", key, versions)
	}
	if _, err := st.UpdateSecret(store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(3), KmsKeyId: ptr("")}); err != nil {
		t.Fatal(err)
	}
	put(t, st, "db", 3)
	if key, versions := keys("db"); key != "" || !cmp.Equal(versions[tok(3)], []string{"DefaultEncryptionKey"}) || !cmp.Equal(versions[tok(2)], []string{other}) {
		t.Errorf("after UpdateSecret with KmsKeyId \"\": KmsKeyId %q, KmsKeyIds %v", key, versions)
	}

	long := strings.Repeat("é", 2049)
	_, err := st.CreateSecret(store.CreateSecretInput{Name: "long", ClientRequestToken: tok(1), KmsKeyId: long})
	check.Err(t, err, stagelabel.ErrValidation, "1 validation error detected: Value '"+long+"' at 'kmsKeyId' failed to satisfy constraint: Member must have length less than or equal to 2048")
	_, err = st.UpdateSecret(store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(4), KmsKeyId: &long})
	check.Err(t, err, stagelabel.ErrValidation, "1 validation error detected: Value '"+long+"' at 'kmsKeyId' failed to satisfy constraint: Member must have length less than or equal to 2048")
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "edge", ClientRequestToken: tok(1), KmsKeyId: long[2:]}); err != nil {
		t.Errorf("a KmsKeyId of 2,048 characters: %v", err)
	}
}
