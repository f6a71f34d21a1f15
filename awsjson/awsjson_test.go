package awsjson_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

var t0 = time.Date(2026, 11, 22, 10, 30, 0, 500_000_000, time.UTC)

const (
	tok1 = "00000001-0000-4000-8000-000000000000"
	tok2 = "00000002-0000-4000-8000-000000000000"
	arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-fLCUv2"
)

func newHandler(opts ...awsjson.Option) *awsjson.Handler {
	st := store.New(store.WithClock(func() time.Time { return t0 }), store.WithRandom(rand.NewChaCha8([32]byte{})), store.WithManualRotation())
	return awsjson.New(st, opts...)
}

// do sends one request to h.
func do(h http.Handler, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// call sends one request and returns the status, the decoded body and the
// error type header.
func call(t *testing.T, h http.Handler, target, body string) (int, map[string]any, string) {
	t.Helper()
	rec := do(h, target, body)
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s: body %q is not a JSON object: %v", target, rec.Body.String(), err)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type = %q", ct)
	}
	return rec.Code, m, rec.Header().Get("X-Amzn-ErrorType")
}

func TestProtocol(t *testing.T) {
	h := newHandler()
	epoch := float64(t0.UnixNano()) / 1e9
	day := float64(t0.Truncate(24 * time.Hour).Unix())
	const emptyARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:empty-OwaxDi" // the seeded source's second suffix
	steps := []struct {
		name, op, body string
		status         int
		want           map[string]any
	}{
		{"create", "CreateSecret", `{"Name":"db","ClientRequestToken":"` + tok1 + `","SecretString":"pw1"}`, 200,
			map[string]any{"ARN": arn, "Name": "db", "VersionId": tok1}},
		{"put binary", "PutSecretValue", `{"SecretId":"db","ClientRequestToken":"` + tok2 + `","SecretBinary":"AAH/"}`, 200,
			map[string]any{"ARN": arn, "Name": "db", "VersionId": tok2, "VersionStages": []any{"AWSCURRENT"}}},
		{"get binary as base64, timestamps as epoch seconds", "GetSecretValue", `{"SecretId":"db"}`, 200,
			map[string]any{"ARN": arn, "Name": "db", "VersionId": tok2, "SecretBinary": "AAH/", "VersionStages": []any{"AWSCURRENT"}, "CreatedDate": epoch}},
		{"update answers ARN and Name only", "UpdateSecretVersionStage", `{"SecretId":"db","VersionStage":"X","MoveToVersionId":"` + tok1 + `"}`, 200,
			map[string]any{"ARN": arn, "Name": "db"}},
		{"list: deprecated entries have no VersionStages key", "UpdateSecretVersionStage", `{"SecretId":"db","VersionStage":"AWSPREVIOUS","RemoveFromVersionId":"` + tok1 + `"}`, 200,
			map[string]any{"ARN": arn, "Name": "db"}},
		{"", "UpdateSecretVersionStage", `{"SecretId":"db","VersionStage":"X","RemoveFromVersionId":"` + tok1 + `"}`, 200,
			map[string]any{"ARN": arn, "Name": "db"}},
		{"", "ListSecretVersionIds", `{"SecretId":"db","IncludeDeprecated":true}`, 200,
			map[string]any{"ARN": arn, "Name": "db", "Versions": []any{
				// KmsKeyIds as LocalStack's AWS-validated snapshots record it.
				map[string]any{"VersionId": tok1, "CreatedDate": epoch, "KmsKeyIds": []any{"DefaultEncryptionKey"}},
				map[string]any{"VersionId": tok2, "VersionStages": []any{"AWSCURRENT"}, "CreatedDate": epoch, "LastAccessedDate": day,
					"KmsKeyIds": []any{"DefaultEncryptionKey"}},
			}}},
		{"describe", "DescribeSecret", `{"SecretId":"` + arn + `"}`, 200,
			map[string]any{"ARN": arn, "Name": "db", "CreatedDate": epoch, "LastChangedDate": epoch, "LastAccessedDate": day,
				"VersionIdsToStages": map[string]any{tok2: []any{"AWSCURRENT"}}}},
		{"a secret without versions has no VersionIdsToStages", "CreateSecret", `{"Name":"empty","ClientRequestToken":"` + tok1 + `"}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty"}},
		{"", "DescribeSecret", `{"SecretId":"empty"}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty", "CreatedDate": epoch, "LastChangedDate": epoch}},
		{"an AWS error", "GetSecretValue", `{"SecretId":"nope"}`, 400,
			map[string]any{"__type": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret."}},
		{"AWSCURRENT cannot be removed", "UpdateSecretVersionStage", `{"SecretId":"db","VersionStage":"AWSCURRENT","RemoveFromVersionId":"` + tok2 + `"}`, 400,
			map[string]any{"__type": "InvalidParameterException", "Message": "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed."}},
		{"no token in a raw request", "PutSecretValue", `{"SecretId":"db","SecretString":"x"}`, 400,
			map[string]any{"__type": "InvalidRequestException", "Message": "You must provide a ClientRequestToken value. We recommend a UUID-type value."}},
		{"a description alone makes no version", "UpdateSecret", `{"SecretId":"empty","ClientRequestToken":"` + tok1 + `","Description":"d"}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty"}},
		{"", "DescribeSecret", `{"SecretId":"empty"}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty", "Description": "d", "CreatedDate": epoch, "LastChangedDate": epoch}},
		{"TagResource answers an empty object", "TagResource", `{"SecretId":"empty","Tags":[{"Key":"env","Value":""},{"Key":"team","Value":"a"}]}`, 200,
			map[string]any{}},
		{"UntagResource too", "UntagResource", `{"SecretId":"empty","TagKeys":["team"]}`, 200,
			map[string]any{}},
		{"a resource policy", "PutResourcePolicy", `{"SecretId":"empty","ResourcePolicy":"{\"Version\":\"2012-10-17\"}","BlockPublicPolicy":true}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty"}},
		{"", "GetResourcePolicy", `{"SecretId":"empty"}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty", "ResourcePolicy": `{"Version":"2012-10-17"}`}},
		{"a malformed policy", "PutResourcePolicy", `{"SecretId":"empty","ResourcePolicy":"[]"}`, 400,
			map[string]any{"__type": "MalformedPolicyDocumentException", "Message": "This resource policy contains a syntax error."}},
		{"", "DeleteResourcePolicy", `{"SecretId":"empty"}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty"}},
		{"no policy: the member is left out", "GetResourcePolicy", `{"SecretId":"empty"}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty"}},
		{"an empty tag value is sent", "DescribeSecret", `{"SecretId":"empty"}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty", "Description": "d", "CreatedDate": epoch, "LastChangedDate": epoch,
				"Tags": []any{map[string]any{"Key": "env", "Value": ""}}}},
		{"", "UntagResource", `{"SecretId":"empty","TagKeys":["env"]}`, 200,
			map[string]any{}},
		{"every tag removed: Tags is [] (LocalStack's AWS-validated test_secret_tags)", "DescribeSecret", `{"SecretId":"empty"}`, 200,
			map[string]any{"ARN": emptyARN, "Name": "empty", "Description": "d", "CreatedDate": epoch, "LastChangedDate": epoch,
				"Tags": []any{}}},
		{"a forced DeleteSecret of nothing succeeds (LocalStack's AWS-validated test_delete_non_existent_secret_returns_as_if_secret_exists)",
			"DeleteSecret", `{"SecretId":"` + arn + `x","ForceDeleteWithoutRecovery":true}`, 200,
			map[string]any{"ARN": arn + "x", "Name": "db-" + arn[len(arn)-6:] + "x", "DeletionDate": epoch}},
	}
	for _, s := range steps {
		status, got, errType := call(t, h, "secretsmanager."+s.op, s.body)
		if status != s.status {
			t.Errorf("%s %s: status %d, want %d (%v)", s.name, s.op, status, s.status, got)
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s %s: body mismatch (-want +got):\n%s", s.name, s.op, diff)
		}
		if want, _ := s.want["__type"].(string); errType != want {
			t.Errorf("%s %s: X-Amzn-ErrorType = %q, want %q", s.name, s.op, errType, want)
		}
	}
}

func TestProtocolErrors(t *testing.T) {
	h := newHandler()
	tests := []struct {
		name, target, body, code string
	}{
		{"no target", "", `{}`, "UnknownOperationException"},
		{"another service", "kms.Encrypt", `{}`, "UnknownOperationException"},
		{"an unknown operation", "secretsmanager.DescribeSecrets", `{}`, "UnknownOperationException"},
		{"not JSON", "secretsmanager.GetSecretValue", `{"SecretId":`, "SerializationException"},
		{"a wrong type", "secretsmanager.GetSecretValue", `{"SecretId":5}`, "SerializationException"},
		{"not an object", "secretsmanager.GetSecretValue", `[1]`, "SerializationException"},
		{"bad base64", "secretsmanager.PutSecretValue", `{"SecretId":"x","SecretBinary":"!!"}`, "SerializationException"},
		{"two objects", "secretsmanager.GetSecretValue", `{} {}`, "SerializationException"},
		{"too large", "secretsmanager.PutSecretValue", `{"SecretString":"` + strings.Repeat("x", awsjson.MaxBodyBytes) + `"}`, "SerializationException"},
		{"an empty body is an empty request", "secretsmanager.GetSecretValue", ``, "ValidationException"},
		{"an empty VersionStage is given, and too short", "secretsmanager.GetSecretValue", `{"SecretId":"db","VersionStage":""}`, "ValidationException"},
		{"an empty MoveToVersionId", "secretsmanager.UpdateSecretVersionStage", `{"SecretId":"db","VersionStage":"X","MoveToVersionId":""}`, "ValidationException"},
		{"an empty ClientRequestToken", "secretsmanager.PutSecretValue", `{"SecretId":"db","ClientRequestToken":"","SecretString":"x"}`, "ValidationException"},
		{"an empty ClientRequestToken in UpdateSecret", "secretsmanager.UpdateSecret", `{"SecretId":"db","ClientRequestToken":"","Description":"x"}`, "ValidationException"},
		{"an empty member spelt in another case", "secretsmanager.PutSecretValue", `{"SecretId":"db","clientrequesttoken":"","SecretString":"x"}`, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got, errType := call(t, h, tt.target, tt.body)
			if status != 400 || got["__type"] != tt.code || errType != tt.code || got["Message"] == "" {
				t.Errorf("status %d, body %v, X-Amzn-ErrorType %q; want 400 %s", status, got, errType, tt.code)
			}
		})
	}
	// A GET is no operation.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "UnknownOperationException") {
		t.Errorf("GET / = %d %s", rec.Code, rec.Body.String())
	}
}

// TestEmptyMembers checks the words of the ValidationException for empty
// optional members, and that an empty SecretId is the store's to refuse.
func TestEmptyMembers(t *testing.T) {
	h := newHandler()
	_, got, _ := call(t, h, "secretsmanager.GetSecretValue", `{"SecretId":"db","VersionId":"","VersionStage":""}`)
	want := "2 validation errors detected: Value '' at 'versionId' failed to satisfy constraint: Member must have length greater than or equal to 32; " +
		"Value '' at 'versionStage' failed to satisfy constraint: Member must have length greater than or equal to 1"
	if got["Message"] != want {
		t.Errorf("Message = %q, want %q", got["Message"], want)
	}
	_, got, _ = call(t, h, "secretsmanager.DescribeSecret", `{"SecretId":""}`)
	if got["__type"] != "ValidationException" {
		t.Errorf("empty SecretId: %v", got)
	}
	// ValidateResourcePolicy's SecretId is optional: absent is no secret,
	// empty is refused for its length.
	_, got, _ = call(t, h, "secretsmanager.ValidateResourcePolicy", `{"SecretId":"","ResourcePolicy":"{}"}`)
	if want := "1 validation error detected: Value '' at 'secretId' failed to satisfy constraint: Member must have length greater than or equal to 1"; got["Message"] != want {
		t.Errorf("ValidateResourcePolicy with SecretId \"\": %v, want %q", got, want)
	}
	// Type errors name JSON types.
	_, got, _ = call(t, h, "secretsmanager.ListSecrets", `{"MaxResults":"ten"}`)
	if want := "Member MaxResults must be of type integer, not string."; got["Message"] != want {
		t.Errorf("Message = %q, want %q", got["Message"], want)
	}
	for _, tt := range []struct{ target, body, want string }{
		{"ListSecrets", `{"MaxResults":2147483648}`, "Member MaxResults must be an integer from -2147483648 to 2147483647, not 2147483648."},
		{"ListSecrets", `{"MaxResults":1.5}`, "Member MaxResults must be of type integer, not number 1.5."},
		{"DeleteSecret", `{"SecretId":"db","RecoveryWindowInDays":9223372036854775808}`,
			"Member RecoveryWindowInDays must be an integer from -9223372036854775808 to 9223372036854775807, not 9223372036854775808."},
	} {
		if _, got, _ = call(t, h, "secretsmanager."+tt.target, tt.body); got["__type"] != "SerializationException" || got["Message"] != tt.want {
			t.Errorf("%s %s: %v, want SerializationException %q", tt.target, tt.body, got, tt.want)
		}
	}
	// A value that merely contains "" is no empty member.
	status, got, _ := call(t, h, "secretsmanager.CreateSecret", `{"Name":"q","ClientRequestToken":"`+tok1+`","SecretString":"say \"\""}`)
	if status != 200 {
		t.Errorf("CreateSecret with \"\" in its value: %d %v", status, got)
	}
}

// TestEmptyMembersGiven checks that an optional member the body gives
// empty is checked as given, at any depth, while one that is absent or
// null is not given.
func TestEmptyMembersGiven(t *testing.T) {
	h := newHandler()
	call(t, h, "secretsmanager.CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"x"}`)
	for _, c := range []struct {
		name, target, body string
		code, msg          string
	}{
		{"an empty NextToken", "ListSecrets", `{"NextToken":""}`, "ValidationException",
			"1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"an empty SortBy", "ListSecrets", `{"SortBy":""}`, "ValidationException",
			"1 validation error detected: Value '' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [created-date, last-accessed-date, last-changed-date, name]"},
		{"an empty Duration", "RotateSecret", `{"SecretId":"db","ClientRequestToken":"` + tok2 + `","RotationRules":{"Duration":""}}`, "ValidationException",
			"2 validation errors detected: Value '' at 'rotationRules.duration' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
				"Value '' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h"},
		{"an empty token and a bad SecretId, together", "PutSecretValue", `{"SecretId":"","ClientRequestToken":"","SecretString":"y"}`, "ValidationException",
			"2 validation errors detected: Value '' at 'secretId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32"},
		{"a null token is no token", "PutSecretValue", `{"SecretId":"db","ClientRequestToken":null,"SecretString":"y"}`, "InvalidRequestException",
			"You must provide a ClientRequestToken value. We recommend a UUID-type value."},
		{"an absent Duration", "RotateSecret", `{"SecretId":"db","ClientRequestToken":"` + tok2 + `","RotationLambdaARN":"arn:aws:lambda:us-east-1:123456789012:function:r","RotationRules":{"AutomaticallyAfterDays":1}}`, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, got, _ := call(t, h, "secretsmanager."+c.target, c.body)
			code, _ := got["__type"].(string)
			msg, _ := got["Message"].(string)
			if code != c.code || msg != c.msg {
				t.Errorf("%s %s = %v\nwant %s: %s", c.target, c.body, got, c.code, c.msg)
			}
		})
	}
}

// TestNotText checks that a body that is not UTF-8, or escapes half a
// surrogate pair, is SerializationException, changing nothing, where
// encoding/json would have read U+FFFD; and that escapes of whole
// characters pass. The value begins at byte 89 of the body.
func TestNotText(t *testing.T) {
	for _, c := range []struct {
		name, value string // the SecretString as the body writes it
		msg         string
	}{
		{"UTF-8 beyond ASCII", "é😀", ""},
		{"an escaped pair", `\ud83d\ude00`, ""},
		{"an escaped backslash before u", `\\ud800`, ""},
		{"a byte that is not UTF-8", "a\xffb", "The request body is not valid UTF-8 (at byte 90)."},
		{"a truncated character", "a\xc3", "The request body is not valid UTF-8 (at byte 90)."},
		{"an escaped high surrogate alone", `a\ud83dz`, "The request body escapes half a surrogate pair, \\uD83D, at byte 90: it is not a character."},
		{"an escaped low surrogate alone", `\ude00`, "The request body escapes half a surrogate pair, \\uDE00, at byte 89: it is not a character."},
		{"two high surrogates", `\ud83d\ud83d`, "The request body escapes half a surrogate pair, \\uD83D, at byte 89: it is not a character."},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHandler()
			body := `{"Name":"db","ClientRequestToken":"` + tok1 + `","SecretString":"` + c.value + `"}`
			status, got, errType := call(t, h, "secretsmanager.CreateSecret", body)
			if c.msg == "" {
				if status != http.StatusOK {
					t.Errorf("CreateSecret with SecretString %q: %d %v", c.value, status, got)
				}
				return
			}
			if status != http.StatusBadRequest || errType != "SerializationException" || got["Message"] != c.msg {
				t.Errorf("CreateSecret with SecretString %q: %d %s %v\nwant 400 SerializationException %q", c.value, status, errType, got, c.msg)
			}
			if n := len(h.Store().Snapshot().Secrets); n != 0 {
				t.Errorf("a refused CreateSecret left %d secrets", n)
			}
		})
	}
}

func TestLogNeverLeaks(t *testing.T) {
	var buf bytes.Buffer
	h := newHandler(awsjson.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	call(t, h, "secretsmanager.CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"hunter2-secret"}`)
	call(t, h, "secretsmanager.GetSecretValue", `{"SecretId":"db"}`)
	call(t, h, "secretsmanager.GetSecretValue", `{"SecretId":"nope"}`)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want 3:\n%s", len(lines), buf.String())
	}
	for i, want := range []struct {
		op, secret string
		status     float64
	}{{"CreateSecret", "db", 200}, {"GetSecretValue", "db", 200}, {"GetSecretValue", "nope", 400}} {
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &m); err != nil {
			t.Fatal(err)
		}
		if m["op"] != want.op || m["secret"] != want.secret || m["status"] != want.status || m["duration"] == nil {
			t.Errorf("log line %d = %v, want op %s secret %s status %v", i, m, want.op, want.secret, want.status)
		}
	}
	if strings.Contains(buf.String(), "hunter2") {
		t.Errorf("the log leaks a secret value:\n%s", buf.String())
	}
}

// TestUnsavedChange checks a change the store's backend refuses: HTTP 500
// InternalServiceError, its cause in the log (never the value), and the
// same request retried, as SDKs retry a 500, then succeeds.
func TestUnsavedChange(t *testing.T) {
	f := &storetest.Faulty{Backend: &storetest.Memory{}}
	st, err := store.Open(f, store.WithClock(func() time.Time { return t0 }), store.WithManualRotation())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	h := awsjson.New(st, awsjson.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	create := `{"Name":"db","ClientRequestToken":"` + tok1 + `","SecretString":"hunter2-secret"}`
	f.Fail(true)
	status, got, errType := call(t, h, "secretsmanager.CreateSecret", create)
	if status != http.StatusInternalServerError || errType != "InternalServiceError" || got["__type"] != "InternalServiceError" {
		t.Errorf("CreateSecret with the backend failing: %d %s %v; want 500 InternalServiceError", status, errType, got)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line["level"] != "ERROR" || !strings.Contains(fmt.Sprint(line["err"]), storetest.ErrInjected.Error()) {
		t.Errorf("log of the failure = %s (%v); want an ERROR line with the backend's error", buf.String(), err)
	}
	f.Fail(false)
	if status, got, _ := call(t, h, "secretsmanager.CreateSecret", create); status != http.StatusOK || got["VersionId"] != tok1 {
		t.Errorf("CreateSecret retried: %d %v; want 200", status, got)
	}
	if strings.Contains(buf.String(), "hunter2") {
		t.Errorf("the log leaks a secret value:\n%s", buf.String())
	}
}

// FuzzHandler sends arbitrary targets and bodies: every answer is a JSON
// object, a success or a well-formed AWS error, a body that is not UTF-8
// is never read, and nothing panics.
func FuzzHandler(f *testing.F) {
	f.Add("CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"x"}`)
	f.Add("PutSecretValue", `{"SecretId":"db","ClientRequestToken":"`+tok2+`","SecretBinary":"AAE=","VersionStages":["A"]}`)
	f.Add("UpdateSecretVersionStage", `{"SecretId":"db","VersionStage":"AWSCURRENT","MoveToVersionId":"`+tok2+`","RemoveFromVersionId":"`+tok1+`"}`)
	f.Add("ListSecretVersionIds", `{"SecretId":"db","MaxResults":1,"NextToken":"MQ"}`)
	f.Add("DeleteSecret", `{"SecretId":"db","RecoveryWindowInDays":7}`)
	f.Add("RotateSecret", `{"SecretId":"db","ClientRequestToken":"`+tok2+`","RotationRules":{"AutomaticallyAfterDays":1}}`)
	f.Add("UpdateSecret", `{"SecretId":"db","ClientRequestToken":"`+tok2+`","Description":"d","SecretString":"y"}`)
	f.Add("TagResource", `{"SecretId":"db","Tags":[{"Key":"a","Value":""}]}`)
	f.Add("UntagResource", `{"SecretId":"db","TagKeys":["a"]}`)
	f.Add("GetRandomPassword", `{"PasswordLength":8,"ExcludeCharacters":"abc","IncludeSpace":true,"RequireEachIncludedType":false}`)
	f.Add("ListSecrets", `{"MaxResults":-1}`)
	f.Add("ListSecrets", `{"Filters":[{"Key":"name","Values":["!a","b"]},{"Key":"all","Values":["c"]}],"SortBy":"name","SortOrder":"desc"}`)
	f.Add("BatchGetSecretValue", `{"SecretIdList":["db","nope"]}`)
	f.Add("BatchGetSecretValue", `{"Filters":[{"Key":"name","Values":["d"]}],"MaxResults":1,"NextToken":"x"}`)
	f.Add("ValidateResourcePolicy", `{"SecretId":"db","ResourcePolicy":"{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}}"}`)
	f.Add("Nope", `null`)
	f.Add("CreateSecret", "{\"Name\":\"n\xff\"}")
	f.Add("CreateSecret", `{"Name":"n","ClientRequestToken":"`+tok2+`","SecretString":"\ud800"}`)
	f.Add("RotateSecret", `{"SecretId":"db","RotationRules":{"Duration":"","ScheduleExpression":"rate(1 day)"},"RotateImmediately":false}`)
	h := newHandler()
	if rec := do(h, "secretsmanager.CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"x"}`); rec.Code != 200 {
		f.Fatal(rec.Body.String())
	}
	f.Fuzz(func(t *testing.T, op, body string) {
		rec := do(h, "secretsmanager."+op, body)
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %q: body %q is not a JSON object", op, body, rec.Body.String())
		}
		switch rec.Code {
		case 200:
			if _, isErr := m["__type"]; isErr || !utf8.ValidString(body) {
				t.Fatalf("%s %q: 200 with body %v", op, body, m)
			}
		case 400:
			code, _ := m["__type"].(string)
			msg, _ := m["Message"].(string)
			if code == "" || msg == "" || rec.Header().Get("X-Amzn-ErrorType") != code {
				t.Fatalf("400 with body %v", m)
			}
			if !utf8.ValidString(body) && code != "SerializationException" && code != "UnknownOperationException" {
				t.Fatalf("%s %q: a body that is not UTF-8 answered %v", op, body, m)
			}
		default:
			t.Fatalf("%s %q: status %d, body %s", op, body, rec.Code, rec.Body.String())
		}
	})
}
