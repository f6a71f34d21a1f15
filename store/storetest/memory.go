// Package storetest checks implementations of [store.Backend] against the
// durability contract ([Run]), and offers three backends for tests:
// [Memory], the contract kept in memory as plainly as it can be; [Shared],
// a Memory that several stores share and follow ([store.Follower]); and
// [Faulty], which fails on demand.
package storetest

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/stagelabel/stagelabel/store"
)

// Memory is a [store.Backend] that keeps what it is given in memory: the
// reference the contract is checked against, and a backend for tests. It
// is durable only as long as the value lives. The zero Memory is empty and
// ready to use.
type Memory struct {
	mu      sync.Mutex
	rev     store.Revision
	secrets map[string]*stored
}

// stored is one secret in a Memory.
type stored struct {
	rev      store.Revision
	header   store.SecretSnapshot // without Versions and Pruned
	versions map[string]*place
	next     int
}

// place is one version of a stored secret, at the place it was first
// written.
type place struct {
	n      int
	v      store.VersionSnapshot
	pruned bool
}

// Commit makes c, as the contract says.
func (m *Memory) Commit(c store.Change) (store.Revision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.secrets[c.Secret.Key()]
	if cur == nil && c.Prev != 0 || cur != nil && cur.rev != c.Prev {
		return 0, store.ErrConflict
	}
	m.rev++
	if c.Removed {
		delete(m.secrets, c.Secret.Key())
		return m.rev, nil
	}
	if m.secrets == nil {
		m.secrets = map[string]*stored{}
	}
	if cur == nil {
		cur = &stored{versions: map[string]*place{}}
		m.secrets[c.Secret.Key()] = cur
	}
	cur.rev = m.rev
	cur.header = clone(c.Secret)
	cur.header.Versions, cur.header.Pruned = nil, nil
	at := func(id string) *place {
		p := cur.versions[id]
		if p == nil {
			p = &place{n: cur.next}
			cur.next++
			cur.versions[id] = p
		}
		return p
	}
	for _, v := range c.Secret.Versions {
		p := at(v.VersionId)
		p.v, p.pruned = cloneVersion(v), false
	}
	for _, id := range c.Secret.Pruned {
		p := at(id)
		p.v, p.pruned = store.VersionSnapshot{VersionId: id}, true
	}
	return m.rev, nil
}

// Load yields every stored secret, by name.
func (m *Memory) Load(yield func(store.SecretSnapshot, store.Revision) error) error {
	m.mu.Lock()
	var all []store.SecretSnapshot
	var revs []store.Revision
	for _, name := range slices.Sorted(maps.Keys(m.secrets)) {
		all, revs = append(all, m.whole(name)), append(revs, m.secrets[name].rev)
	}
	m.mu.Unlock()
	for i, s := range all {
		if err := yield(s, revs[i]); err != nil {
			return err
		}
	}
	return nil
}

// clone returns a copy of s that shares no memory with it.
func clone(s store.SecretSnapshot) store.SecretSnapshot {
	c := s
	c.Tags = slices.Clone(s.Tags)
	c.Labels = maps.Clone(s.Labels)
	c.Pruned = slices.Clone(s.Pruned)
	if r := s.RotationRules; r != nil {
		rules := *r
		if r.AutomaticallyAfterDays != nil {
			days := *r.AutomaticallyAfterDays
			rules.AutomaticallyAfterDays = &days
		}
		c.RotationRules = &rules
	}
	c.Versions = nil
	for _, v := range s.Versions {
		c.Versions = append(c.Versions, cloneVersion(v))
	}
	return c
}

func cloneVersion(v store.VersionSnapshot) store.VersionSnapshot {
	c := v
	if v.SecretString != nil {
		text := *v.SecretString
		c.SecretString = &text
	}
	if v.SecretBinary != nil {
		c.SecretBinary = append([]byte{}, v.SecretBinary...)
	}
	return c
}

// Faulty is a [store.Backend] that passes commits on to Backend, or fails
// them, making nothing, while [Faulty.Fail] is on: the fault a full or
// read-only disk makes.
type Faulty struct {
	store.Backend
	failing atomic.Bool
}

// ErrInjected is the error of a commit that [Faulty] failed.
const ErrInjected = injected("storetest: injected failure")

type injected string

func (e injected) Error() string { return string(e) }

// Fail turns failing on or off.
func (f *Faulty) Fail(on bool) { f.failing.Store(on) }

// Commit returns ErrInjected while failing is on, and otherwise what
// Backend.Commit returns.
func (f *Faulty) Commit(c store.Change) (store.Revision, error) {
	if f.failing.Load() {
		return 0, ErrInjected
	}
	return f.Backend.Commit(c)
}
