package secret

import (
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// Assemble builds a secret with versions vs, oldest first, and the given
// labels, without going through the operations: tests use it to start
// from any state SEMANTICS.md describes.
func Assemble(name string, vs []version.Version, labels map[stage.Label]version.ID) Secret {
	s := New(name)
	for _, v := range vs {
		s.versions = s.versions.with(entry{v: v, seq: s.seq})
		s.seq++
		s.live++
	}
	t := table{}
	for l, id := range labels {
		t = t.assign(l, id)
	}
	s.labels = t
	return s
}
