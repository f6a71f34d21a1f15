package secret

import (
	"slices"

	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// MaxLabels is the most distinct staging labels a secret may carry across
// all of its versions [D].
const MaxLabels = 20

// assignment says which version carries a label.
type assignment struct {
	label stage.Label
	id    version.ID
}

// table is the label-to-version map of a Secret: at most [MaxLabels]
// assignments sorted by label, so each label sits on one version by
// construction. A Secret's table is never written after it is built;
// changes happen on a clone.
type table []assignment

// holder returns the version carrying label.
func (t table) holder(label stage.Label) (version.ID, bool) {
	for _, a := range t {
		if a.label == label {
			return a.id, true
		}
	}
	return "", false
}

// labels returns the labels on version id, sorted.
func (t table) labels(id version.ID) []stage.Label {
	var out []stage.Label
	for _, a := range t {
		if a.id == id {
			out = append(out, a.label)
		}
	}
	return out
}

// carries reports whether version id carries a label.
func (t table) carries(id version.ID) bool {
	return slices.ContainsFunc(t, func(a assignment) bool { return a.id == id })
}

// clone returns a copy of t with room for extra more assignments, for
// changing in place.
func (t table) clone(extra int) table {
	return append(make(table, 0, len(t)+extra), t...)
}

// assign puts label on version id, taking it off any other version. It
// changes t in place: call it only on a clone.
func (t table) assign(label stage.Label, id version.ID) table {
	i, found := slices.BinarySearchFunc(t, label, func(a assignment, l stage.Label) int { return a.label.Compare(l) })
	if found {
		t[i].id = id
		return t
	}
	return slices.Insert(t, i, assignment{label, id})
}

// remove takes label off whichever version carries it. It changes t in
// place: call it only on a clone.
func (t table) remove(label stage.Label) table {
	return slices.DeleteFunc(t, func(a assignment) bool { return a.label == label })
}

// moveCurrent puts [stage.Current] on version to, with the automatic
// moves that come with it: the version it leaves gains [stage.Previous],
// taken from whoever held it [R]. With dropPending, as PutSecretValue does
// [R], the version it leaves also loses [stage.Pending]. Every other label
// stays where it is. It changes t in place: call it only on a clone.
func (t table) moveCurrent(to version.ID, dropPending bool) table {
	from, ok := t.holder(stage.Current)
	if ok && from == to {
		return t
	}
	t = t.assign(stage.Current, to)
	if !ok {
		return t // no version held it: no AWSPREVIOUS move [M]
	}
	t = t.assign(stage.Previous, from)
	if pending, ok := t.holder(stage.Pending); dropPending && ok && pending == from {
		t = t.remove(stage.Pending)
	}
	return t
}
