package store_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
)

func TestResourcePolicy(t *testing.T) {
	st, c := newStore()
	arn := create(t, st, "db", 1).ARN
	policy := func(id string) string {
		t.Helper()
		out, err := st.GetResourcePolicy(store.GetResourcePolicyInput{SecretId: id})
		if err != nil {
			t.Fatalf("GetResourcePolicy(%s): %v", id, err)
		}
		if out.ARN == "" || out.Name != id {
			t.Errorf("GetResourcePolicy(%s) = ARN %q, Name %q", id, out.ARN, out.Name)
		}
		return out.ResourcePolicy
	}
	changed := func() time.Time {
		t.Helper()
		d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
		if err != nil {
			t.Fatal(err)
		}
		return d.LastChangedDate.Time
	}
	if got := policy("db"); got != "" {
		t.Errorf("policy of a new secret = %q, want none", got)
	}

	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:DeleteSecret","Resource":"*"}]}`
	c.Advance(time.Hour)
	out, err := st.PutResourcePolicy(store.PutResourcePolicyInput{SecretId: "db", ResourcePolicy: doc, BlockPublicPolicy: true})
	if err != nil || out.ARN != arn || out.Name != "db" {
		t.Fatalf("PutResourcePolicy() = %+v, %v", out, err)
	}
	if got := policy("db"); got != doc {
		t.Errorf("policy = %q, want it as put", got)
	}
	if !changed().Equal(c.Now()) {
		t.Errorf("PutResourcePolicy left LastChangedDate at %v", changed())
	}
	c.Advance(time.Hour)
	if _, err := st.PutResourcePolicy(store.PutResourcePolicyInput{SecretId: "db", ResourcePolicy: doc}); err != nil {
		t.Fatal(err)
	}
	if changed().Equal(c.Now()) {
		t.Error("putting the same policy again moved LastChangedDate")
	}

	create(t, st, "gone", 1)
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "gone"}); err != nil {
		t.Fatal(err)
	}
	const malformed = "This resource policy contains a syntax error."
	for _, tt := range []struct {
		name string
		in   store.PutResourcePolicyInput
		code stagelabel.Code
		msg  string
	}{
		{"not JSON", store.PutResourcePolicyInput{SecretId: "db", ResourcePolicy: "{"}, stagelabel.ErrMalformedPolicyDocument, malformed},
		{"a list", store.PutResourcePolicyInput{SecretId: "db", ResourcePolicy: "[]"}, stagelabel.ErrMalformedPolicyDocument, malformed},
		{"null", store.PutResourcePolicyInput{SecretId: "db", ResourcePolicy: "null"}, stagelabel.ErrMalformedPolicyDocument, malformed},
		{"empty", store.PutResourcePolicyInput{SecretId: "db"}, stagelabel.ErrValidation,
			"1 validation error detected: Value '' at 'resourcePolicy' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"too long", store.PutResourcePolicyInput{SecretId: "db", ResourcePolicy: `{"a":"` + strings.Repeat("x", 20475) + `"}`}, stagelabel.ErrValidation,
			"1 validation error detected: Value '{\"a\":\"" + strings.Repeat("x", 20475) + "\"}' at 'resourcePolicy' failed to satisfy constraint: Member must have length less than or equal to 20480"},
		{"no such secret", store.PutResourcePolicyInput{SecretId: "nope", ResourcePolicy: doc}, stagelabel.ErrResourceNotFound, notFound},
		{"a secret marked for deletion", store.PutResourcePolicyInput{SecretId: "gone", ResourcePolicy: doc}, stagelabel.ErrInvalidRequest, marked},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.PutResourcePolicy(tt.in)
			check.Err(t, err, tt.code, tt.msg)
			if got := policy("db"); got != doc {
				t.Errorf("a failed PutResourcePolicy left the policy %q", got)
			}
		})
	}
	if got := policy("gone"); got != "" {
		t.Errorf("policy of a secret marked for deletion = %q, want none", got)
	}

	for range 2 { // removing no policy is no error
		if out, err := st.DeleteResourcePolicy(store.DeleteResourcePolicyInput{SecretId: arn}); err != nil || out.Name != "db" {
			t.Fatalf("DeleteResourcePolicy() = %+v, %v", out, err)
		}
	}
	if got := policy("db"); got != "" {
		t.Errorf("policy after DeleteResourcePolicy = %q", got)
	}
	_, err = st.DeleteResourcePolicy(store.DeleteResourcePolicyInput{SecretId: "gone"})
	check.Err(t, err, stagelabel.ErrInvalidRequest, marked)
	_, err = st.GetResourcePolicy(store.GetResourcePolicyInput{SecretId: "nope"})
	check.Err(t, err, stagelabel.ErrResourceNotFound, notFound)
}

