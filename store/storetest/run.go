package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel/store"
)

// Opener opens the backend kept in dir, an empty directory for a new
// backend, or one a backend it opened before kept its state in.
type Opener func(t testing.TB, dir string) store.Backend

// Run checks the backends open makes against the durability contract of
// [store.Backend]: compare-and-swap by revision, revisions that only grow,
// versions that keep their place, removal, concurrent commits, and that
// whatever a store on the backend accepts, the backend opened again gives
// back exactly. Before it opens a directory again, Run closes the backend
// it had opened there, if that is an [io.Closer].
func Run(t *testing.T, open Opener) {
	t.Run("CompareAndSwap", func(t *testing.T) { testCompareAndSwap(t, open) })
	t.Run("Places", func(t *testing.T) { testPlaces(t, open) })
	t.Run("Removed", func(t *testing.T) { testRemoved(t, open) })
	t.Run("Namespaces", func(t *testing.T) { testNamespaces(t, open) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open) })
	t.Run("Pruning", func(t *testing.T) { testPruning(t, open) })
	t.Run("Restart", func(t *testing.T) { testRestart(t, open) })
}

// exactBytes compares byte slices at once (values reach 65,536 bytes,
// which cmp would diff byte by byte), telling nil from empty.
var exactBytes = cmp.Comparer(func(a, b []byte) bool { return bytes.Equal(a, b) && (a == nil) == (b == nil) })

