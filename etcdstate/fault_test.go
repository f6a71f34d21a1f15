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

// TestUnknownOutcome checks that after a commit whose outcome is unknown
// (etcd stopped: the request fails or times out) the DB refuses every
// commit, even once etcd is back, and a DB opened again reads what etcd
// holds and commits.
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
	// The read before the write failed: nothing was sent, nothing unknown.
	if _, err := db.Commit(store.Change{Secret: secret("other", "")}); !errors.Is(err, etcdstate.ErrUnknownOutcome) {
		t.Fatalf("Commit of a new secret with etcd stopped = %v; want ErrUnknownOutcome", err)
	}
	m.start(t)
	if _, err := db.Commit(store.Change{Prev: rev, Secret: secret("db", "3", "v3")}); !errors.Is(err, etcdstate.ErrUnknownOutcome) {
		t.Fatalf("Commit after an unknown outcome = %v; want ErrUnknownOutcome", err)
	}
	again := open(t, m.endpoint, "unknown/")
	s, now := current(t, again, "db")
	if now != rev || s.Description != "1" {
		t.Fatalf("after restart: revision %d, description %q; want %d, \"1\"", now, s.Description, rev)
	}
	if _, err := again.Commit(store.Change{Prev: rev, Secret: secret("db", "4", "v4")}); err != nil {
		t.Errorf("Commit on the DB opened again: %v", err)
	}
}
