package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
)

func TestUpdateSecret(t *testing.T) {
	c := &clock{now: t0}
	var events []store.Event
	st := store.New(store.WithClock(c.Now), store.WithObserver(func(e store.Event) { events = append(events, e) }))
	arn := create(t, st, "db", 1).ARN
	put(t, st, "db", 2, "AWSPENDING")
	describe := func() store.DescribeSecretOutput {
		t.Helper()
		d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	update := func(in store.UpdateSecretInput) store.UpdateSecretOutput {
		t.Helper()
		in.SecretId = "db"
		out, err := st.UpdateSecret(in)
		if err != nil {
			t.Fatalf("UpdateSecret(%v): %v", in, err)
		}
		return out
	}

	// The description alone: no version, labels as they were.
	c.Advance(time.Hour)
	out := update(store.UpdateSecretInput{ClientRequestToken: tok(3), Description: ptr("main database")})
	if diff := cmp.Diff(store.UpdateSecretOutput{ARN: arn, Name: "db"}, out); diff != "" {
		t.Errorf("UpdateSecret(description) mismatch (-want +got):\n%s", diff)
	}
	d := describe()
	labels := map[string][]string{tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING"}}
	if d.Description != "main database" || !d.LastChangedDate.Equal(c.Now()) || !cmp.Equal(d.VersionIdsToStages, labels) {
		t.Errorf("after UpdateSecret(description): %q, changed %v, %v", d.Description, d.LastChangedDate, d.VersionIdsToStages)
	}

	// A value, and a description: a new version carrying AWSCURRENT, the
	// old current AWSPREVIOUS, AWSPENDING where it was [3.2].
	c.Advance(time.Hour)
	out = update(store.UpdateSecretInput{ClientRequestToken: tok(3), Description: ptr(""), SecretString: ptr("three")})
	if diff := cmp.Diff(store.UpdateSecretOutput{ARN: arn, Name: "db", VersionId: tok(3)}, out); diff != "" {
		t.Errorf("UpdateSecret(value) mismatch (-want +got):\n%s", diff)
	}
	d = describe()
	labels = map[string][]string{tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSPENDING"}, tok(3): {"AWSCURRENT"}}
	if d.Description != "" || !d.LastChangedDate.Equal(c.Now()) || !cmp.Equal(d.VersionIdsToStages, labels) {
		t.Errorf("after UpdateSecret(value): %q, changed %v, %v", d.Description, d.LastChangedDate, d.VersionIdsToStages)
	}
	if v, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil || *v.SecretString != "three" || v.VersionId != tok(3) {
		t.Errorf("GetSecretValue() after UpdateSecret = %v, %v", v, err)
	}

	// The same token and value, the same description: a no-op [3.6].
	changed, seen := d.LastChangedDate.Time, len(events)
	c.Advance(time.Hour)
	if again := update(store.UpdateSecretInput{ClientRequestToken: tok(3), Description: ptr(""), SecretString: ptr("three")}); again.VersionId != tok(3) {
		t.Errorf("idempotent UpdateSecret() = %+v", again)
	}
	if d := describe(); !d.LastChangedDate.Equal(changed) || len(events) != seen {
		t.Errorf("an idempotent UpdateSecret changed the secret: changed %v, %d events", d.LastChangedDate, len(events)-seen)
	}
	// A new description with a value already held: the event names no
	// version, for the call made none.
	c.Advance(time.Hour)
	update(store.UpdateSecretInput{ClientRequestToken: tok(3), Description: ptr("again"), SecretString: ptr("three")})
	if e := events[len(events)-1]; e.Op != "UpdateSecret" || e.VersionID != "" || len(e.Moves) != 0 {
		t.Errorf("event of a description change = %+v, want UpdateSecret without version or moves", e)
	}
	wantOps := []string{"CreateSecret", "PutSecretValue", "UpdateSecret", "UpdateSecret", "UpdateSecret"}
	var ops []string
	for _, e := range events {
		ops = append(ops, e.Op)
	}
	if !cmp.Equal(ops, wantOps) || string(events[3].VersionID) != tok(3) || len(events[3].Moves) != 2 {
		t.Errorf("events = %+v, want ops %v, the last with version %s and two moves", events, wantOps, tok(3))
	}

	create(t, st, "gone", 1)
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "gone"}); err != nil {
		t.Fatal(err)
	}
	errs := []struct {
		name string
		in   store.UpdateSecretInput
		code stagelabel.Code
		msg  string
	}{
		{"no token", store.UpdateSecretInput{SecretId: "db", Description: ptr("x")},
			stagelabel.ErrInvalidRequest, "You must provide a ClientRequestToken value. We recommend a UUID-type value."},
		{"a short token", store.UpdateSecretInput{SecretId: "db", ClientRequestToken: "short", Description: ptr("x")},
			stagelabel.ErrValidation, "1 validation error detected: Value 'short' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32"},
		{"both values", store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(4), SecretString: ptr("x"), SecretBinary: []byte("x")},
			stagelabel.ErrInvalidParameter, "You can't specify both a binary secret value and a string secret value in the same secret."},
		{"a token reused for another value", store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(3), Description: ptr("x"), SecretString: ptr("other")},
			stagelabel.ErrResourceExists, "You can't use ClientRequestToken " + tok(3) + " because that value is already in use for a version of secret " + arn + "."},
		{"a description too long", store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(4), Description: ptr(strings.Repeat("d", 2049)), SecretString: ptr("x")},
			stagelabel.ErrValidation, "1 validation error detected: Value '" + strings.Repeat("d", 2049) + "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"a value too long", store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(4), SecretBinary: make([]byte, 65537)},
			stagelabel.ErrValidation, "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint: Member must have length less than or equal to 65536"},
		{"no such secret", store.UpdateSecretInput{SecretId: "nope", ClientRequestToken: tok(4), SecretString: ptr("x")},
			stagelabel.ErrResourceNotFound, notFound},
		{"a secret marked for deletion", store.UpdateSecretInput{SecretId: "gone", ClientRequestToken: tok(4), Description: ptr("x")},
			stagelabel.ErrInvalidRequest, marked},
	}
	before := describe()
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.UpdateSecret(tt.in)
			check.Err(t, err, tt.code, tt.msg)
			if diff := cmp.Diff(before, describe()); diff != "" {
				t.Errorf("a failed UpdateSecret changed the secret (-want +got):\n%s", diff)
			}
		})
	}
}
