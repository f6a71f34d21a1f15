package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// twoStores returns two stores on one storetest.Shared, as two processes
// on one cluster, on clk.
func twoStores(t *testing.T, clk *clock) (a, b *store.Store) {
	t.Helper()
	var shared storetest.Shared
	a, err := store.Open(shared.Open(), store.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	if b, err = store.Open(shared.Open(), store.WithClock(clk.Now)); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// TestFollow checks that each of two stores on one shared backend answers
// at once what the other did (docs/semantics.md §ST8): a creation, a put,
// a label move, a deletion and a removal made by one are read by the
// other, and a change the other makes from what it held before is made
// again from the new state, not refused.
func TestFollow(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	a, b := twoStores(t, clk)
	value := "v0"
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(0), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if got, err := b.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil || *got.SecretString != "v0" {
		t.Fatalf("GetSecretValue on the other store = %v, %v; want v0", got, err)
	}
	_, err := b.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(9), SecretString: &value})
	if !errors.Is(err, stagelabel.ErrResourceExists) {
		t.Errorf("CreateSecret of a name the other store created = %v; want ResourceExistsException", err)
	}

	// a's put, then b's put made from the state before a's: both stand.
	one, two := "v1", "v2"
	if _, err := a.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(1), SecretString: &one}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(2), SecretString: &two}); err != nil {
		t.Fatalf("PutSecretValue on the other store after a put: %v", err)
	}
	if _, err := a.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "X", MoveToVersionId: tok(0)}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{tok(0): {"X"}, tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSCURRENT"}}
	for name, st := range map[string]*store.Store{"a": a, "b": b} {
		got, err := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db"})
		if err != nil {
			t.Fatal(err)
		}
		stages := map[string][]string{}
		for _, v := range got.Versions {
			stages[v.VersionId] = v.VersionStages
		}
		if diff := cmp.Diff(want, stages); diff != "" {
			t.Errorf("ListSecretVersionIds on %s mismatch (-want +got):\n%s", name, diff)
		}
	}

	// a schedules the deletion: b finds it marked, restores it, a reads it.
	if _, err := a.DeleteSecret(store.DeleteSecretInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); !errors.Is(err, stagelabel.ErrInvalidRequest) {
		t.Errorf("GetSecretValue on the other store of a secret marked for deletion = %v; want InvalidRequestException", err)
	}
	if _, err := b.RestoreSecret(store.RestoreSecretInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil {
		t.Errorf("GetSecretValue of a secret the other store restored: %v", err)
	}

	// b removes it for good; a neither finds nor lists it, and creates it again.
	force := true
	if _, err := b.DeleteSecret(store.DeleteSecretInput{SecretId: "db", ForceDeleteWithoutRecovery: force}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !errors.Is(err, stagelabel.ErrResourceNotFound) {
		t.Errorf("DescribeSecret of a secret the other store removed = %v; want ResourceNotFoundException", err)
	}
	if l, err := a.ListSecrets(store.ListSecretsInput{IncludePlannedDeletion: true}); err != nil || len(l.SecretList) != 0 {
		t.Errorf("ListSecrets after the other store removed the secret = %d secrets, %v; want none", len(l.SecretList), err)
	}
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(3), SecretString: &value}); err != nil {
		t.Fatalf("CreateSecret again of a name the other store removed: %v", err)
	}
	if got, err := b.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); err != nil || len(got.VersionIdsToStages) != 1 {
		t.Errorf("DescribeSecret on the other store of the secret created again = %v, %v; want one version", got, err)
	}
}

// TestFollowExpiry checks that a secret whose recovery window is over,
// purged by one store, is not found by the other, which would purge it
// too, and that the other's attempt to purge it is not an error.
func TestFollowExpiry(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	a, b := twoStores(t, clk)
	value := "v0"
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(0), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteSecret(store.DeleteSecretInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(31 * 24 * time.Hour)
	for name, st := range map[string]*store.Store{"a": a, "b": b, "a again": a} {
		if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !errors.Is(err, stagelabel.ErrResourceNotFound) {
			t.Errorf("DescribeSecret on %s after the recovery window = %v; want ResourceNotFoundException", name, err)
		}
	}
	if _, err := b.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), SecretString: &value}); err != nil {
		t.Errorf("CreateSecret after the recovery window: %v", err)
	}
}

