package store

import (
	"cmp"
	"slices"
)

// Reset removes every secret of every namespace of the store (see
// [Store.In]), those scheduled for deletion and replicas included, as a
// DeleteSecret with ForceDeleteWithoutRecovery removes one, and returns
// how many it removed (those whose recovery window was over, which no
// operation finds, are removed but not counted). It is an emulator's operation, not AWS's: it
// refuses no secret, a primary with replicas included. With a backend,
// each removal is committed before it is made; on the first the backend
// refuses, Reset stops and returns the error, having removed the secrets
// counted. The observer ([WithObserver]) gets an Event of Op "Reset" for
// each secret removed.
//
// Each secret is removed at its own instant, not all at one: a secret
// created while Reset runs may remain.
func (st *Store) Reset() (int, error) {
	const op = "Reset"
	if err := st.sync(op); err != nil {
		return 0, err
	}
	var spaces []*Store
	st.spaces.Range(func(_, v any) bool {
		spaces = append(spaces, v.(*space).self)
		return true
	})
	removed := 0
	for _, ns := range spaces {
		var err error
		ns.names.Range(func(k, v any) bool {
			name, sl := k.(string), v.(*slot)
			for {
				r := sl.rec.Load()
				if r == nil { // its creation is not committed yet: not there
					return true
				}
				if r.meta.purged { // its removal is committed: only the index holds it
					ns.names.CompareAndDelete(name, sl)
					return true
				}
				existed := !r.gone(ns.now()) // else its recovery window is over: already not found
				var stale bool
				if stale, err = ns.expire(op, name, sl, r); err != nil {
					return false
				}
				if !stale {
					if existed {
						removed++
						if ns.observe != nil {
							ns.observe(Event{Op: op, Name: r.secret.Name(), ARN: r.secret.ARN()})
						}
					}
					return true
				}
			}
		})
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// Namespaces returns the namespaces of the store's set (see [Store.In]):
// those of the secrets it holds or held, and those asked for, by region
// then account.
func (st *Store) Namespaces() []Namespace {
	var all []Namespace
	st.spaces.Range(func(k, _ any) bool {
		all = append(all, k.(Namespace))
		return true
	})
	slices.SortFunc(all, func(a, b Namespace) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Account, b.Account))
	})
	return all
}

// Len returns the number of secrets in the store's namespace, those
// scheduled for deletion included, as DescribeSecret finds them. It reads
// each secret at its own instant.
func (st *Store) Len() int {
	now, n := st.now(), 0
	st.names.Range(func(_, v any) bool {
		if r := v.(*slot).rec.Load(); r != nil && !r.gone(now) {
			n++
		}
		return true
	})
	return n
}
