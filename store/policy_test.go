package store_test

import (
	"strings"
	"testing"
	"time"

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