func TestValidateResourcePolicy(t *testing.T) {
	const (
		syntax = "This resource policy contains a syntax error."
		broad  = "This resource policy grants broad access to your secret. Secrets Manager does not allow creating and applying such policies in the console."
		lock   = "Your requested changes will not allow you to manage this secret in the future."
	)
	failed := func(checks ...string) []store.ValidationErrorsEntry {
		out := []store.ValidationErrorsEntry{}
		for _, c := range checks {
			msg := map[string]string{store.CheckSyntax: syntax, store.CheckBroadAccess: broad, store.CheckLockout: lock}[c]
			out = append(out, store.ValidationErrorsEntry{CheckName: c, ErrorMessage: msg})
		}
		return out
	}
	// statement returns a policy of one statement with the given
	// elements, added to Effect Allow, a principal, an action and "*".
	statement := func(elements string) string {
		s := `"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"`
		if elements != "" {
			s = elements
		}
		return `{"Version":"2012-10-17","Statement":[{` + s + `}]}`
	}
	tests := []struct {
		name, policy string
		failed       []store.ValidationErrorsEntry
	}{
		// Passing policies.
		{"the API reference's example, line breaks and all",
			"{\n\"Version\":\"2012-10-17\",\n\"Statement\":[{\n\"Effect\":\"Allow\",\n\"Principal\":{\n\"AWS\":\"arn:aws:iam::123456789012:root\"\n},\n\"Action\":\"secretsmanager:GetSecretValue\",\n\"Resource\":\"*\"\n}]\n}",
			failed()},
		{"the user guide's acceptable policy",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/admin"},"Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:consolesecret-m4qxfJ"}]}`,
			failed()},
		{"the 2008 version, an Id, a Sid, one statement not in a list",
			`{"Version":"2008-10-17","Id":"p","Statement":{"Sid":"s","Effect":"Deny","Principal":{"Service":["a.amazonaws.com","b.amazonaws.com"]},"NotAction":["secretsmanager:Get*"],"NotResource":"arn:x"}}`,
			failed()},
		{"no Version", `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":["arn:aws:iam::1:root"]},"Action":"*","Resource":["*"]}]}`, failed()},
		{"any principal, under a condition", statement(`"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"n":[1,2]}}`),
			failed()},
		{"any principal denied one action", statement(`"Effect":"Deny","Principal":"*","Action":"secretsmanager:DeleteSecret","Resource":"*"`), failed()},
		// CheckSyntax.
		{"the user guide's syntax error: an unknown Effect", statement(`"Effect":"AllowSomething","Principal":"*","Action":"secretsmanager:*","Resource":"*"`), failed(store.CheckSyntax)},
		{"an element unknown at the top", `{"Version":"2012-10-17","Statement":[],"Extra":1}`, failed(store.CheckSyntax)},
		{"an unknown Version", strings.Replace(statement(""), "2012-10-17", "2012-10-18", 1), failed(store.CheckSyntax)},
		{"an Id not a string", `{"Id":1,` + statement("")[1:], failed(store.CheckSyntax)},
		{"no Statement", `{"Version":"2012-10-17"}`, failed(store.CheckSyntax)},
		{"no statements", `{"Version":"2012-10-17","Statement":[]}`, failed(store.CheckSyntax)},
		{"a statement not an object", `{"Statement":[` + statement("")[len(`{"Version":"2012-10-17","Statement":[`):len(statement(""))-2] + `,"s"]}`, failed(store.CheckSyntax)},
		{"Statement a string", `{"Statement":"s"}`, failed(store.CheckSyntax)},
		{"an element unknown in a statement", statement(`"Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Unknown":"*"`), failed(store.CheckSyntax)},
		{"no Effect", statement(`"Principal":"*","Action":"secretsmanager:*","Resource":"*"`), failed(store.CheckSyntax)},
		{"no principal", statement(`"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"`), failed(store.CheckSyntax)},
		{"Principal and NotPrincipal", statement(`"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"secretsmanager:*","Resource":"*"`), failed(store.CheckSyntax)},
		{"no action", statement(`"Effect":"Allow","Principal":{"AWS":"a"},"Resource":"*"`), failed(store.CheckSyntax)},
		{"Action and NotAction", statement(`"Effect":"Allow","Principal":{"AWS":"a"},"Action":"*","NotAction":"*","Resource":"*"`), failed(store.CheckSyntax)},
		{"no resource", statement(`"Effect":"Allow","Principal":{"AWS":"a"},"Action":"*"`), failed(store.CheckSyntax)},
		{"an action without its service", statement(`"Effect":"Allow","Principal":{"AWS":"a"},"Action":"GetSecretValue","Resource":"*"`), failed(store.CheckSyntax)},
		{"an action of a service with a space", statement(`"Effect":"Allow","Principal":{"AWS":"a"},"Action":"secrets manager:Get","Resource":"*"`), failed(store.CheckSyntax)},
		{"an empty list of actions", statement(`"Effect":"Allow","Principal":{"AWS":"a"},"Action":[],"Resource":"*"`), failed(store.CheckSyntax)},
		{"a resource not a string", statement(`"Effect":"Allow","Principal":{"AWS":"a"},"Action":"*","Resource":["*",1]`), failed(store.CheckSyntax)},
		{"an unknown kind of principal", statement(`"Effect":"Allow","Principal":{"User":"a"},"Action":"*","Resource":"*"`), failed(store.CheckSyntax)},
		{"an empty principal", statement(`"Effect":"Allow","Principal":{},"Action":"*","Resource":"*"`), failed(store.CheckSyntax)},
		{"a Condition not of operators", statement(`"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":"x"}`), failed(store.CheckSyntax)},
		{"a Condition value an object", statement(`"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{}}}`), failed(store.CheckSyntax)},
		{"a syntax error hides broad access", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Maybe"}]}`, failed(store.CheckSyntax)},
		// CheckBroadAccess and CheckLockout.
		{"the user guide's broad access", statement(`"Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Resource":"*"`), failed(store.CheckBroadAccess)},
		{"any AWS principal, among others", statement(`"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","*"]},"Action":"secretsmanager:GetSecretValue","Resource":"*"`), failed(store.CheckBroadAccess)},
		{"the user guide's lockout", statement(`"Effect":"Deny","Principal":"*","Action":"secretsmanager:*","Resource":"*"`), failed(store.CheckLockout)},
		{"every action denied to any AWS principal", statement(`"Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:GetObject","*"],"Resource":"*"`), failed(store.CheckLockout)},
		{"both, each once, broad access first",
			`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Resource":"*"}]}`,
			failed(store.CheckBroadAccess, store.CheckLockout)},
	}
	st, _ := newStore()
	arn := create(t, st, "db", 1).ARN
	before := st.Snapshot()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, id := range []string{"", "db", arn} {
				got, err := st.ValidateResourcePolicy(store.ValidateResourcePolicyInput{SecretId: id, ResourcePolicy: tt.policy})
				check.Err(t, err, "", "")
				want := store.ValidateResourcePolicyOutput{PolicyValidationPassed: len(tt.failed) == 0, ValidationErrors: tt.failed}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("ValidateResourcePolicy(%q, %s) mismatch (-want +got):\n%s", id, tt.policy, diff)
				}
			}
		})
	}
	if diff := cmp.Diff(before, st.Snapshot()); diff != "" {
		t.Errorf("ValidateResourcePolicy changed the store (-before +after):\n%s", diff)
	}

	create(t, st, "gone", 1)
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "gone"}); err != nil {
		t.Fatal(err)
	}
	good := statement("")
	for _, tt := range []struct {
		name string
		in   store.ValidateResourcePolicyInput
		code stagelabel.Code
		msg  string
	}{
		{"not JSON", store.ValidateResourcePolicyInput{ResourcePolicy: "{"}, stagelabel.ErrMalformedPolicyDocument, syntax},
		{"a list", store.ValidateResourcePolicyInput{ResourcePolicy: "[]"}, stagelabel.ErrMalformedPolicyDocument, syntax},
		{"null", store.ValidateResourcePolicyInput{SecretId: "db", ResourcePolicy: "null"}, stagelabel.ErrMalformedPolicyDocument, syntax},
		{"no policy", store.ValidateResourcePolicyInput{SecretId: "db"}, stagelabel.ErrValidation,
			"1 validation error detected: Value '' at 'resourcePolicy' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a policy too long", store.ValidateResourcePolicyInput{ResourcePolicy: `{"a":"` + strings.Repeat("x", 20475) + `"}`}, stagelabel.ErrValidation, ""},
		{"an invalid name [R]", store.ValidateResourcePolicyInput{SecretId: "Inv Name", ResourcePolicy: good}, stagelabel.ErrValidation, invalidName},
		{"no such secret", store.ValidateResourcePolicyInput{SecretId: "nope", ResourcePolicy: good}, stagelabel.ErrResourceNotFound, notFound},
		{"a secret marked for deletion", store.ValidateResourcePolicyInput{SecretId: "gone", ResourcePolicy: good}, stagelabel.ErrInvalidRequest, marked},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.ValidateResourcePolicy(tt.in)
			check.Err(t, err, tt.code, tt.msg)
		})
	}
	if out, err := st.GetResourcePolicy(store.GetResourcePolicyInput{SecretId: "db"}); err != nil || out.ResourcePolicy != "" {
		t.Errorf("GetResourcePolicy() after validating = %q, %v; want no policy attached", out.ResourcePolicy, err)
	}
}

