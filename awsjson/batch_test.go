package awsjson_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/awsjson"
)

// TestBatchGetSecretValue checks BatchGetSecretValue on the wire: both
// lists always sent, values as GetSecretValue sends them, one error entry
// per secret not read, NextToken only while more remain.
func TestBatchGetSecretValue(t *testing.T) {
	h := newHandler()
	epoch := float64(t0.UnixNano()) / 1e9
	for _, s := range []struct{ op, body string }{
		{"CreateSecret", `{"Name":"db","ClientRequestToken":"` + tok1 + `","SecretString":"pw1"}`},
		{"PutSecretValue", `{"SecretId":"db","ClientRequestToken":"` + tok2 + `","SecretBinary":"AAH/"}`},
		{"CreateSecret", `{"Name":"empty","ClientRequestToken":"` + tok1 + `"}`},
	} {
		if status, got, _ := call(t, h, "secretsmanager."+s.op, s.body); status != 200 {
			t.Fatalf("%s: %d %v", s.op, status, got)
		}
	}
	db := map[string]any{"ARN": arn, "Name": "db", "VersionId": tok2, "SecretBinary": "AAH/", "VersionStages": []any{"AWSCURRENT"}, "CreatedDate": epoch}
	for _, s := range []struct {
		name, body string
		status     int
		want       map[string]any
	}{
		{"by id: values and errors", `{"SecretIdList":["db","nope","empty"]}`, 200, map[string]any{
			"SecretValues": []any{db},
			"Errors": []any{
				map[string]any{"SecretId": "nope", "ErrorCode": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret."},
				map[string]any{"SecretId": "empty", "ErrorCode": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"},
			}}},
		{"no errors: an empty Errors list, as AWS's example shows", `{"SecretIdList":["db"]}`, 200, map[string]any{
			"SecretValues": []any{db}, "Errors": []any{}}},
		{"by filters", `{"Filters":[{"Key":"name","Values":["db"]}]}`, 200, map[string]any{
			"SecretValues": []any{db}, "Errors": []any{}}},
		{"nothing read: an empty SecretValues list", `{"SecretIdList":["nope"]}`, 200, map[string]any{
			"SecretValues": []any{},
			"Errors":       []any{map[string]any{"SecretId": "nope", "ErrorCode": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret."}}}},
		{"both lists", `{"SecretIdList":["db"],"Filters":[{"Key":"name","Values":["db"]}]}`, 400, map[string]any{
			"__type": "InvalidParameterException", "Message": "Either 'SecretIdList' or 'Filters' must be provided, but not both."}},
		{"MaxResults out of range", `{"Filters":[],"MaxResults":21}`, 400, map[string]any{
			"__type": "ValidationException", "Message": "1 validation error detected: Value '21' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 20"}},
	} {
		status, got, errType := call(t, h, "secretsmanager.BatchGetSecretValue", s.body)
		if status != s.status {
			t.Errorf("%s: status %d, want %d (%v)", s.name, status, s.status, got)
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s: body mismatch (-want +got):\n%s", s.name, diff)
		}
		if want, _ := s.want["__type"].(string); errType != want {
			t.Errorf("%s: X-Amzn-ErrorType = %q, want %q", s.name, errType, want)
		}
	}

	// Pages: a NextToken while secrets remain, none on the last page.
	_, first, _ := call(t, h, "secretsmanager.BatchGetSecretValue", `{"Filters":[],"MaxResults":1}`)
	token, _ := first["NextToken"].(string)
	if token == "" {
		t.Fatalf("first page of two = %v, want a NextToken", first)
	}
	next, _ := json.Marshal(map[string]any{"Filters": []any{}, "MaxResults": 1, "NextToken": token})
	_, last, _ := call(t, h, "secretsmanager.BatchGetSecretValue", string(next))
	if _, ok := last["NextToken"]; ok || len(last["Errors"].([]any)) != 1 {
		t.Errorf("last page = %v, want the secret without a value and no NextToken", last)
	}
}

// TestValidateResourcePolicy checks ValidateResourcePolicy on the wire.
func TestValidateResourcePolicy(t *testing.T) {
	h := newHandler()
	if status, got, _ := call(t, h, "secretsmanager.CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"pw1"}`); status != 200 {
		t.Fatalf("CreateSecret: %d %v", status, got)
	}
	policy := func(effect, principal string) string {
		p, _ := json.Marshal(map[string]string{"ResourcePolicy": `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect +
			`","Principal":` + principal + `,"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`, "SecretId": "db"})
		return string(p)
	}
	for _, s := range []struct {
		name, body string
		status     int
		want       map[string]any
	}{
		{"passed: ValidationErrors sent empty, as AWS's example shows", policy("Allow", `{"AWS":"arn:aws:iam::123456789012:root"}`), 200,
			map[string]any{"PolicyValidationPassed": true, "ValidationErrors": []any{}}},
		{"failed", policy("Allow", `"*"`), 200, map[string]any{"PolicyValidationPassed": false, "ValidationErrors": []any{map[string]any{"CheckName": "BroadAccessCheck",
			"ErrorMessage": "This resource policy grants broad access to your secret. Secrets Manager does not allow creating and applying such policies in the console."}}}},
		{"a syntax error", policy("Maybe", `"*"`), 200, map[string]any{"PolicyValidationPassed": false, "ValidationErrors": []any{map[string]any{"CheckName": "SyntaxCheck",
			"ErrorMessage": "This resource policy contains a syntax error."}}}},
		{"not a JSON object", `{"ResourcePolicy":"[]"}`, 400,
			map[string]any{"__type": "MalformedPolicyDocumentException", "Message": "This resource policy contains a syntax error."}},
		{"an invalid SecretId [R]", `{"SecretId":"Inv Name","ResourcePolicy":"{}"}`, 400, map[string]any{"__type": "ValidationException",
			"Message": "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"}},
		{"no such secret", `{"SecretId":"nope","ResourcePolicy":"{}"}`, 400, map[string]any{"__type": "ResourceNotFoundException",
			"Message": "Secrets Manager can't find the specified secret."}},
	} {
		status, got, errType := call(t, h, "secretsmanager.ValidateResourcePolicy", s.body)
		if status != s.status {
			t.Errorf("%s: status %d, want %d (%v)", s.name, status, s.status, got)
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s: body mismatch (-want +got):\n%s", s.name, diff)
		}
		if want, _ := s.want["__type"].(string); errType != want {
			t.Errorf("%s: X-Amzn-ErrorType = %q, want %q", s.name, errType, want)
		}
	}
	// Validating attaches nothing.
	if _, got, _ := call(t, h, "secretsmanager.GetResourcePolicy", `{"SecretId":"db"}`); got["ResourcePolicy"] != nil {
		t.Errorf("GetResourcePolicy after ValidateResourcePolicy = %v, want no policy", got)
	}
}

// TestBatchLogNeverLeaks checks that the log line of a batch names the
// secrets asked for and no value.
func TestBatchLogNeverLeaks(t *testing.T) {
	var buf bytes.Buffer
	h := newHandler(awsjson.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	call(t, h, "secretsmanager.CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"hunter2-secret"}`)
	buf.Reset()
	if status, got, _ := call(t, h, "secretsmanager.BatchGetSecretValue", `{"SecretIdList":["db","nope"]}`); status != 200 || got["SecretValues"] == nil {
		t.Fatalf("BatchGetSecretValue: %d %v", status, got)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line["op"] != "BatchGetSecretValue" || line["secret"] != "db,nope" {
		t.Errorf("log line = %s (%v), want op BatchGetSecretValue, secret db,nope", buf.String(), err)
	}
	if strings.Contains(buf.String(), "hunter2") {
		t.Errorf("the log leaks a secret value:\n%s", buf.String())
	}
}
