package secret

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// fatalfer is what the checks need of a *testing.T or a *rapid.T.
type fatalfer interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkQueue fails t unless q holds exactly want (by arrival), every node
// counts the entries below it and holds at least one, and q.unsorted is
// right when exact, or at least set when it must be.
func checkQueue(t fatalfer, q queue, want []*entry, exact bool) {
	t.Helper()
	got := slices.Collect(q.all)
	if !slices.Equal(got, want) {
		t.Fatalf("queue holds %v, want %v", seqs(got), seqs(want))
	}
	if last, ok := q.last(); ok != (len(want) > 0) || (ok && last != want[len(want)-1]) {
		t.Fatalf("last() = %v, %v; want the last of %v", last, ok, seqs(want))
	}
	sorted := slices.IsSortedFunc(want, func(a, b *entry) int { return a.v.Created().Compare(b.v.Created()) })
	if (exact && q.unsorted == sorted) || (!q.unsorted && !sorted) {
		t.Fatalf("unsorted = %v for creation times %v (exact: %v)", q.unsorted, times(want), exact)
	}
	if q.recheck().unsorted == sorted {
		t.Fatalf("recheck().unsorted = %v for creation times %v", !sorted, times(want))
	}
	held := 0
	if q.root != nil {
		held = q.root.check(t, q.shift, 0)
	}
	if q.tail != nil {
		if q.base&qmask != 0 || len(q.tail) > 1<<qbits || lastSet(q.tail) == nil {
			t.Fatalf("a tail of %d slots from seq %d, last %v", len(q.tail), q.base, lastSet(q.tail))
		}
		for i, e := range q.tail {
			if e != nil {
				if e.seq != q.base+uint64(i) {
					t.Fatalf("seq %d in the tail slot of %d", e.seq, q.base+uint64(i))
				}
				held++
			}
		}
	}
	if held != len(want) {
		t.Fatalf("the queue holds %d entries, want %d", held, len(want))
	}
}

// check fails t unless n, at shift and holding seqs from base up, holds
// only seqs of its slots, counts what it holds, and holds something. It
// returns the number of entries below n.
func (n *qnode) check(t fatalfer, shift uint, base uint64) int {
	t.Helper()
	held := 0
	if shift == 0 {
		if n.kids != nil {
			t.Fatalf("a leaf with kids")
		}
		for i, e := range n.es {
			if e != nil {
				if e.seq != base+uint64(i) {
					t.Fatalf("seq %d in the slot of %d", e.seq, base+uint64(i))
				}
				held++
			}
		}
	} else {
		if n.es != nil || len(n.kids) > 1<<qbits {
			t.Fatalf("an inner node with entries or %d kids", len(n.kids))
		}
		for i, k := range n.kids {
			if k != nil {
				held += k.check(t, shift-qbits, base+uint64(i)<<shift)
			}
		}
	}
	if held == 0 || held != n.n {
		t.Fatalf("a node counts %d entries and holds %d", n.n, held)
	}
	return held
}

func seqs(es []*entry) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.seq
	}
	return out
}

func times(es []*entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.v.Created().Unix()
	}
	return out
}

// TestQueue checks the queue against a slice, with seqs drawn so that
// they leave gaps, cross node boundaries and reach the top bits, and
// checks that every earlier queue still holds what it held.
func TestQueue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		type snap struct {
			q     queue
			want  []*entry
			exact bool
		}
		var q queue
		var want []*entry
		exact := true // q.unsorted is exact: no removal since it was last right
		var snaps []snap
		next := uint64(0)
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for range rapid.IntRange(0, 300).Draw(t, "ops") {
			if len(want) > 0 && rapid.IntRange(0, 2).Draw(t, "remove") == 0 {
				i := rapid.IntRange(0, len(want)-1).Draw(t, "which")
				// A removal can sort the queue without add noticing.
				exact = exact && !q.unsorted
				q = q.without(want[i].seq)
				want = slices.Delete(want, i, i+1)
				exact = exact || len(want) == 0
			} else {
				gap := rapid.OneOf(
					rapid.Uint64Range(0, 2),
					rapid.Uint64Range(30, 1100),
					rapid.Uint64Range(1<<30, 1<<50),
					rapid.Just(uint64(1)<<63),
				).Draw(t, "gap")
				if next > math.MaxUint64-gap-1000 {
					gap = 0 // no wrapping round: seqs only rise
				}
				next += gap
				created := t0.Add(time.Duration(rapid.IntRange(0, 50).Draw(t, "created")) * time.Hour)
				e := &entry{v: version.New("x", version.WithCreated(created)), seq: next}
				q = q.add(e)
				want = append(want, e)
				next++
			}
			if absent := rapid.Uint64().Draw(t, "absent"); !slices.ContainsFunc(want, func(e *entry) bool { return e.seq == absent }) {
				if r := q.without(absent); !slices.Equal(slices.Collect(r.all), want) || r.unsorted != q.unsorted {
					t.Fatalf("without(%d), which q does not hold, changed q", absent)
				}
			}
			snaps = append(snaps, snap{q, slices.Clone(want), exact})
			if rapid.Bool().Draw(t, "recheck") {
				q, exact = q.recheck(), true
			}
		}
		for _, s := range snaps {
			checkQueue(t, s.q, s.want, s.exact)
		}
	})
}

