package boltstate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	bolt "go.etcd.io/bbolt"

	"github.com/stagelabel/stagelabel/store"
)

var t0 = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

// secret returns a secret called name with versions holding values, as a
// change carries it; the last version is AWSCURRENT.
// here begins the keys of the secrets secret makes (see secretKey): the
// number of their namespace, the first a database gives.
const here = "\x01"

func secret(name string, values ...string) store.SecretSnapshot {
	s := store.SecretSnapshot{Name: name, ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-abcdef", Created: t0, LastChanged: t0, Labels: map[string]string{}}
	for i, value := range values {
		id := fmt.Sprintf("%s-v%d", name, i)
		s.Versions = append(s.Versions, store.VersionSnapshot{VersionId: id, SecretString: &value, Created: t0})
		s.Labels["AWSCURRENT"] = id
	}
	return s
}

func newDB(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secrets.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func reopen(t *testing.T, db *DB, path string) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustCommit(t *testing.T, db *DB, c store.Change) store.Revision {
	t.Helper()
	rev, err := db.Commit(c)
	if err != nil {
		t.Fatalf("Commit(%s, prev %d) = %v", c.Secret.Name, c.Prev, err)
	}
	return rev
}

// loadAll returns what db yields, by name, each revision in its description.
func loadAll(t *testing.T, db *DB) map[string]store.SecretSnapshot {
	t.Helper()
	out := map[string]store.SecretSnapshot{}
	err := db.Load(func(s store.SecretSnapshot, rev store.Revision) error {
		s.Description += fmt.Sprintf(" @%d", rev) // the revision, compared along
		out[s.Name] = s
		return nil
	})
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	return out
}

// holdWrites begins a write transaction of db's bbolt database, so that the
// next leader waits for it; the function returned ends it.
func holdWrites(t *testing.T, db *DB) func() {
	t.Helper()
	tx, err := db.bolt.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	return func() { tx.Rollback() }
}

// waitFor waits until db's queue holds n changes (its leader having taken
// the ones before).
func waitFor(t *testing.T, db *DB, n int, leading bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		db.mu.Lock()
		queued, busy := len(db.queue), db.busy
		db.mu.Unlock()
		if queued == n && busy == leading {
			return
		}
	}
	t.Fatalf("the queue never held %d changes", n)
}

type result struct {
	rev store.Revision
	err error
}

// commitAsync commits c on another goroutine and returns where its result
// arrives.
func commitAsync(db *DB, c store.Change) <-chan result {
	out := make(chan result, 1)
	go func() {
		rev, err := db.Commit(c)
		out <- result{rev, err}
	}()
	return out
}

// TestGroupCommit checks that changes queued while a transaction runs go
// into the next one together, each checked on its own: a conflict is
// refused alone.
func TestGroupCommit(t *testing.T) {
	db, path := newDB(t)
	r1 := mustCommit(t, db, store.Change{Secret: secret("old", "x")})
	release := holdWrites(t, db)
	first := commitAsync(db, store.Change{Secret: secret("first", "1")})
	waitFor(t, db, 0, true) // the leader took its change, and waits for the transaction
	changes := []store.Change{
		{Secret: secret("a", "2")},
		{Prev: r1 + 100, Secret: secret("old", "conflict")},
		{Prev: r1, Secret: secret("old", "y")},
		{Secret: secret("b", "3")},
	}
	var results []<-chan result
	for i, c := range changes {
		results = append(results, commitAsync(db, c))
		waitFor(t, db, i+1, true)
	}
	txs, _ := db.Transactions()
	release()

	if r := <-first; r.err != nil {
		t.Fatalf("the leader's Commit() = %v", r.err)
	}
	var revs []store.Revision
	for i, ch := range results {
		r := <-ch
		if i == 1 {
			if !errors.Is(r.err, store.ErrConflict) || r.rev != 0 {
				t.Errorf("conflicting Commit() = %d, %v; want 0, ErrConflict", r.rev, r.err)
			}
			continue
		}
		if r.err != nil {
			t.Fatalf("Commit(%s) = %v", changes[i].Secret.Name, r.err)
		}
		revs = append(revs, r.rev)
	}
	if got, changes := db.Transactions(); got-txs != 2 {
		t.Errorf("%d transactions for 5 changes, want 2 (the leader's, then the 4 queued)", got-txs)
	} else if changes != 5 {
		t.Errorf("%d changes applied, want 5 (the conflict is not)", changes)
	}
	if revs[0] >= revs[1] || revs[1] >= revs[2] {
		t.Errorf("revisions %v, want growing in the order of the queue", revs)
	}

	got := loadAll(t, reopen(t, db, path))
	want := map[string]string{"first": "1", "a": "2", "old": "y", "b": "3"}
	for name, value := range want {
		s := got[name]
		if n := len(s.Versions); n == 0 || *s.Versions[n-1].SecretString != value {
			t.Errorf("secret %s after reopen: %v, want its last value %q", name, s, value)
		}
	}
}

// TestLoneWriter checks that a commit finding no transaction running
// commits at once, alone: no timer holds it.
func TestLoneWriter(t *testing.T) {
	db, _ := newDB(t)
	const n = 20
	start := time.Now()
	var prev store.Revision
	for i := range n {
		prev = mustCommit(t, db, store.Change{Prev: prev, Secret: secret("lone", fmt.Sprint(i))})
	}
	if txs, changes := db.Transactions(); txs != n || changes != n {
		t.Errorf("%d transactions of %d changes for %d commits, want one each", txs, changes, n)
	}
	t.Logf("%d commits in %v", n, time.Since(start))
}

// TestClose checks that Close waits for the commits in flight, that they
// succeed, and that later commits fail with ErrClosed.
func TestClose(t *testing.T) {
	db, path := newDB(t)
	release := holdWrites(t, db)
	first := commitAsync(db, store.Change{Secret: secret("a", "1")})
	waitFor(t, db, 0, true)
	second := commitAsync(db, store.Change{Secret: secret("b", "2")})
	waitFor(t, db, 1, true)
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		db.mu.Lock()
		closing := db.closed
		db.mu.Unlock()
		if closing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Close never began")
		}
	}
	if _, err := db.Commit(store.Change{Secret: secret("c", "3")}); !errors.Is(err, ErrClosed) {
		t.Errorf("Commit() while closing = %v, want ErrClosed", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close() = %v before the commits in flight were done", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	for _, ch := range []<-chan result{first, second} {
		if r := <-ch; r.err != nil {
			t.Errorf("Commit() in flight at Close = %v", r.err)
		}
	}
	if err := <-closed; err != nil {
		t.Errorf("Close() = %v", err)
	}
	if _, err := db.Commit(store.Change{Secret: secret("c", "3")}); !errors.Is(err, ErrClosed) {
		t.Errorf("Commit() after Close = %v, want ErrClosed", err)
	}
	if err := db.Load(func(store.SecretSnapshot, store.Revision) error { return nil }); err == nil {
		t.Error("Load() after Close = nil, want an error")
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := len(loadAll(t, db)); got != 2 {
		t.Errorf("%d secrets after reopen, want the 2 committed in flight", got)
	}
}

// TestFailedTransaction checks that when the transaction fails (here its
// file's writes fail, as on an I/O error), every change in it gets the
// error, and none is saved, not even those applied before in the same
// transaction.
func TestFailedTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.db")
	var file *os.File
	db, err := open(path, &bolt.Options{OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}})
	if err != nil {
		t.Fatal(err)
	}
	r1 := mustCommit(t, db, store.Change{Secret: secret("kept", "1")})
	release := holdWrites(t, db)
	first := commitAsync(db, store.Change{Prev: r1, Secret: secret("kept", "2")})
	waitFor(t, db, 0, true)
	var results []<-chan result
	for i, name := range []string{"a", "b", "c"} {
		results = append(results, commitAsync(db, store.Change{Secret: secret(name, "lost")}))
		waitFor(t, db, i+1, true)
	}
	file.Close() // every write from now on fails
	release()
	if r := <-first; r.err == nil || errors.Is(r.err, store.ErrConflict) || r.rev != 0 {
		t.Errorf("Commit() in a failed transaction = %d, %v; want 0 and its error", r.rev, r.err)
	} else if !strings.Contains(r.err.Error(), "nothing of it was saved") {
		t.Errorf("Commit() error %q does not say nothing was saved", r.err)
	}
	for _, ch := range results { // queued behind the failed transaction
		if r := <-ch; !errors.Is(r.err, ErrFailed) || r.rev != 0 {
			t.Errorf("Commit() queued behind a failed transaction = %d, %v; want 0 and ErrFailed", r.rev, r.err)
		}
	}
	// What the disk holds is unknown now: no change is taken any more.
	if rev, err := db.Commit(store.Change{Secret: secret("after", "x")}); !errors.Is(err, ErrFailed) {
		t.Errorf("Commit() after a failed transaction = %d, %v; want ErrFailed", rev, err)
	}
	db.Close() // fails too: its file is closed

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := loadAll(t, db)
	if diff := cmp.Diff([]string{"kept"}, keys(got)); diff != "" {
		t.Errorf("secrets after a failed transaction mismatch (-want +got):\n%s", diff)
	}
	if v := got["kept"].Versions; len(v) != 1 || *v[0].SecretString != "1" {
		t.Errorf("kept after a failed transaction: %v, want its first value only", v)
	}
	if r := mustCommit(t, db, store.Change{Prev: r1, Secret: secret("kept", "3")}); r <= r1 {
		t.Errorf("revision %d after %d", r, r1)
	}
}