// FuzzValidateResourcePolicy checks ValidateResourcePolicy on any text:
// it fails only for a length outside 1 to 20480 or a text that is not a
// JSON object; otherwise it passes exactly when it reports no check, each
// check at most once and a syntax error alone; and a policy that passes
// still passes once decoded and encoded again.
func FuzzValidateResourcePolicy(f *testing.F) {
	st, _ := newStore()
	for _, s := range []string{"", "{", "[]", "null", `{}`, `{"Statement":[]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`,
		`{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"k":true}}}}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":["secretsmanager:*"],"NotResource":"*"}]}`,
	} {
		f.Add(s)
	}
	checks := []string{store.CheckSyntax, store.CheckBroadAccess, store.CheckLockout}
	f.Fuzz(func(t *testing.T, policy string) {
		out, err := st.ValidateResourcePolicy(store.ValidateResourcePolicyInput{ResourcePolicy: policy})
		var doc map[string]any
		object := json.Unmarshal([]byte(policy), &doc) == nil && doc != nil
		n := utf8.RuneCountInString(policy)
		switch {
		case n < 1 || n > store.MaxPolicyLen:
			check.Err(t, err, stagelabel.ErrValidation, "")
			return
		case !object:
			check.Err(t, err, stagelabel.ErrMalformedPolicyDocument, "This resource policy contains a syntax error.")
			return
		case err != nil:
			t.Fatalf("ValidateResourcePolicy(%q): %v", policy, err)
		}
		if out.ValidationErrors == nil || out.PolicyValidationPassed != (len(out.ValidationErrors) == 0) {
			t.Fatalf("ValidateResourcePolicy(%q) = %+v", policy, out)
		}
		seen := map[string]bool{}
		for _, e := range out.ValidationErrors {
			if !slices.Contains(checks, e.CheckName) || seen[e.CheckName] || e.ErrorMessage == "" {
				t.Fatalf("ValidateResourcePolicy(%q) = %+v", policy, out)
			}
			seen[e.CheckName] = true
		}
		if seen[store.CheckSyntax] && len(seen) > 1 {
			t.Fatalf("ValidateResourcePolicy(%q) = %+v: a syntax error and more", policy, out)
		}
		if out.PolicyValidationPassed {
			again, _ := json.Marshal(doc)
			if out, err := st.ValidateResourcePolicy(store.ValidateResourcePolicyInput{ResourcePolicy: string(again)}); err != nil || !out.PolicyValidationPassed {
				t.Fatalf("ValidateResourcePolicy(%q) passes, but not encoded again as %s: %+v, %v", policy, again, out, err)
			}
		}
	})
}
