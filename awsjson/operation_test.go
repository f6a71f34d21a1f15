package awsjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/store"
)

// A server of several AWS services at one address routes each request by
// its X-Amz-Target: those that begin with awsjson.TargetPrefix go to the
// handler. WithOperation changes how the handler answers one operation,
// here GetRandomPassword, so that tests get a password they can predict.
func Example_mount() {
	fixed := func(*store.Store, store.GetRandomPasswordInput) (store.GetRandomPasswordOutput, error) {
		return store.GetRandomPasswordOutput{RandomPassword: "not-random"}, nil
	}
	sm := awsjson.New(store.New(store.WithRandom(rand.NewChaCha8([32]byte{}))),
		awsjson.WithOperation("GetRandomPassword", awsjson.Op(fixed, nil)))
	kms := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { // another service's handler
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprintln(w, `{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}`)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), awsjson.TargetPrefix) {
			sm.ServeHTTP(w, r)
			return
		}
		kms.ServeHTTP(w, r)
	}))
	defer srv.Close()
	send := func(target, body string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(answer)))
	}
	send("TrentService.DescribeKey", `{"KeyId":"alias/db"}`)
	send(awsjson.TargetPrefix+"GetRandomPassword", `{"PasswordLength":12}`)
	send(awsjson.TargetPrefix+"CreateSecret", `{"Name":"db","ClientRequestToken":"11111111-1111-4111-8111-111111111111","SecretString":"pw"}`)
	// Output:
	// 200 {"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}
	// 200 {"RandomPassword":"not-random"}
	// 200 {"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-fLCUv2","Name":"db","VersionId":"11111111-1111-4111-8111-111111111111"}
}

// countInput and countOutput are the members of CountSecrets, an operation
// of the tests' own.
type countInput struct {
	Prefix string `aws:"prefix,omitempty,len=1..10"`
}

type countOutput struct {
	Count int
}

// countSecrets counts the secrets whose names begin with in.Prefix.
func countSecrets(st *store.Store, in countInput) (countOutput, error) {
	if err := store.Validate("CountSecrets", in, nil); err != nil {
		return countOutput{}, err
	}
	out, err := st.ListSecrets(store.ListSecretsInput{Filters: []store.Filter{{Key: store.FilterName, Values: []string{in.Prefix}}}})
	if in.Prefix == "" {
		out, err = st.ListSecrets(store.ListSecretsInput{})
	}
	return countOutput{len(out.SecretList)}, err
}

