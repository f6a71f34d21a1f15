package etcdstate_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/etcdstate"
	"github.com/stagelabel/stagelabel/store"
)

// TestRefused checks that a transaction etcd refuses (more operations
// than its --max-txn-ops, 128 by default) makes nothing and leaves the DB
// working.
func TestRefused(t *testing.T) {
	t.Parallel()
	endpoint := startEtcd(t)
	db := open(t, endpoint, "refused/")
	var ids []string
	for i := range 200 {
		ids = append(ids, fmt.Sprint("v", i))
	}
	_, err := db.Commit(store.Change{Secret: secret("big", "", ids...)})
	if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, etcdstate.ErrUnknownOutcome) {
		t.Fatalf("Commit of 201 keys = %v; want etcd's refusal", err)
	}
	if _, rev := current(t, db, "big"); rev != 0 {
		t.Errorf("refused secret stored at revision %d", rev)
	}
	if _, err := db.Commit(store.Change{Secret: secret("big", "", "v0")}); err != nil {
		t.Errorf("Commit after a refusal: %v", err)
	}
}

// TestUnknownOutcome checks that a commit whose outcome is unknown (etcd
// stopped: the request fails or times out) is an error wrapping
// ErrUnknownOutcome, that it does not stop the DB from committing once
// etcd is back, each commit compared with the revision etcd holds, and
// that what etcd holds is read back.
func TestUnknownOutcome(t *testing.T) {
	t.Parallel()
	m := startMember(t)
	db := open(t, m.endpoint, "unknown/", etcdstate.WithTimeout(500*time.Millisecond))
	rev, err := db.Commit(store.Change{Secret: secret("db", "1", "v1")})
	if err != nil {
		t.Fatal(err)
	}
	m.stop()
	if _, err := db.Commit(store.Change{Prev: rev, Secret: secret("db", "2", "v2")}); err == nil {
		t.Fatal("Commit with etcd stopped succeeded")
	}
	if _, err := db.Commit(store.Change{Secret: secret("other", "")}); !errors.Is(err, etcdstate.ErrUnknownOutcome) {
		t.Fatalf("Commit of a new secret with etcd stopped = %v; want ErrUnknownOutcome", err)
	}
	m.start(t)
	for deadline := time.Now().Add(10 * time.Second); ; { // until the client is connected again
		err := db.Load(func(store.SecretSnapshot, store.Revision) error { return nil })
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Load once etcd is back: %v", err)
		}
	}
	if _, err := db.Commit(store.Change{Prev: rev + 1000, Secret: secret("db", "3", "v3")}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Commit from a revision etcd does not hold, once etcd is back = %v; want ErrConflict", err)
	}
	s, now := current(t, db, "db")
	if now != rev || s.Description != "1" {
		t.Fatalf("after restart: revision %d, description %q; want %d, \"1\"", now, s.Description, rev)
	}
	if _, err := db.Commit(store.Change{Prev: rev, Secret: secret("db", "4", "v4")}); err != nil {
		t.Errorf("Commit once etcd is back: %v", err)
	}
}
