package store

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/stagelabel/stagelabel"
)

// sync brings a store on a [Follower] up to every change committed before
// it was called, by this store or another (docs/semantics.md §ST8). When
// the follower cannot tell in time, the operation op is refused,
// InternalServiceError "An error occurred on the server side." (§ST9).
func (st *Store) sync(op string) error {
	if st.follower == nil {
		return nil
	}
	if err := st.follower.Sync(); err != nil {
		return &stagelabel.Error{Op: op, Code: stagelabel.ErrInternalService, Message: "An error occurred on the server side.", Err: err}
	}
	return nil
}

// follow installs what a [Follower] passes: the state s of the secret
// with key k at revision rev, or its removal when s is nil. A state no
// newer than the one the store holds is ignored; so is a state older than
// a removal this store committed and the feed has not yet passed, which
// would bring back a secret removed since.
//
// It takes the secret's slot lock, as a writer does: a writer holds it
// from the record it read until it has published its change, which the
// feed then either passes later (ignored: same revision) or already
// passed (the writer's commit was refused, and it starts again).
func (st *Store) follow(k string, s *SecretSnapshot, rev Revision) error {
	ns, ok := namespaceOf(k)
	_, name, ok2 := strings.Cut(k, ":secret:")
	if !ok || !ok2 || name == "" || s != nil && (s.Key() != k || s.Name != name) {
		return fmt.Errorf("store: following: key %q names no secret of a store, or not this one", k)
	}
	sp, err := st.In(ns)
	if err != nil {
		return fmt.Errorf("store: following: key %q: %w", k, err)
	}
	var r *record
	if s != nil {
		if r, err = st.fromSnapshot(*s); err != nil {
			return fmt.Errorf("store: following: %w", err)
		}
		r.rev = rev
	}
	for {
		v, ok := sp.names.Load(name)
		if !ok {
			d, removed := st.removed.Load(k)
			if removed && d.(Revision) <= rev {
				st.removed.CompareAndDelete(k, d) // the feed has passed it
			}
			if r == nil || removed && d.(Revision) >= rev {
				return nil
			}
			sl := &slot{}
			sl.rec.Store(r)
			if _, taken := sp.names.LoadOrStore(name, sl); !taken {
				return nil
			}
			continue
		}
		sl := v.(*slot)
		sl.mu.Lock()
		if cur, _ := sp.names.Load(name); cur != sl {
			sl.mu.Unlock() // taken out of the index while we waited
			continue
		}
		old := sl.rec.Load()
		switch {
		case old == nil: // not committed yet (a store without a lock on it): wait
			sl.mu.Unlock()
			runtime.Gosched()
			continue
		case old.rev >= rev:
		case old.meta.purged: // older, and on its way out of the index: take it out
			sp.names.CompareAndDelete(name, sl)
			sl.mu.Unlock()
			continue
		case r == nil:
			tomb := old.cloneMeta()
			tomb.meta.purged, tomb.rev = true, rev
			sl.rec.Store(tomb) // so that an operation that read old cannot publish a change of it
			sp.names.CompareAndDelete(name, sl)
		default:
			sl.rec.Store(r)
		}
		sl.mu.Unlock()
		return nil
	}
}