func keys(m map[string]store.SecretSnapshot) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestReadOnly checks that on a database opened read-only every commit,
// concurrent ones included, fails and changes nothing.
func TestReadOnly(t *testing.T) {
	db, path := newDB(t)
	rev := mustCommit(t, db, store.Change{Secret: secret("a", "1")})
	want := loadAll(t, db)
	db.Close()
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if _, err := ro.Commit(store.Change{Prev: rev, Secret: secret("a", fmt.Sprint(i))}); err == nil {
				t.Errorf("Commit() on a read-only database = nil")
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff(want, loadAll(t, ro)); diff != "" {
		t.Errorf("read-only database after commits mismatch (-want +got):\n%s", diff)
	}
	ro.Close()
}

// TestInvalidChange checks that a change this layout cannot store is
// refused alone, writing nothing.
func TestInvalidChange(t *testing.T) {
	db, _ := newDB(t)
	long := strings.Repeat("x", maxName+1)
	tests := []struct {
		name string
		s    store.SecretSnapshot
	}{
		{"empty name", secret("", "1")},
		{"name with a 0 byte", secret("a\x00b", "1")},
		{"name too long", secret(long)},
		{"empty version id", func() store.SecretSnapshot { s := secret("a", "1"); s.Versions[0].VersionId = ""; return s }()},
		{"version id too long", func() store.SecretSnapshot { s := secret("a", "1"); s.Versions[0].VersionId = long; return s }()},
		{"pruned id too long", func() store.SecretSnapshot { s := secret("a", "1"); s.Pruned = []string{long}; return s }()},
	}
	for _, tt := range tests {
		if rev, err := db.Commit(store.Change{Secret: tt.s}); !errors.Is(err, errInvalid) {
			t.Errorf("%s: Commit() = %d, %v; want errInvalid", tt.name, rev, err)
		}
	}
	if got := loadAll(t, db); len(got) != 0 {
		t.Errorf("Load() after refused changes = %v, want nothing", got)
	}
	if txs, _ := db.Transactions(); txs != 0 {
		t.Errorf("%d transactions committed for refused changes, want 0", txs)
	}
}

// TestPlaces checks that a version keeps its place when written again, and
// that pruned versions come back as ids, in their places too.
func TestPlaces(t *testing.T) {
	db, path := newDB(t)
	s := secret("p", "1", "2", "3")
	rev := mustCommit(t, db, store.Change{Secret: s})
	again := s.Versions[0]
	again.LastAccessed = t0.Add(time.Hour)
	s.Versions = []store.VersionSnapshot{again, {VersionId: "p-v3", Created: t0}}
	s.Pruned = []string{"p-v1"}
	rev = mustCommit(t, db, store.Change{Prev: rev, Secret: s})
	s.Versions = nil
	s.Pruned = []string{"new-and-pruned", "p-v2"} // p-v2 keeps its place; the new id takes the next
	mustCommit(t, db, store.Change{Prev: rev, Secret: s})

	got := loadAll(t, reopen(t, db, path))["p"]
	var ids []string
	for _, v := range got.Versions {
		ids = append(ids, v.VersionId)
	}
	if diff := cmp.Diff([]string{"p-v0", "p-v3"}, ids); diff != "" {
		t.Errorf("versions mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"p-v1", "p-v2", "new-and-pruned"}, got.Pruned); diff != "" {
		t.Errorf("pruned mismatch (-want +got):\n%s", diff)
	}
	if !got.Versions[0].LastAccessed.Equal(again.LastAccessed) {
		t.Errorf("rewritten version has LastAccessed %v, want %v", got.Versions[0].LastAccessed, again.LastAccessed)
	}
}

// TestLoadStops checks that Load returns yield's error at once, yielding
// no more.
func TestLoadStops(t *testing.T) {
	db, _ := newDB(t)
	for i := range 2000 {
		mustCommitFast(t, db, secret(fmt.Sprintf("s%04d", i), "x"))
	}
	stop := errors.New("enough")
	calls := 0
	err := db.Load(func(store.SecretSnapshot, store.Revision) error {
		calls++
		if calls == 10 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 10 {
		t.Errorf("Load() = %v after %d calls, want %v after 10", err, calls, stop)
	}
}

// TestLoadPanics checks that a yield that panics leaves no scan behind:
// Close, which waits for every transaction, returns.
func TestLoadPanics(t *testing.T) {
	db, _ := newDB(t)
	for i := range 2000 {
		mustCommitFast(t, db, secret(fmt.Sprintf("s%04d", i), "x"))
	}
	func() {
		defer func() { recover() }()
		db.Load(func(store.SecretSnapshot, store.Revision) error { panic("yield") })
	}()
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close() = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close() waits forever for the scan of a Load whose yield panicked")
	}
}

// mustCommitFast adds a new secret without an fsync of its own: tests that
// need many secrets use it.
func mustCommitFast(t *testing.T, db *DB, s store.SecretSnapshot) {
	t.Helper()
	db.bolt.NoSync = true
	defer func() { db.bolt.NoSync = false }()
	mustCommit(t, db, store.Change{Secret: s})
}

// TestLoadCorrupt checks that a record that does not decode fails Load
// with an error naming the secret and the record, never its value.
func TestLoadCorrupt(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		value []byte
	}{
		{"a version cut short", here + "a\x00va-v0", nil},
		{"a version without its header", here + "b\x00vb-v0", []byte{1, 0, 0}},
		{"a key of no secret", "\x00h", []byte{1}},
		{"a header cut short", here + "a\x00h", []byte{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := newDB(t)
			mustCommit(t, db, store.Change{Secret: secret("a", "the-secret-value")})
			err := db.bolt.Update(func(tx *bolt.Tx) error {
				secrets := tx.Bucket(secretsBucket)
				value := tt.value
				if value == nil {
					value = secrets.Get([]byte(tt.key))
					value = value[:len(value)-3]
				}
				return secrets.Put([]byte(tt.key), bytes.Clone(value))
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.Load(func(store.SecretSnapshot, store.Revision) error { return nil })
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.key)) {
				t.Errorf("Load() = %v, want an error naming record %q", err, tt.key)
			}
			if err != nil && strings.Contains(err.Error(), "the-secret-value") {
				t.Errorf("Load() error %q holds the secret's value", err)
			}
		})
	}
}

// TestOpenErrors checks that Open fails at once, saying why, where it
// cannot keep secrets.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notBolt := func(name string, size int) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, bytes.Repeat([]byte("x"), size), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	other := filepath.Join(dir, "other.db")
	b, err := bolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("theirs")); return err }); err != nil {
		t.Fatal(err)
	}
	b.Close()
	inUse := filepath.Join(dir, "in-use.db")
	db, err := Open(inUse)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	tests := []struct {
		name, path, want string
	}{
		{"missing directory", filepath.Join(dir, "missing", "secrets.db"), "no such file or directory"},
		{"a directory", dir, "is a directory"},
		{"a file of 1 byte", notBolt("1.db", 1), "is not a bbolt database"},
		{"a file of a page", notBolt("4096.db", 4096), "is not a bbolt database"},
		{"a file of text", notBolt("text.db", 20000), "is not a bbolt database"},
		{"a bbolt database of something else", other, "is a bbolt database of something else"},
		{"in use", inUse, "is in use by another process"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			db, err := Open(tt.path)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%s) = nil, want an error", tt.path)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%s) = %q, want it to say %q", tt.path, err, tt.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Open(%s) failed after %v, want at once", tt.path, d)
			}
		})
	}
	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes anywhere")
		}
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(filepath.Join(ro, "secrets.db")); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("Open() in a read-only directory = %v, want permission denied", err)
		}
	})
}