// reopen closes b, if it can be closed, and opens dir again.
func reopen(t testing.TB, b store.Backend, open Opener, dir string) store.Backend {
	t.Helper()
	if c, ok := b.(io.Closer); ok {
		if err := c.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	return open(t, dir)
}

// loaded returns what b yields, by key.
func loaded(t testing.TB, b store.Backend) map[string]kept {
	t.Helper()
	out := map[string]kept{}
	err := b.Load(func(s store.SecretSnapshot, rev store.Revision) error {
		if _, twice := out[s.Key()]; twice {
			return fmt.Errorf("secret %q yielded twice", s.Key())
		}
		out[s.Key()] = kept{s, rev}
		return nil
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return out
}

// kept is a secret as a backend yields it.
type kept struct {
	Secret   store.SecretSnapshot
	Revision store.Revision
}

var t0 = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

// home is the namespace of the secrets header makes: the prefix of their
// keys and ARNs.
const home = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"

// header returns a secret called name with no versions, as a change
// carries it, in namespace home.
func header(name, description string) store.SecretSnapshot {
	return store.SecretSnapshot{Name: name, ARN: home + name + "-abcdef",
		Description: description, Created: t0, LastChanged: t0, Labels: map[string]string{}}
}

func version(id, value string) store.VersionSnapshot {
	return store.VersionSnapshot{VersionId: id, SecretString: &value, Created: t0}
}

func commit(t testing.TB, b store.Backend, c store.Change) store.Revision {
	t.Helper()
	rev, err := b.Commit(c)
	if err != nil {
		t.Fatalf("Commit(%s, prev %d): %v", c.Secret.Name, c.Prev, err)
	}
	if rev == 0 {
		t.Fatalf("Commit(%s) gave revision 0", c.Secret.Name)
	}
	return rev
}

func refused(t testing.TB, b store.Backend, c store.Change) {
	t.Helper()
	if rev, err := b.Commit(c); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Commit(%s, prev %d) = %d, %v; want ErrConflict", c.Secret.Name, c.Prev, rev, err)
	}
}

func testCompareAndSwap(t *testing.T, open Opener) {
	dir := t.TempDir()
	b := open(t, dir)
	a := header("a", "first")
	a.Versions = []store.VersionSnapshot{version("v1", "one")}
	r1 := commit(t, b, store.Change{Secret: a})
	refused(t, b, store.Change{Secret: header("a", "again")})               // exists: Prev 0 is wrong
	refused(t, b, store.Change{Prev: r1 + 1, Secret: header("a", "ahead")}) // not its revision
	refused(t, b, store.Change{Prev: r1, Secret: header("b", "absent")})    // no such secret
	refused(t, b, store.Change{Prev: r1 + 1, Secret: header("a", ""), Removed: true})
	r2 := commit(t, b, store.Change{Prev: r1, Secret: header("a", "second")})
	if r2 <= r1 {
		t.Errorf("revision %d after %d", r2, r1)
	}
	refused(t, b, store.Change{Prev: r1, Secret: header("a", "stale")})

	b = reopen(t, b, open, dir)
	want := header("a", "second")
	want.Versions = []store.VersionSnapshot{version("v1", "one")}
	if diff := cmp.Diff(map[string]kept{home + "a": {want, r2}}, loaded(t, b)); diff != "" {
		t.Errorf("Load() after reopen mismatch (-want +got):\n%s", diff)
	}
	r3 := commit(t, b, store.Change{Prev: r2, Secret: header("a", "third")})
	r4 := commit(t, b, store.Change{Secret: header("c", "")})
	if r3 <= r2 || r4 <= r3 {
		t.Errorf("revisions after reopen: %d, %d after %d", r3, r4, r2)
	}
}

func testPlaces(t *testing.T, open Opener) {
	dir := t.TempDir()
	b := open(t, dir)
	s := header("p", "")
	s.Versions = []store.VersionSnapshot{version("v1", "one"), version("v2", "two")}
	s.Labels = map[string]string{"AWSCURRENT": "v2", "AWSPREVIOUS": "v1"}
	s.Tags = []store.Tag{{Key: "k", Value: "v"}}
	rev := commit(t, b, store.Change{Secret: s})

	// A third version; v1 written again (a read recorded) keeps its place.
	s = header("p", "")
	read := version("v1", "one")
	read.LastAccessed = t0.Add(24 * time.Hour)
	s.Versions = []store.VersionSnapshot{read, version("v3", "three")}
	s.Labels = map[string]string{"AWSCURRENT": "v3", "AWSPREVIOUS": "v2"}
	rev = commit(t, b, store.Change{Prev: rev, Secret: s})

	// v2 pruned: only its id stays. The header is replaced whole: no tags.
	s = header("p", "")
	s.Pruned = []string{"v2"}
	s.Labels = map[string]string{"AWSCURRENT": "v3"}
	rev = commit(t, b, store.Change{Prev: rev, Secret: s})

	b = reopen(t, b, open, dir)
	want := header("p", "")
	want.Versions = []store.VersionSnapshot{read, version("v3", "three")}
	want.Labels = map[string]string{"AWSCURRENT": "v3"}
	want.Pruned = []string{"v2"}
	if diff := cmp.Diff(map[string]kept{home + "p": {want, rev}}, loaded(t, b)); diff != "" {
		t.Errorf("Load() mismatch (-want +got):\n%s", diff)
	}
}

func testRemoved(t *testing.T, open Opener) {
	dir := t.TempDir()
	b := open(t, dir)
	s := header("r", "old")
	s.Versions = []store.VersionSnapshot{version("v1", "one")}
	rev := commit(t, b, store.Change{Secret: s})
	commit(t, b, store.Change{Secret: header("other", "")})
	gone := commit(t, b, store.Change{Prev: rev, Secret: header("r", ""), Removed: true})
	refused(t, b, store.Change{Prev: gone, Secret: header("r", "")}) // removed: only Prev 0 fits now
	b = reopen(t, b, open, dir)
	if got := loaded(t, b); len(got) != 1 || got[home+"other"].Revision == 0 {
		t.Fatalf("Load() after removal = %v, want only other", got)
	}
	again := commit(t, b, store.Change{Secret: header("r", "new")})
	b = reopen(t, b, open, dir)
	if diff := cmp.Diff(kept{header("r", "new"), again}, loaded(t, b)[home+"r"]); diff != "" {
		t.Errorf("re-created secret mismatch (-want +got):\n%s", diff) // none of the old versions
	}
}

// testNamespaces checks that one name in two namespaces is two secrets:
// keys tell them apart.
func testNamespaces(t *testing.T, open Opener) {
	dir := t.TempDir()
	b := open(t, dir)
	here := header("db", "here")
	there := header("db", "there")
	there.ARN = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:db-abcdef"
	r1 := commit(t, b, store.Change{Secret: here})
	r2 := commit(t, b, store.Change{Secret: there})
	refused(t, b, store.Change{Secret: there}) // exists in its namespace
	b = reopen(t, b, open, dir)
	want := map[string]kept{home + "db": {here, r1}, "arn:aws:secretsmanager:eu-west-1:210987654321:secret:db": {there, r2}}
	if diff := cmp.Diff(want, loaded(t, b)); diff != "" {
		t.Errorf("Load() mismatch (-want +got):\n%s", diff)
	}
	commit(t, b, store.Change{Prev: r1, Secret: here, Removed: true})
	if got := loaded(t, b); len(got) != 1 || got["arn:aws:secretsmanager:eu-west-1:210987654321:secret:db"].Revision != r2 {
		t.Errorf("Load() after removing the one = %v, want the other alone", got)
	}
}

func testConcurrent(t *testing.T, open Opener) {
	dir := t.TempDir()
	b := open(t, dir)
	const writers, changes = 8, 10
	var wg sync.WaitGroup
	revs := make([][]store.Revision, writers)
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			name := fmt.Sprint("w", w)
			var prev store.Revision
			for i := range changes {
				s := header(name, fmt.Sprint(i))
				s.Versions = []store.VersionSnapshot{version(fmt.Sprint("v", i), "x")}
				rev, err := b.Commit(store.Change{Prev: prev, Secret: s})
				if err != nil {
					errs <- fmt.Errorf("%s change %d: %w", name, i, err)
					return
				}
				revs[w] = append(revs[w], rev)
				prev = rev
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[store.Revision]bool{}
	for w, rs := range revs {
		for i, r := range rs {
			if seen[r] || i > 0 && r <= rs[i-1] {
				t.Fatalf("writer %d: revisions %v (repeated or not growing)", w, rs)
			}
			seen[r] = true
		}
	}
	b = reopen(t, b, open, dir)
	got := loaded(t, b)
	for w := range writers {
		k := got[fmt.Sprint(home, "w", w)]
		if k.Revision != revs[w][changes-1] || len(k.Secret.Versions) != changes || k.Secret.Description != fmt.Sprint(changes-1) {
			t.Errorf("w%d after reopen: revision %d (want %d), %d versions, description %q", w, k.Revision, revs[w][changes-1], len(k.Secret.Versions), k.Secret.Description)
		}
	}
}

// testPruning drives a store past the version limit so that it prunes,
// and checks the backend opened again gives the same secret.
func testPruning(t *testing.T, open Opener) {
	dir := t.TempDir()
	b := open(t, dir)
	c := &clock{now: t0}
	st := openStore(t, b, c)
	tok := func(n int) string { return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n) }
	value := "v"
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(0), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 105; n++ {
		if n == 103 {
			c.advance(25 * time.Hour)
		}
		if _, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(n), SecretString: &value}); err != nil {
			t.Fatal(err)
		}
	}
	want := st.Snapshot()
	if n := len(want.Secrets[0].Pruned); n == 0 {
		t.Fatal("nothing pruned: the test does not test pruning")
	}
	b = reopen(t, b, open, dir)
	if diff := cmp.Diff(want, openStore(t, b, c).Snapshot(), exactBytes); diff != "" {
		t.Errorf("store after reopen mismatch (-want +got):\n%s", diff)
	}
}

