package storetest

import (
	"errors"
	"maps"
	"slices"
	"sync"

	"github.com/stagelabel/stagelabel/store"
)

// Shared is a backend in memory that several stores share, each through
// a [store.Follower] of its own ([Shared.Open]), as stores in several
// processes share a cluster: the reference for the core's tests of stores
// that follow each other. Every commit is logged with the secret's whole
// state after it, and a follower's Sync passes what the log gained since
// its last, in order, on the caller's goroutine. The zero Shared is empty
// and ready to use.
type Shared struct {
	mu  sync.Mutex // guards mem's commits with log
	mem Memory
	log []logged
}

// logged is one commit of a Shared.
type logged struct {
	c   store.Change
	rev store.Revision
}

// Open returns a new follower of s, for one store.
func (s *Shared) Open() *SharedFollower { return &SharedFollower{shared: s} }

// SharedFollower is one store's view of a [Shared]: a [store.Follower].
type SharedFollower struct {
	shared *Shared

	mu    sync.Mutex // held while passing the log on: one caller at a time
	next  int        // the first entry of the log not yet passed on
	apply func(string, store.Change, store.Revision) error
	err   error // apply's first error
}

// Load yields every secret the shared backend holds, as [Memory.Load]
// does, and marks where in the log the follower's feed starts.
func (f *SharedFollower) Load(yield func(store.SecretSnapshot, store.Revision) error) error {
	type stored struct {
		s   store.SecretSnapshot
		rev store.Revision
	}
	var all []stored
	f.shared.mu.Lock()
	err := f.shared.mem.Load(func(s store.SecretSnapshot, rev store.Revision) error {
		all = append(all, stored{s, rev})
		return nil
	})
	at := len(f.shared.log)
	f.shared.mu.Unlock()
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.next = at
	f.mu.Unlock()
	for _, x := range all {
		if err := yield(x.s, x.rev); err != nil {
			return err
		}
	}
	return nil
}

// Commit makes c as [Memory.Commit] does, and logs it.
func (f *SharedFollower) Commit(c store.Change) (store.Revision, error) {
	s := f.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	rev, err := s.mem.Commit(c)
	if err != nil {
		return 0, err
	}
	c.Secret = clone(c.Secret)
	if c.Removed {
		c.Prev = 0
	}
	s.log = append(s.log, logged{c, rev})
	return rev, nil
}

// whole returns the secret of key k as it is now, as a change of Prev 0
// (Removed when it is not stored), and its revision.
func (s *Shared) whole(k string) (store.Change, store.Revision) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.mem.secrets[k]
	if cur == nil {
		return store.Change{Removed: true}, s.mem.rev
	}
	return store.Change{Secret: s.mem.whole(k)}, cur.rev
}

// Follow sets the function Sync passes the log on to.
func (f *SharedFollower) Follow(apply func(string, store.Change, store.Revision) error) {
	f.mu.Lock()
	f.apply = apply
	f.mu.Unlock()
}

// Sync passes on, in order, every entry logged before it was called that
// it has not passed yet, and returns apply's first error, if any, then and
// ever after.
func (f *SharedFollower) Sync() error {
	f.shared.mu.Lock()
	log := f.shared.log[:len(f.shared.log):len(f.shared.log)]
	f.shared.mu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	for ; f.err == nil && f.next < len(log); f.next++ {
		if f.apply == nil {
			continue
		}
		e := log[f.next]
		k := e.c.Secret.Key()
		c := e.c
		c.Secret = clone(c.Secret)
		f.err = f.apply(k, c, e.rev)
		if errors.Is(f.err, store.ErrGap) {
			c, rev := f.shared.whole(k)
			f.err = f.apply(k, c, rev)
		}
	}
	return f.err
}

// whole returns the state of the secret of key k as Load yields it.
func (m *Memory) whole(k string) store.SecretSnapshot {
	s := m.secrets[k]
	snap := clone(s.header)
	for _, p := range slices.SortedFunc(maps.Values(s.versions), func(a, b *place) int { return a.n - b.n }) {
		if p.pruned {
			snap.Pruned = append(snap.Pruned, p.v.VersionId)
		} else {
			snap.Versions = append(snap.Versions, cloneVersion(p.v))
		}
	}
	return snap
}
