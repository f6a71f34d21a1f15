package secret

import (
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
// version created at least [MinPruneAge] before now goes, in order of
// arrival [M]. Labelled versions are never removed [D]. A pruned id stays
// known: operations naming it fail with InvalidRequestException "You can't
// perform this operation on secret version <id> because it was deleted."
// [R]. Prune takes the time as an argument; it reads no clock.
func (s Secret) Prune(now time.Time) Secret {
	if s.live <= MaxVersions {
		return s
	}
	for _, e := range s.entries() {
		if s.live <= MaxVersions {
			break
		}
		if len(s.labels.labels(e.v.ID())) > 0 || now.Sub(e.v.Created()) < MinPruneAge {
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
