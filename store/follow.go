package store

import (
	"fmt"
	"runtime"
	"slices"
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

// follow installs what a [Follower] passes: change c of the secret with
// key k, which gave it revision rev (see Follower). A state no newer than
// the one the store holds is ignored; so is a state older than a removal
// this store committed and the feed has not yet passed, which would bring
// back a secret removed since. A change made from a state the store does
// not hold is [ErrGap].
//
// It takes the secret's slot lock, as a writer does: a writer holds it
// from the record it read until it has published its change, which the
// feed then either passes later (ignored: same revision) or already
// passed (the writer's commit was refused, and it starts again).
func (st *Store) follow(k string, c Change, rev Revision) error {
	ns, ok := namespaceOf(k)
	_, name, ok2 := strings.Cut(k, ":secret:")
	if !ok || !ok2 || name == "" || !c.Removed && (c.Secret.Key() != k || c.Secret.Name != name) {
		return fmt.Errorf("store: following: key %q names no secret of a store, or not the one changed", k)
	}
	sp, err := st.In(ns)
	if err != nil {
		return fmt.Errorf("store: following: key %q: %w", k, err)
	}
	// next returns the record c makes of old, nil for a removal.
	next := func(old *record) (*record, error) {
		if c.Removed {
			return nil, nil
		}
		s := c.Secret
		if c.Prev != 0 {
			s = merged(old.snapshot(), c.Secret)
		}
		r, err := st.fromSnapshot(s)
		if err != nil {
			return nil, fmt.Errorf("store: following: %w", err)
		}
		r.rev = rev
		return r, nil
	}
	for {
		v, ok := sp.names.Load(name)
		if !ok {
			d, removed := st.removed.Load(k)
			if removed && d.(Revision) <= rev {
				st.removed.CompareAndDelete(k, d) // the feed has passed it
			}
			switch {
			case c.Removed || removed && d.(Revision) >= rev:
				return nil
			case c.Prev != 0:
				return ErrGap
			}
			r, err := next(nil)
			if err != nil {
				return err
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
			if d, ok := st.removed.Load(k); c.Removed && ok && d.(Revision) <= rev {
				st.removed.CompareAndDelete(k, d) // its own removal, passed before the slot left the index
			}
		case old.meta.purged: // older, and on its way out of the index: take it out
			sp.names.CompareAndDelete(name, sl)
			sl.mu.Unlock()
			continue
		case c.Removed:
			tomb := old.cloneMeta()
			tomb.meta.purged, tomb.rev = true, rev
			sl.rec.Store(tomb) // so that an operation that read old cannot publish a change of it
			sp.names.CompareAndDelete(name, sl)
		case c.Prev != 0 && c.Prev != old.rev:
			sl.mu.Unlock()
			return ErrGap
		default:
			r, err := next(old)
			if err != nil {
				sl.mu.Unlock()
				return err
			}
			sl.rec.Store(r)
		}
		sl.mu.Unlock()
		return nil
	}
}

// merged returns the state the change of header, versions and pruned ids
// ch makes of the whole state s: ch's members, s's versions with those ch
// wrote again in their places and those it added after them, without
// those it pruned, whose ids join s's pruned ones.
func merged(s, ch SecretSnapshot) SecretSnapshot {
	versions, pruned := slices.Clone(s.Versions), slices.Clone(s.Pruned)
	at := make(map[string]int, len(versions))
	for i, v := range versions {
		at[v.VersionId] = i
	}
	for _, v := range ch.Versions {
		if i, ok := at[v.VersionId]; ok {
			versions[i] = v
		} else {
			at[v.VersionId] = len(versions)
			versions = append(versions, v)
		}
	}
	if len(ch.Pruned) > 0 {
		versions = slices.DeleteFunc(versions, func(v VersionSnapshot) bool { return slices.Contains(ch.Pruned, v.VersionId) })
		for _, id := range ch.Pruned {
			if !slices.Contains(pruned, id) {
				pruned = append(pruned, id)
			}
		}
	}
	ch.Versions, ch.Pruned = versions, pruned
	return ch
}