// TestFollowReplicas checks replication across two stores on one shared
// backend: a replica one store made is read in the other, and a put
// through the other reaches the replica both read.
func TestFollowReplicas(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	a, b := twoStores(t, clk)
	value := "v0"
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(0), SecretString: &value,
		AddReplicaRegions: []store.ReplicaRegionType{{Region: "eu-west-1"}}}); err != nil {
		t.Fatal(err)
	}
	one := "v1"
	if _, err := b.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(1), SecretString: &one}); err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*store.Store{"a": a, "b": b} {
		replicas, err := st.In(store.Namespace{Account: "123456789012", Region: "eu-west-1"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := replicas.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
		if err != nil || got.VersionId != tok(1) {
			t.Errorf("GetSecretValue of the replica on %s = %v, %v; want version %s", name, got.VersionId, err, tok(1))
		}
	}
}

// TestLocalReads checks WithLocalReads: a store answers a read from what
// it holds, which may be older than another store's change (with
// storetest.Shared, until the store syncs for a change of its own), and
// still makes its changes from the current state.
func TestLocalReads(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	var shared storetest.Shared
	a, err := store.Open(shared.Open(), store.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Open(shared.Open(), store.WithClock(clk.Now), store.WithLocalReads())
	if err != nil {
		t.Fatal(err)
	}
	value := "v0"
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(0), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !errors.Is(err, stagelabel.ErrResourceNotFound) {
		t.Errorf("DescribeSecret with local reads before any sync = %v; want the stale ResourceNotFoundException", err)
	}
	if _, err := b.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(1), SecretString: &value}); err != nil {
		t.Fatalf("PutSecretValue with local reads: %v", err)
	}
	if got, err := a.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil || got.VersionId != tok(1) {
		t.Errorf("GetSecretValue on the other store = %v, %v; want %s", got.VersionId, err, tok(1))
	}
	if _, err := a.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(2), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	// b's read records the day it read tok(2), a change, made from the
	// current state; its DescribeSecret after a's next put is local, and
	// stale.
	if got, err := b.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil || got.VersionId != tok(2) {
		t.Errorf("GetSecretValue with local reads, recording the day = %v, %v; want %s", got.VersionId, err, tok(2))
	}
	if _, err := a.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(3), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, b, "db"); len(got[tok(2)]) != 1 || got[tok(2)][0] != "AWSCURRENT" {
		t.Errorf("DescribeSecret with local reads after the other's put = %v; want the stale state, %s current", got, tok(2))
	}
}

// versions returns the labels of each version of secret name in st, by
// version id, failing the test on an error.
func versions(t *testing.T, st *store.Store, name string) map[string][]string {
	t.Helper()
	d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: name})
	if err != nil {
		t.Fatalf("DescribeSecret(%s): %v", name, err)
	}
	return d.VersionIdsToStages
}

// TestFollowOtherAccountARN checks that a store finds, by its full ARN, a
// secret another store just created in an account (namespace) this store
// has never seen: the namespace of an ARN of another account is resolved
// only after the store has synced (docs/semantics.md §ST8, §N11).
func TestFollowOtherAccountARN(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	a, b := twoStores(t, clk)
	other, err := a.In(store.Namespace{Account: "210987654321", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	value := "v0"
	out, err := other.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(0), SecretString: &value})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.GetSecretValue(store.GetSecretValueInput{SecretId: out.ARN}); err != nil || *got.SecretString != "v0" {
		t.Errorf("GetSecretValue(%s) on the other store = %v, %v; want v0", out.ARN, got, err)
	}
	if _, err := b.DescribeSecret(store.DescribeSecretInput{SecretId: out.ARN}); err != nil {
		t.Errorf("DescribeSecret(%s) on the other store: %v", out.ARN, err)
	}
}

// dueOnTwo returns two stores following one backend, with manual
// rotation, and their clock: a secret "db" rotated daily, which b has
// read, whose rotation fell due and a has started (RunDue).
func dueOnTwo(t *testing.T) (a, b *store.Store, clk *clock) {
	t.Helper()
	clk = &clock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	var shared storetest.Shared
	open := func() *store.Store {
		st, err := store.Open(shared.Open(), store.WithClock(clk.Now), store.WithManualRotation())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	a, b = open(), open()
	value := "v0"
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(0), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RotateSecret(store.RotateSecretInput{SecretId: "db", RotationLambdaARN: fn, RotateImmediately: ptr(false),
		RotationRules: &store.RotationRules{ScheduleExpression: "rate(1 day)"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(49 * time.Hour)
	if got := a.RunDue(); len(got) != 1 {
		t.Fatalf("RunDue() on a = %v; want the secret", got)
	}
	return a, b, clk
}

// TestFollowRunDue checks that a rotation that fell due is started once
// in its window by the stores on one backend, as by one store: a store
// whose copy of the secret predates the other's rotation does not rotate
// the secret again (docs/semantics.md §ST8, §RT19).
func TestFollowRunDue(t *testing.T) {
	a, b, clk := dueOnTwo(t)
	pending := ""
	for id, ls := range versions(t, a, "db") {
		if slices.Contains(ls, "AWSPENDING") {
			pending = id
		}
	}
	if _, err := a.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSCURRENT", RemoveFromVersionId: tok(0), MoveToVersionId: pending}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if got := b.RunDue(); len(got) != 0 {
		t.Errorf("RunDue() on b after a's rotation of this window = %v; want nothing due", got)
	}
	if got := versions(t, a, "db"); len(got) != 2 {
		t.Errorf("versions after the window's rotation = %v; want 2 (AWSPREVIOUS and AWSCURRENT)", got)
	}
}

// TestFollowRunDueRunning checks that a store does not start again, in
// the same window, the due rotation another store started and has not
// finished: one store would not (§RT19), and with an invoker both would
// run the rotation's steps at once.
func TestFollowRunDueRunning(t *testing.T) {
	a, b, clk := dueOnTwo(t)
	clk.Advance(time.Minute)
	if got := a.RunDue(); len(got) != 0 {
		t.Fatalf("RunDue() on a again = %v; want nothing due", got)
	}
	if got := b.RunDue(); len(got) != 0 {
		t.Errorf("RunDue() on b while a's rotation of this window is unfinished = %v; want nothing due", got)
	}
}
