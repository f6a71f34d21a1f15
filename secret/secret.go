// Package secret holds [Secret], the immutable value of one secret: its
// versions and the staging labels on them, with the operations of AWS
// Secrets Manager that change them.
//
// Every change returns a new Secret or an error, never both, and never
// alters the receiver, so a Secret may be shared between goroutines
// without locks and kept as a snapshot for as long as needed. Errors are
// *[stagelabel.Error] values carrying the AWS error code and message.
//
// Each behaviour is documented with the grade of its evidence, as the
// root package describes: [R] recorded from AWS, [D] documented by AWS,
// [M] modeled by stagelabel where AWS's behaviour is not known.
package secret

import (
	"cmp"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// Secret is one secret: a name, an optional ARN, its versions and the
// staging labels on them. It is an immutable value: methods that change it
// return a new Secret, and values that share history share its memory.
//
// The zero Secret is a secret with an empty name and no versions.
type Secret struct {
	name     string
	arn      string
	versions trie   // every version ever put, pruned ones as tombstones
	queue    queue  // the live versions by arrival, sharing versions' entries
	live     int    // versions not pruned
	seq      uint64 // the arrival number of the next version
	labels   table  // who carries which label
}

// New returns a secret called name with no versions, as CreateSecret makes
// it when given no value.
func New(name string) Secret { return Secret{name: name} }

// Name returns the secret's name.
func (s Secret) Name() string { return s.name }

// ARN returns the secret's ARN, or "" if none was set with [Secret.WithARN].
func (s Secret) ARN() string { return s.arn }

// WithARN returns s with the given ARN. Errors that AWS words with the
// secret's ARN use it; without one they use the name.
func (s Secret) WithARN(arn string) Secret {
	s.arn = arn
	return s
}

// ref returns what messages call the secret: its ARN, else its name.
func (s Secret) ref() string {
	if s.arn != "" {
		return s.arn
	}
	return s.name
}

// add returns s with v added as its newest version, which must be new.
func (s Secret) add(v version.Version) Secret {
	var e *entry
	s.versions, e = s.versions.with(entry{v: v, seq: s.seq})
	s.queue = s.queue.add(e)
	s.seq++
	s.live++
	return s
}

// Len returns the number of versions of s, deprecated ones included and
// pruned ones not.
func (s Secret) Len() int { return s.live }

// Version returns the version with the given id. A pruned version is not
// found.
func (s Secret) Version(id version.ID) (version.Version, bool) {
	e, ok := s.versions.get(id)
	if !ok || e.deleted {
		return version.Version{}, false
	}
	return e.v, true
}

// Find returns the version that carries label. It does not allocate, and its
// cost does not depend on the number of versions.
func (s Secret) Find(label stage.Label) (version.Version, bool) {
	id, ok := s.labels.holder(label)
	if !ok {
		return version.Version{}, false
	}
	return s.Version(id)
}

// Labels returns the labels on version id, sorted; none for a deprecated or
// unknown version.
func (s Secret) Labels(id version.ID) []stage.Label { return s.labels.labels(id) }

// Deprecated reports whether version id exists and carries no label. A
// deprecated version still exists [D].
func (s Secret) Deprecated(id version.ID) bool {
	_, ok := s.Version(id)
	return ok && !s.labels.carries(id)
}

// LabelMap returns each label on the versions of s with the id of the
// version that carries it: the shape [Assemble] takes. [Secret.Labels] gives
// the labels of one version, as DescribeSecret's VersionIdsToStages lists
// them. Deprecated versions carry none [R] (§G10); a secret with no labels
// gives an empty map. The map is the caller's.
func (s Secret) LabelMap() map[stage.Label]version.ID {
	return maps.Collect(s.AllLabels())
}

// AllLabels returns an iterator over the labels on the versions of s, in
// label order, each with the id of the version that carries it.
func (s Secret) AllLabels() iter.Seq2[stage.Label, version.ID] {
	return func(yield func(stage.Label, version.ID) bool) {
		for _, a := range s.labels {
			if !yield(a.label, a.id) {
				return
			}
		}
	}
}

// LabelCount returns the number of distinct labels on the versions of s, at
// most [MaxLabels].
func (s Secret) LabelCount() int { return len(s.labels) }

// entries returns the live entries of s, oldest first.
func (s Secret) entries() []entry {
	es := make([]entry, 0, s.live)
	for e := range s.versions.all {
		if !e.deleted {
			es = append(es, e)
		}
	}
	return oldestFirst(es)
}

// oldestFirst sorts es by arrival and returns it.
func oldestFirst(es []entry) []entry {
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	return es
}

// All returns an iterator over every version of s, deprecated ones
// included, oldest first.
func (s Secret) All() iter.Seq[version.Version] {
	return func(yield func(version.Version) bool) {
		for _, e := range s.entries() {
			if !yield(e.v) {
				return
			}
		}
	}
}

// Labelled returns an iterator over the versions of s that carry at least
// one label, oldest first: All without the deprecated versions.
func (s Secret) Labelled() iter.Seq[version.Version] {
	return func(yield func(version.Version) bool) {
		for v := range s.All() {
			if s.labels.carries(v.ID()) && !yield(v) {
				return
			}
		}
	}
}

// VersionIDs returns the ids of every version of s, deprecated ones
// included, oldest first.
func (s Secret) VersionIDs() []version.ID {
	ids := make([]version.ID, 0, s.live)
	for v := range s.All() {
		ids = append(ids, v.ID())
	}
	return ids
}

// Equal reports whether s and t hold the same name, ARN, versions (in the
// same order, compared with [version.Version.Equal]), pruned version ids
// and labels. Comparing a Secret with one derived from it by MoveLabel, or
// by a Put that changed nothing, costs O(labels); other comparisons walk
// the versions.
func (s Secret) Equal(t Secret) bool {
	if s.name != t.name || s.arn != t.arn || s.live != t.live || s.versions.n != t.versions.n ||
		!slices.Equal(s.labels, t.labels) {
		return false
	}
	if s.versions.root == t.versions.root {
		return true // one history: the trie is persistent, so shared means equal
	}
	if !slices.EqualFunc(s.entries(), t.entries(), func(a, b entry) bool { return a.v.Equal(b.v) }) {
		return false
	}
	for e := range s.versions.all {
		if f, ok := t.versions.get(e.v.ID()); !ok || f.deleted != e.deleted {
			return false
		}
	}
	return true
}

// String returns the name of s and its versions, oldest first, each with its
// labels: `secret "db" {v1: [AWSPREVIOUS], v2: [AWSCURRENT AWSPENDING], v3: []}`.
// It never includes a payload.
func (s Secret) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "secret %q {", s.name)
	for i, v := range slices.Collect(s.All()) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %v", v.ID(), s.Labels(v.ID()))
	}
	b.WriteString("}")
	return b.String()
}

// Format makes every fmt verb print s as [Secret.String] does, so that no
// verb, %#v included, reaches a payload.
func (s Secret) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), s.String())
}

// LogValue makes log/slog log s as a group of its name, its ARN when set,
// its number of versions ([Secret.Len]) and its labels, each with the id of
// the version that carries it, in label order; a secret with no labels
// logs no labels group. The JSON handler writes
// {"name":"db","versions":2,"labels":{"AWSCURRENT":"<id>","AWSPREVIOUS":"<id>"}}.
// It never logs a payload.
func (s Secret) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 4)
	attrs = append(attrs, slog.String("name", s.name))
	if s.arn != "" {
		attrs = append(attrs, slog.String("arn", s.arn))
	}
	attrs = append(attrs, slog.Int("versions", s.live))
	if len(s.labels) > 0 {
		labels := make([]slog.Attr, 0, len(s.labels))
		for l, id := range s.AllLabels() {
			labels = append(labels, slog.String(string(l), string(id)))
		}
		attrs = append(attrs, slog.Attr{Key: "labels", Value: slog.GroupValue(labels...)})
	}
	return slog.GroupValue(attrs...)
}