// TestCommitCost checks that a change writes as many pages whether the
// database holds 10 secrets or 20,000, and whether the secret has 1
// version or 2,000: its cost is what it touched.
func TestCommitCost(t *testing.T) {
	pages := func(db *DB, c store.Change) int64 {
		t.Helper()
		before := db.bolt.Stats().TxStats
		mustCommit(t, db, c)
		after := db.bolt.Stats().TxStats
		return after.GetWrite() - before.GetWrite()
	}
	value := "a value of 20 bytes."
	put := func(s store.SecretSnapshot, id string) store.SecretSnapshot {
		s.Versions = []store.VersionSnapshot{{VersionId: id, SecretString: &value, Created: t0}}
		s.Labels = map[string]string{"AWSCURRENT": id}
		return s
	}
	cost := func(secrets, versions int) int64 {
		t.Helper()
		db, _ := newDB(t)
		for i := range secrets {
			mustCommitFast(t, db, secret(fmt.Sprintf("s%05d", i), "x"))
		}
		name := fmt.Sprintf("s%05d", secrets/2)
		rev := loadedRev(t, db, name)
		s := secret(name)
		db.bolt.NoSync = true
		for i := range versions {
			rev = mustCommit(t, db, store.Change{Prev: rev, Secret: put(s, fmt.Sprintf("%s-%05d", name, i))})
		}
		db.bolt.NoSync = false
		return pages(db, store.Change{Prev: rev, Secret: put(s, "the-new-one")})
	}
	small, manySecrets, manyVersions := cost(10, 1), cost(20000, 1), cost(10, 2000)
	t.Logf("pages written by one change: %d (10 secrets), %d (20,000 secrets), %d (2,000 versions)", small, manySecrets, manyVersions)
	if manySecrets > small+3 || manyVersions > small+3 {
		t.Errorf("one change wrote %d pages among 10 secrets, %d among 20,000, %d on a secret of 2,000 versions; want about the same", small, manySecrets, manyVersions)
	}
}