// pruneWalk is Prune as it was before the queue, the plain reference the
// queue must agree with: one walk over every version picks the candidates,
// which are sorted by creation and arrival, and the oldest go.
func pruneWalk(s Secret, now time.Time) (Secret, []version.ID) {
	if s.live <= MaxVersions {
		return s, nil
	}
	var candidates []entry
	for e := range s.versions.all {
		if !e.deleted && !s.labels.carries(e.v.ID()) && now.Sub(e.v.Created()) >= MinPruneAge {
			candidates = append(candidates, e)
		}
	}
	slices.SortFunc(candidates, func(a, b entry) int {
		if c := a.v.Created().Compare(b.v.Created()); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	candidates = candidates[:min(len(candidates), s.live-MaxVersions)]
	if len(candidates) == 0 {
		return s, nil
	}
	ids := make([]version.ID, len(candidates))
	for i, e := range candidates {
		s.versions, _ = s.versions.with(entry{v: version.New(e.v.ID()), seq: e.seq, deleted: true})
		s.live--
		ids[i] = e.v.ID()
	}
	return s, ids
}

// checkSecretQueue fails t unless the queue of s holds the live versions
// of s by arrival, with the id, creation time and arrival the versions
// have, and knows exactly whether they are sorted by creation.
func checkSecretQueue(t fatalfer, s Secret) {
	t.Helper()
	var live []entry
	for e := range s.versions.all {
		if !e.deleted {
			live = append(live, e)
		}
	}
	live = oldestFirst(live)
	var want []*entry
	for e := range s.queue.all {
		want = append(want, e)
	}
	if len(want) != len(live) || len(live) != s.live {
		t.Fatalf("the queue holds %d versions, the trie %d live, Len %d", len(want), len(live), s.live)
	}
	for i, e := range want {
		if f := live[i]; e.v.ID() != f.v.ID() || e.seq != f.seq || !e.v.Created().Equal(f.v.Created()) {
			t.Fatalf("the queue holds %s (seq %d, created %v) where the trie has %s (seq %d, created %v)",
				e.v.ID(), e.seq, e.v.Created(), f.v.ID(), f.seq, f.v.Created())
		}
	}
	checkQueue(t, s.queue, want, true)
}

// qid returns the version id numbered n.
func qid(n int) version.ID {
	name := fmt.Sprint("v", n)
	return version.ID(name + strings.Repeat("-", version.MinIDLen-len(name)))
}

// TestPruneQueue checks Prune, which reads the queue, against pruneWalk,
// which walks every version, on histories of more than MaxVersions
// versions made by every operation: default and labelled puts, rotations
// and the puts that fill them, label moves, restores, prunes, with
// creation times that rise with arrival or, in some histories, jump back.
// After every step the queue must hold the live versions exactly.
func TestPruneQueue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		s := New("test")
		n := 0 // versions made so far
		// In a sorted history creation follows arrival; in a late one, a
		// Late step puts a version out of order now and then; in a mixed
		// one, a quarter of the versions are created before the clock
		// reads.
		history := rapid.SampledFrom([]string{"sorted", "late", "mixed"}).Draw(t, "history")
		created := func(t *rapid.T) time.Time {
			now = now.Add(time.Duration(rapid.IntRange(0, 90).Draw(t, "minutes")) * time.Minute)
			if history == "mixed" && rapid.IntRange(0, 3).Draw(t, "back?") == 0 {
				return now.Add(-time.Duration(rapid.IntRange(1, 72).Draw(t, "hours back")) * time.Hour)
			}
			return now
		}
		labels := rapid.SampledFrom([]stage.Label{stage.Current, stage.Previous, stage.Pending, "X", "Y", "Z"})
		// existing returns the id of a version of s, pruned ones included.
		existing := func(t *rapid.T) version.ID {
			return qid(rapid.IntRange(0, max(0, n-1)).Draw(t, "version"))
		}
		put := func(t *rapid.T, at time.Time, ls ...stage.Label) {
			v := version.New(qid(n), version.WithString("x"), version.WithCreated(at))
			next, err := s.Put(v, ls...)
			if err != nil {
				t.Fatalf("Put(%s, %v): %v", v.ID(), ls, err)
			}
			s = next
			n++
		}
		for range rapid.IntRange(0, 140).Draw(t, "initial versions") {
			put(t, created(t))
		}
		checkSecretQueue(t, s)
		t.Repeat(map[string]func(*rapid.T){
			"Put": func(t *rapid.T) {
				put(t, created(t), rapid.SliceOfN(labels, 0, 2).Draw(t, "stages")...)
			},
			"Grow": func(t *rapid.T) {
				for range rapid.IntRange(1, 40).Draw(t, "versions") {
					put(t, created(t))
				}
			},
			"Late": func(t *rapid.T) {
				// One version out of order, which a prune may take out again.
				if history == "sorted" {
					t.Skip("creation follows arrival in this history")
				}
				put(t, now.Add(-time.Duration(rapid.IntRange(1, 200).Draw(t, "hours back"))*time.Hour))
			},
			"Rotate": func(t *rapid.T) {
				if next, err := s.Rotate(qid(n), created(t)); err == nil {
					s = next
					n++
				}
			},
			"Fill": func(t *rapid.T) {
				pending, ok := s.Find(stage.Pending)
				if !ok || pending.HasValue() {
					t.Skip("no rotation to fill")
				}
				next, err := s.Put(version.New(pending.ID(), version.WithString("filled")), rapid.SliceOfN(labels, 0, 1).Draw(t, "stages")...)
				if err != nil {
					t.Fatalf("filling %s: %v", pending.ID(), err)
				}
				s = next
			},
			"MoveLabel": func(t *rapid.T) {
				l := labels.Draw(t, "label")
				from, _ := s.labels.holder(l)
				to := version.ID("")
				if rapid.IntRange(0, 3).Draw(t, "remove?") > 0 {
					to = existing(t)
				}
				if next, err := s.MoveLabel(l, from, to); err == nil {
					s = next
				}
			},
			"Assemble": func(t *rapid.T) {
				held := map[stage.Label]version.ID{}
				for _, a := range s.labels {
					held[a.label] = a.id
				}
				r, err := Assemble(s.Name(), slices.Collect(s.All()), held, s.PrunedIDs())
				if err != nil || !r.Equal(s) {
					t.Fatalf("Assemble(parts of %v) = %v, %v", s, r, err)
				}
				s = r
			},
			"Prune": func(t *rapid.T) {
				at := now.Add(time.Duration(rapid.IntRange(-48, 72).Draw(t, "hours")) * time.Hour)
				got, ids := s.Prune(at)
				want, wantIDs := pruneWalk(s, at)
				if !slices.Equal(ids, wantIDs) {
					t.Fatalf("Prune(%v) removed %v, want %v", at, ids, wantIDs)
				}
				if !got.Equal(want) {
					t.Fatalf("Prune(%v) = %v, want %v", at, got, want)
				}
				s = got
			},
			"": func(t *rapid.T) { checkSecretQueue(t, s) },
		})
	})
}

// TestPruneReadsOldest checks that Prune, while the queue is sorted, reads
// no version after the first deprecated one too young to go: a version
// old enough to go placed after it, which a sorted queue never has, stays.
func TestPruneReadsOldest(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	s := New("test")
	for i := range 2 * MaxVersions {
		s = s.add(version.New(qid(i), version.WithString("x"), version.WithCreated(now.Add(time.Duration(i-2*MaxVersions)*time.Minute))))
	}
	s = s.add(version.New(qid(-1), version.WithString("x"), version.WithCreated(now.Add(-2*MinPruneAge))))
	if !s.queue.unsorted {
		t.Fatal("a version created before the others, put last, leaves the queue sorted")
	}
	if _, ids := s.Prune(now); !slices.Equal(ids, []version.ID{qid(-1)}) {
		t.Fatalf("Prune() with the queue unsorted removed %v, want %v", ids, []version.ID{qid(-1)})
	}
	s.queue.unsorted = false // as if it were sorted
	if _, ids := s.Prune(now); len(ids) != 0 {
		t.Errorf("Prune() with the queue sorted removed %v, want none: it read past the first version too young to go", ids)
	}
}
