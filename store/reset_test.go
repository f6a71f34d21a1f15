package store_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// TestReset holds that Reset empties every namespace, scheduled secrets
// and replicas included, commits each removal to the backend, reports
// each to the observer, and leaves every name free.
func TestReset(t *testing.T) {
	var b storetest.Memory
	var mu sync.Mutex
	var events []string
	c := &clock{now: t0}
	st, err := store.Open(&b, store.WithClock(c.Now), store.WithObserver(func(e store.Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Op == "Reset" {
			events = append(events, e.Name)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	west := in(t, st, store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	create(t, st, "db", 1)
	create(t, st, "primary", 2)
	if _, err := st.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: "primary", AddReplicaRegions: []store.ReplicaRegionType{{Region: "eu-west-1"}}}); err != nil {
		t.Fatal(err)
	}
	create(t, west, "db", 3)
	create(t, st, "scheduled", 4)
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "scheduled"}); err != nil { // 30 days
		t.Fatal(err)
	}
	create(t, st, "expired", 5)
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "expired", RecoveryWindowInDays: ptr(int64(7))}); err != nil {
		t.Fatal(err)
	}
	c.Advance(3 * 24 * time.Hour)
	create(t, st, "later", 6) // its window ends 3 days after "expired"'s
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "later", RecoveryWindowInDays: ptr(int64(7))}); err != nil {
		t.Fatal(err)
	}
	c.Advance(5 * 24 * time.Hour) // "expired" is now past its window, not "scheduled" nor "later"
	if got, want := []int{st.Len(), west.Len()}, []int{4, 2}; !slices.Equal(got, want) {
		t.Errorf("Len() of us-east-1, eu-west-1 = %v, want %v", got, want)
	}

	removed, err := st.Reset()
	if err != nil || removed != 6 {
		t.Errorf("Reset() = %d, %v; want 6 (db twice, primary, its replica, scheduled, later)", removed, err)
	}
	mu.Lock()
	slices.Sort(events)
	if diff := cmp.Diff([]string{"db", "db", "later", "primary", "primary", "scheduled"}, events); diff != "" {
		t.Errorf("Reset events mismatch (-want +got):\n%s", diff)
	}
	mu.Unlock()
	if n := len(st.Snapshot().Secrets); n != 0 {
		t.Errorf("Snapshot() after Reset() holds %d secrets", n)
	}
	if got, want := st.Namespaces(), []store.Namespace{{Account: "123456789012", Region: "eu-west-1"}, {Account: "123456789012", Region: "us-east-1"}}; !slices.Equal(got, want) {
		t.Errorf("Namespaces() = %v, want %v", got, want)
	}
	for _, ns := range []*store.Store{st, west} {
		if ns.Len() != 0 {
			t.Errorf("Len() of %v after Reset() = %d", ns.Namespace(), ns.Len())
		}
		_, err := ns.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
		check.Err(t, err, stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret.")
	}
	// Every name is free again, the scheduled one's too.
	create(t, st, "scheduled", 7)
	create(t, west, "primary", 8)

	// The backend holds what the store holds.
	reopened, err := store.Open(&b, store.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range reopened.Snapshot().Secrets {
		names = append(names, s.Key())
	}
	want := []string{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:primary", "arn:aws:secretsmanager:us-east-1:123456789012:secret:scheduled"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("the backend after Reset() mismatch (-want +got):\n%s", diff)
	}
}

// TestResetBackendFails holds that Reset stops at the first removal the
// backend refuses, returning its error and the number removed.
func TestResetBackendFails(t *testing.T) {
	b := &storetest.Faulty{Backend: &storetest.Memory{}}
	st, err := store.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	create(t, st, "a", 1)
	create(t, st, "b", 2)
	b.Fail(true)
	removed, err := st.Reset()
	if removed != 0 || !errors.Is(err, storetest.ErrInjected) || !errors.Is(err, stagelabel.ErrInternalService) {
		t.Errorf("Reset() on a failing backend = %d, %v; want 0 and the injected failure", removed, err)
	}
	if st.Len() != 2 {
		t.Errorf("Len() after a failed Reset() = %d, want 2", st.Len())
	}
	b.Fail(false)
	if removed, err := st.Reset(); removed != 2 || err != nil {
		t.Errorf("Reset() = %d, %v; want 2", removed, err)
	}
}

// TestResetConcurrent runs Reset beside writers: each secret is either
// removed or left whole, and a Reset with no writer leaves none (run with
// -race).
func TestResetConcurrent(t *testing.T) {
	st, err := store.Open(&storetest.Memory{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				name := fmt.Sprintf("w%d-%d", w, i)
				if _, err := st.CreateSecret(store.CreateSecretInput{Name: name, ClientRequestToken: tok(i + 1), SecretString: ptr("v")}); err != nil {
					t.Errorf("CreateSecret(%s): %v", name, err)
					return
				}
				// The secret may be reset before this: then not found, else labelled.
				_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: name, ClientRequestToken: tok(i + 1000), SecretString: ptr("w")})
				if err != nil && !errors.Is(err, stagelabel.ErrResourceNotFound) {
					t.Errorf("PutSecretValue(%s): %v", name, err)
				}
			}
		})
	}
	for range 20 {
		if _, err := st.Reset(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for _, s := range st.Snapshot().Secrets {
		if s.Labels["AWSCURRENT"] == "" {
			t.Errorf("secret %s left without AWSCURRENT", s.Name)
		}
	}
	if _, err := st.Reset(); err != nil || st.Len() != 0 {
		t.Errorf("Reset() = %v, and Len() = %d; want none left", err, st.Len())
	}
}