// TestWithOperation checks that an operation given with WithOperation is
// served, in place of the handler's own of that name, with the protocol's
// decoding, validation, errors and log, and that a zero Operation removes
// one.
func TestWithOperation(t *testing.T) {
	var log bytes.Buffer
	var calls int
	override := awsjson.Op(func(st *store.Store, in store.GetSecretValueInput) (store.GetSecretValueOutput, error) {
		calls++
		if in.SecretId == "broken" {
			return store.GetSecretValueOutput{}, errors.New("the disk is on fire")
		}
		out, err := st.GetSecretValue(in)
		if out.SecretString != nil {
			upper := strings.ToUpper(*out.SecretString)
			out.SecretString = &upper
		}
		return out, err
	}, func(in store.GetSecretValueInput) string { return in.SecretId })
	h := newHandler(awsjson.WithLogger(slog.New(slog.NewJSONHandler(&log, nil))),
		awsjson.WithOperation("GetSecretValue", override),
		awsjson.WithOperation("CountSecrets", awsjson.Op(countSecrets, nil)),
		awsjson.WithOperation("GetRandomPassword", awsjson.Operation{}),
	)
	plain := newHandler()

	for _, h := range []*awsjson.Handler{h, plain} {
		if code, m, _ := call(t, h, "secretsmanager.CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"pw"}`); code != 200 {
			t.Fatalf("CreateSecret: %d %v", code, m)
		}
	}
	tests := []struct {
		name   string
		h      *awsjson.Handler
		target string
		body   string
		status int
		want   map[string]any
	}{
		{"the override answers", h, "secretsmanager.GetSecretValue", `{"SecretId":"db"}`, 200,
			map[string]any{"ARN": arn, "Name": "db", "VersionId": tok1, "SecretString": "PW", "VersionStages": []any{"AWSCURRENT"}, "CreatedDate": float64(t0.UnixNano()) / 1e9}},
		{"a handler without it is unchanged", plain, "secretsmanager.GetSecretValue", `{"SecretId":"db"}`, 200,
			map[string]any{"ARN": arn, "Name": "db", "VersionId": tok1, "SecretString": "pw", "VersionStages": []any{"AWSCURRENT"}, "CreatedDate": float64(t0.UnixNano()) / 1e9}},
		{"the override's store errors are sent", h, "secretsmanager.GetSecretValue", `{"SecretId":"nope"}`, 400,
			map[string]any{"__type": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret."}},
		{"another error is InternalServiceError", h, "secretsmanager.GetSecretValue", `{"SecretId":"broken"}`, 500,
			map[string]any{"__type": "InternalServiceError", "Message": "An internal error occurred."}},
		{"a body of the wrong types is refused before it runs", h, "secretsmanager.GetSecretValue", `{"SecretId":7}`, 400,
			map[string]any{"__type": "SerializationException", "Message": "Member SecretId must be of type string, not number."}},
		{"an empty member given is validated before it runs", h, "secretsmanager.GetSecretValue", `{"SecretId":"db","VersionId":""}`, 400,
			map[string]any{"__type": "ValidationException", "Message": "1 validation error detected: Value '' at 'versionId' failed to satisfy constraint: Member must have length greater than or equal to 32"}},
		{"an added operation answers", h, "secretsmanager.CountSecrets", `{"Prefix":"d"}`, 200, map[string]any{"Count": 1.0}},
		{"an added operation validates", h, "secretsmanager.CountSecrets", `{"Prefix":"01234567890"}`, 400,
			map[string]any{"__type": "ValidationException", "Message": "1 validation error detected: Value '01234567890' at 'prefix' failed to satisfy constraint: Member must have length less than or equal to 10"}},
		{"another handler lacks it", plain, "secretsmanager.CountSecrets", `{}`, 400,
			map[string]any{"__type": "UnknownOperationException", "Message": `Operation "secretsmanager.CountSecrets" is not supported.`}},
		{"a removed operation is unknown", h, "secretsmanager.GetRandomPassword", `{}`, 400,
			map[string]any{"__type": "UnknownOperationException", "Message": `Operation "secretsmanager.GetRandomPassword" is not supported.`}},
		{"only under the target prefix", h, "kms.CountSecrets", `{}`, 400,
			map[string]any{"__type": "UnknownOperationException", "Message": `Operation "kms.CountSecrets" is not supported.`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, got, _ := call(t, tt.h, tt.target, tt.body)
			if code != tt.status {
				t.Errorf("status = %d, want %d", code, tt.status)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", tt.target, diff)
			}
		})
	}
	if calls != 3 {
		t.Errorf("the override ran %d times, want 3 (not for bodies refused before it runs)", calls)
	}
	var logged []string
	for line := range strings.Lines(log.String()) {
		var m struct{ Op, Secret string }
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		logged = append(logged, m.Op+" "+m.Secret)
	}
	want := []string{"CreateSecret db", "GetSecretValue db", "GetSecretValue nope", "GetSecretValue broken", "GetSecretValue ",
		"GetSecretValue db", "CountSecrets ", "CountSecrets ", "GetRandomPassword ", "kms.CountSecrets "}
	if diff := cmp.Diff(want, logged); diff != "" {
		t.Errorf("log mismatch (-want +got):\n%s", diff)
	}
}

// TestOperations checks the names a handler serves: the store's 23
// operations, and what WithOperation adds and removes.
func TestOperations(t *testing.T) {
	all := newHandler().Operations()
	if len(all) != 23 || !slices.IsSorted(all) || !slices.Contains(all, "UpdateSecretVersionStage") {
		t.Errorf("Operations() = %v, want the store's 23, sorted", all)
	}
	for _, name := range all {
		if code, m, _ := call(t, newHandler(), awsjson.TargetPrefix+name, `{}`); code == 400 && m["__type"] == "UnknownOperationException" {
			t.Errorf("%s is listed but not served", name)
		}
	}
	got := newHandler(awsjson.WithOperation("CountSecrets", awsjson.Op(countSecrets, nil)),
		awsjson.WithOperation("UpdateSecretVersionStage", awsjson.Operation{})).Operations()
	want := slices.Sorted(slices.Values(append(slices.DeleteFunc(slices.Clone(all), func(n string) bool { return n == "UpdateSecretVersionStage" }), "CountSecrets")))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Operations() mismatch (-want +got):\n%s", diff)
	}
	if again := newHandler().Operations(); !slices.Equal(again, all) {
		t.Errorf("WithOperation changed another handler's operations: %v", again)
	}
}
