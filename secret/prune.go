package secret

import (
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
// now: while s has more than [MaxVersions] versions, the oldest deprecated
// version created at least [MinPruneAge] before now goes, the oldest by
// creation time first, by arrival among equals [M]. Labelled versions are never removed [D]. A pruned id stays
// known: operations naming it fail with InvalidRequestException "You can't
// perform this operation on secret version <id> because it was deleted."
// [R]. Prune takes the time as an argument; it reads no clock.
func (s Secret) Prune(now time.Time) Secret {
	if s.live <= MaxVersions {
		return s
	}
	es := s.entries()
	slices.SortStableFunc(es, func(a, b entry) int { return a.v.Created().Compare(b.v.Created()) })
	for _, e := range es {
		if s.live <= MaxVersions {
			break
		}
		if s.labels.carries(e.v.ID()) || now.Sub(e.v.Created()) < MinPruneAge {
			continue
		}
		s.versions = s.versions.with(entry{v: version.New(e.v.ID()), seq: e.seq, deleted: true})
		s.live--
	}
	return s
}

// Deleted reports whether version id was pruned.
func (s Secret) Deleted(id version.ID) bool {
	e, ok := s.versions.get(id)
	return ok && e.deleted
}
