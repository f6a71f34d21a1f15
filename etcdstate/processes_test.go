package etcdstate_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/etcdstate"
	"github.com/stagelabel/stagelabel/store"
)

const home = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"

var t0 = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

func open(t testing.TB, endpoint, prefix string, opts ...etcdstate.Option) *etcdstate.DB {
	t.Helper()
	db, err := etcdstate.Open(ctx(t), client(t, endpoint), prefix, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// current returns the secret called name in db, and its revision; 0 when
// there is none.
func current(t testing.TB, db *etcdstate.DB, name string) (store.SecretSnapshot, store.Revision) {
	var got store.SecretSnapshot
	var rev store.Revision
	err := db.Load(func(s store.SecretSnapshot, r store.Revision) error {
		if s.Name == name {
			got, rev = s, r
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	return got, rev
}

func secret(name, description string, versions ...string) store.SecretSnapshot {
	s := store.SecretSnapshot{Name: name, ARN: home + name + "-abcdef", Description: description,
		Created: t0, LastChanged: t0, Labels: map[string]string{}}
	for _, id := range versions {
		value := "value of " + id
		s.Versions = append(s.Versions, store.VersionSnapshot{VersionId: id, SecretString: &value, Created: t0})
	}
	return s
}

// TestTwoProcesses has writers on two DBs, each with its own client (two
// processes), change one secret concurrently, each reading it, counting
// one more in its description and adding a version, and retrying when
// refused: no change is lost (the count is the number of changes
// accepted), every version is kept in the order of the revisions that
// added it, and no two changes share a revision.
func TestTwoProcesses(t *testing.T) {
	t.Parallel()
	endpoint := startEtcd(t)
	const prefix = "two/"
	dbs := []*etcdstate.DB{open(t, endpoint, prefix), open(t, endpoint, prefix)}
	if _, err := dbs[0].Commit(store.Change{Secret: secret("db", "0", "v0")}); err != nil {
		t.Fatal(err)
	}

	const writers, changes = 8, 8
	type accepted struct {
		rev store.Revision
		id  string
	}
	var (
		mu        sync.Mutex
		done      []accepted
		conflicts int
		wg        sync.WaitGroup
	)
	for w := range writers {
		db := dbs[w%2]
		wg.Go(func() {
			for i := range changes {
				id := fmt.Sprintf("w%d-%d", w, i)
				for {
					s, prev := current(t, db, "db")
					n, err := strconv.Atoi(s.Description)
					if err != nil {
						t.Errorf("description %q: %v", s.Description, err)
						return
					}
					rev, err := db.Commit(store.Change{Prev: prev, Secret: secret("db", strconv.Itoa(n+1), id)})
					if errors.Is(err, store.ErrConflict) {
						mu.Lock()
						conflicts++
						mu.Unlock()
						continue
					}
					if err != nil {
						t.Errorf("%s: %v", id, err)
						return
					}
					mu.Lock()
					done = append(done, accepted{rev, id})
					mu.Unlock()
					break
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d changes accepted, %d refused", len(done), conflicts)

	slices.SortFunc(done, func(a, b accepted) int { return int(a.rev) - int(b.rev) })
	want := []string{"v0"}
	for i, a := range done {
		if i > 0 && a.rev == done[i-1].rev {
			t.Errorf("%s and %s both have revision %d", done[i-1].id, a.id, a.rev)
		}
		want = append(want, a.id)
	}
	s, rev := current(t, open(t, endpoint, prefix), "db")
	if s.Description != strconv.Itoa(writers*changes) || rev != done[len(done)-1].rev {
		t.Errorf("after %d changes: description %q, revision %d; want %d, %d", writers*changes, s.Description, rev, writers*changes, done[len(done)-1].rev)
	}
	var got []string
	for _, v := range s.Versions {
		got = append(got, v.VersionId)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("versions mismatch (-want +got):\n%s", diff)
	}
}

// TestTwoStores has two stores, each on its own DB and client, answer
// PutSecretValue on one secret concurrently: a store whose secret another
// changed first learns the change and makes its own again from it, so
// every put is acknowledged, and each store, and a store opened
// afterwards, holds exactly the versions acknowledged.
func TestTwoStores(t *testing.T) {
	t.Parallel()
	endpoint := startEtcd(t)
	const prefix = "stores/"
	a, err := store.Open(open(t, endpoint, prefix))
	if err != nil {
		t.Fatal(err)
	}
	value := "first"
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: "00000000-0000-4000-8000-000000000000", SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	b, err := store.Open(open(t, endpoint, prefix))
	if err != nil {
		t.Fatal(err)
	}

	const puts = 20
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	for w, st := range []*store.Store{a, b} {
		wg.Go(func() {
			for i := range puts {
				token := fmt.Sprintf("%08d-0000-4000-8000-%012d", w+1, i)
				out, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: token, SecretString: &token})
				if err != nil {
					t.Errorf("PutSecretValue(%s): %v", token, err)
					continue
				}
				mu.Lock()
				acked = append(acked, out.VersionId)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(acked)

	c, err := store.Open(open(t, endpoint, prefix))
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*store.Store{"a": a, "b": b, "opened afterwards": c} {
		out, err := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db", IncludeDeprecated: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range out.Versions {
			if v.VersionId != "00000000-0000-4000-8000-000000000000" { // CreateSecret's
				got = append(got, v.VersionId)
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff(acked, got); diff != "" {
			t.Errorf("versions of store %s mismatch with those acknowledged (-want +got):\n%s", name, diff)
		}
	}
}
