package secret

import (
	"cmp"
	"slices"
	"time"

	"github.com/stagelabel/stagelabel/version"
)

// Pruning limits: AWS removes deprecated versions only while a secret has
// more than MaxVersions versions, and never one younger than MinPruneAge
// [D].
const (
	MaxVersions = 100
	MinPruneAge = 24 * time.Hour
)

// Prune returns s without the deprecated versions AWS would remove at time
// now, and the ids of the versions it removed, in the order it removed
// them: while s has more than [MaxVersions] versions, the oldest deprecated
// version created at least [MinPruneAge] before now goes, the oldest by
// creation time first, by arrival among equals [M]. Labelled versions are
// never removed [D]. A pruned id stays known: operations naming it fail
// with InvalidRequestException "You can't perform this operation on secret
// version <id> because it was deleted." [M]. Prune takes the time as an
// argument; it reads no clock.
//
// Its cost does not depend on the number of versions while their creation
// times rise with their arrival, as they do when Put and Rotate are given
// the time of the call: it reads the oldest versions only, up to the first
// deprecated one too young to go, stepping over at most [MaxLabels]
// labelled ones. While some version was created before one that arrived
// earlier, it walks every version.
func (s Secret) Prune(now time.Time) (Secret, []version.ID) {
	if s.live <= MaxVersions {
		return s, nil
	}
	var doomed []*entry
	if s.queue.unsorted {
		doomed = s.pruneAll(now)
	} else {
		doomed = s.pruneOldest(now)
	}
	if len(doomed) == 0 {
		return s, nil
	}
	ids := make([]version.ID, len(doomed))
	for i, e := range doomed {
		s.versions, _ = s.versions.with(entry{v: version.New(e.v.ID()), seq: e.seq, deleted: true})
		s.queue = s.queue.without(e.seq)
		s.live--
		ids[i] = e.v.ID()
	}
	if s.queue.unsorted {
		s.queue = s.queue.recheck()
	}
	return s, ids
}

// pruneOldest returns the entries Prune removes, in order, when the queue
// is sorted: arrival order is then the order of creation, and no version
// after one too young to go is old enough.
func (s Secret) pruneOldest(now time.Time) []*entry {
	var doomed []*entry
	for e := range s.queue.all {
		if s.labels.carries(e.v.ID()) {
			continue
		}
		if now.Sub(e.v.Created()) < MinPruneAge {
			break
		}
		if doomed = append(doomed, e); len(doomed) == s.live-MaxVersions {
			break
		}
	}
	return doomed
}

// pruneAll returns the entries Prune removes, in order, by a walk over
// every live version, for when the queue is not sorted.
func (s Secret) pruneAll(now time.Time) []*entry {
	var candidates []*entry
	for e := range s.queue.all {
		if !s.labels.carries(e.v.ID()) && now.Sub(e.v.Created()) >= MinPruneAge {
			candidates = append(candidates, e)
		}
	}
	slices.SortFunc(candidates, func(a, b *entry) int {
		if c := a.v.Created().Compare(b.v.Created()); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	return candidates[:min(len(candidates), s.live-MaxVersions)]
}

// Pruned reports whether version id was removed by [Secret.Prune]: a
// version s once had and no longer has, whose id [Secret.PrunedIDs] lists.
// It reports false for a live version and for an id s never had.
func (s Secret) Pruned(id version.ID) bool {
	e, ok := s.versions.get(id)
	return ok && e.deleted
}