// testRestart drives a store on the backend with random operations that
// the API accepts (unicode everywhere, every limit at its edge), opens the
// backend again at random moments and at the end, and checks that the
// reopened store holds exactly what the store did.
func testRestart(t *testing.T, open Opener) {
	root := t.TempDir()
	rapid.Check(t, func(rt *rapid.T) {
		dir, err := os.MkdirTemp(root, "")
		if err != nil {
			rt.Fatal(err)
		}
		b := open(t, dir)
		c := &clock{now: t0}
		st := openStore(t, b, c, where(rt)...)
		d := driver{st: st, c: c}
		for range rapid.IntRange(1, 40).Draw(rt, "steps") {
			if rapid.IntRange(0, 9).Draw(rt, "restart") == 0 {
				want := st.Snapshot()
				b = reopen(t, b, open, dir)
				st = openStore(t, b, c, where(rt)...) // a restart may name another region and account
				d.st = st
				if diff := cmp.Diff(want, st.Snapshot(), exactBytes); diff != "" {
					rt.Fatalf("store after reopen mismatch (-want +got):\n%s", diff)
				}
			}
			d.step(rt)
		}
		want := st.Snapshot()
		b = reopen(t, b, open, dir)
		if diff := cmp.Diff(want, openStore(t, b, c).Snapshot(), exactBytes); diff != "" {
			rt.Fatalf("store after reopen mismatch (-want +got):\n%s", diff)
		}
		if cl, ok := b.(io.Closer); ok {
			cl.Close()
		}
	})
}

// where draws the region and account a store is given: any string a
// namespace takes, and what a store of one makes, a store of another
// loads, into the namespace each secret's ARN names.
func where(rt *rapid.T) []store.Option {
	odd := []string{"us-east-1", "123456789012", "1234", "é", "a-b"}
	return []store.Option{store.WithRegion(rapid.SampledFrom(odd).Draw(rt, "region")), store.WithAccount(rapid.SampledFrom(odd).Draw(rt, "account"))}
}

func openStore(t testing.TB, b store.Backend, c *clock, opts ...store.Option) *store.Store {
	t.Helper()
	st, err := store.Open(b, append([]store.Option{store.WithClock(c.Now)}, opts...)...)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	return st
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// edge returns n characters drawn from a few of every width UTF-8 has.
func edge(rt *rapid.T, n int, label string) string {
	r := rapid.SampledFrom([]string{"a", "é", "€", "😀", "Z", "\u0000", "\t", `"`}).Draw(rt, label)
	return strings.Repeat(r, n)
}

// text draws a string that is empty, random unicode, or n characters at
// the limit.
func text(rt *rapid.T, limit int, label string) string {
	switch rapid.IntRange(0, 3).Draw(rt, label+" kind") {
	case 0:
		return ""
	case 1:
		return edge(rt, limit, label)
	}
	return rapid.StringN(0, min(limit, 40), -1).Draw(rt, label)
}
