package secret

import (
	"fmt"
	"maps"
	"slices"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// Assemble builds a secret from its parts as a snapshot keeps them: its
// versions oldest first, the version each label is on, and the ids of its
// pruned versions. It is not AWS's RestoreSecret, which cancels a scheduled
// deletion (package store has that). It checks everything a Secret made by the operations
// satisfies (ids and labels of valid length, ids unique, each label on one
// of the versions, at most [MaxLabels] labels, AWSCURRENT on a version once
// one has a payload) and returns a ValidationException naming the first
// fault otherwise.
//
// Faults are looked for in a fixed order, labels in sorted order. For any
// Secret s, Assemble(s.Name(), slices.Collect(s.All()), s.LabelMap(),
// s.PrunedIDs()) returns a Secret Equal to s but for its ARN, which
// [Secret.WithARN] sets.
func Assemble(name string, versions []version.Version, labels map[stage.Label]version.ID, pruned []version.ID) (Secret, error) {
	invalid := func(format string, args ...any) (Secret, error) {
		return Secret{}, &stagelabel.Error{Op: "Assemble", Code: stagelabel.ErrValidation, Message: fmt.Sprintf(format, args...)}
	}
	s := New(name)
	valued := false
	for _, v := range versions {
		if !v.ID().Valid() {
			return invalid("version id %q has an invalid length", v.ID())
		}
		if _, dup := s.versions.get(v.ID()); dup {
			return invalid("version %s appears twice", v.ID())
		}
		s = s.add(v)
		valued = valued || v.HasValue()
	}
	for _, id := range pruned {
		if !id.Valid() {
			return invalid("pruned version id %q has an invalid length", id)
		}
		if _, dup := s.versions.get(id); dup {
			return invalid("version %s appears twice", id)
		}
		s.versions, _ = s.versions.with(entry{v: version.New(id), seq: s.seq, deleted: true})
		s.seq++
	}
	if len(labels) > MaxLabels {
		return invalid("%d staging labels, more than %d", len(labels), MaxLabels)
	}
	t := make(table, 0, len(labels))
	for _, l := range slices.Sorted(maps.Keys(labels)) {
		id := labels[l]
		if !l.Valid() {
			return invalid("staging label %q has an invalid length", l)
		}
		if e, ok := s.versions.get(id); !ok || e.deleted {
			return invalid("staging label %s is on version %s, which the secret does not have", l, id)
		}
		t = t.assign(l, id)
	}
	if _, ok := t.holder(stage.Current); valued && !ok {
		return invalid("no version carries AWSCURRENT")
	}
	s.labels = t
	return s, nil
}

// PrunedIDs returns the ids of the versions that [Secret.Prune] removed,
// in the order they had arrived.
func (s Secret) PrunedIDs() []version.ID {
	var es []entry
	for e := range s.versions.all {
		if e.deleted {
			es = append(es, e)
		}
	}
	ids := make([]version.ID, 0, len(es))
	for _, e := range oldestFirst(es) {
		ids = append(ids, e.v.ID())
	}
	return ids
}