func loadedRev(t *testing.T, db *DB, name string) store.Revision {
	t.Helper()
	var rev store.Revision
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		rev, _, err = stored(tx.Bucket(secretsBucket).Get(headerKey([]byte(here + name))))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestRemovedValueInFile looks for the value of a removed secret and of a
// pruned version in the database file. Load never gives them back; bbolt
// frees their pages without zeroing them, so the file may still hold them
// until the pages are reused: the test reports what it finds.
func TestRemovedValueInFile(t *testing.T) {
	db, path := newDB(t)
	removed, pruned := "removed-secret-value-0123456789", "pruned-version-value-0123456789"
	r1 := mustCommit(t, db, store.Change{Secret: secret("gone", removed)})
	r2 := mustCommit(t, db, store.Change{Secret: secret("kept", pruned, "current")})
	mustCommit(t, db, store.Change{Prev: r1, Secret: secret("gone"), Removed: true})
	s := secret("kept")
	s.Pruned = []string{"kept-v0"}
	mustCommit(t, db, store.Change{Prev: r2, Secret: s})

	for name, s := range loadAll(t, db) {
		for _, v := range s.Versions {
			if *v.SecretString == removed || *v.SecretString == pruned {
				t.Errorf("Load() gives secret %s the value of a removed secret or pruned version", name)
			}
		}
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, value := range []string{removed, pruned} {
		t.Logf("the file holds %q in freed pages: %t", value, bytes.Contains(file, []byte(value)))
	}
	if !bytes.Contains(file, []byte("current")) {
		t.Error("the file does not hold the live value: the search finds nothing")
	}
}

// TestMigrateFormat1 checks that a database of format 1, whose records were
// keyed by the secret's name alone, opens as one of this format, each
// secret keyed by its namespace, as its ARN names it, and its name, with
// all it held.
func TestMigrateFormat1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	a := secret("a", "one", "two")
	b := secret("b", "three")
	b.ARN = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:b-abcdef"
	old, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = old.Update(func(tx *bolt.Tx) error { // the layout of format 1
		meta, _ := tx.CreateBucket(metaBucket)
		meta.Put(formatKey, []byte{1})
		secrets, _ := tx.CreateBucket(secretsBucket)
		for _, s := range []store.SecretSnapshot{a, b} {
			seq, _ := meta.NextSequence()
			secrets.Put(headerKey([]byte(s.Name)), appendHeader(nil, &s, store.Revision(seq), uint64(len(s.Versions))))
			for j := range s.Versions {
				secrets.Put(versionKey([]byte(s.Name), s.Versions[j].VersionId), appendVersion(nil, &s.Versions[j], uint64(j)))
			}
		}
		return nil
	})
	old.Close()
	if err != nil {
		t.Fatal(err)
	}

	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open() of format 1: %v", err)
	}
	got := map[string]store.SecretSnapshot{}
	if err := db.Load(func(s store.SecretSnapshot, _ store.Revision) error { got[s.ARN] = s; return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string]store.SecretSnapshot{a.ARN: a, b.ARN: b}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Load() after migrating mismatch (-want +got):\n%s", diff)
	}
	// The records are the new layout's: a change finds them.
	mustCommit(t, db, store.Change{Prev: loadedRev(t, db, "a"), Secret: secret("a", "one", "two", "four")})
	db.Close()
	db, err = Open(path)
	if err != nil {
		t.Fatalf("Open() after migrating: %v", err)
	}
	defer db.Close()
	err = db.bolt.View(func(tx *bolt.Tx) error {
		if f := tx.Bucket(metaBucket).Get(formatKey); !bytes.Equal(f, []byte{dbFormat}) {
			t.Errorf("format after migrating = %v, want %d", f, dbFormat)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEmptyReplicationStatus checks that a change whose ReplicationStatus
// is an empty list, not nil, commits as one without, and loads.
func TestEmptyReplicationStatus(t *testing.T) {
	db, _ := newDB(t)
	s := secret("a", "1")
	s.ReplicationStatus = []store.ReplicationStatus{}
	mustCommit(t, db, store.Change{Secret: s})
	if err := db.Load(func(store.SecretSnapshot, store.Revision) error { return nil }); err != nil {
		t.Errorf("Load after a committed change: %v", err)
	}
}
