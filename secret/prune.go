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
// creation time first, by arrival among equals [M]. Labelled versions are never removed [D]. A pruned id stays
// known: operations naming it fail with InvalidRequestException "You can't
// perform this operation on secret version <id> because it was deleted."
// [R]. Prune takes the time as an argument; it reads no clock.
func (s Secret) Prune(now time.Time) (Secret, []version.ID) {
	if s.live <= MaxVersions {
		return s, nil
	}
	// One walk picks the candidates; only they are sorted.
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
		s.versions = s.versions.with(entry{v: version.New(e.v.ID()), seq: e.seq, deleted: true})
		s.live--
		ids[i] = e.v.ID()
	}
	return s, ids
}

// Deleted reports whether version id was pruned.
func (s Secret) Deleted(id version.ID) bool {
	e, ok := s.versions.get(id)
	return ok && e.deleted
}
