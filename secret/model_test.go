package secret_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// model is the plain reference model of a secret: a list of versions, each
// with its own set of labels, changed in place, every rule of §L and §V
// written the most direct way. It is what Secret must agree with.
type model struct {
	order    []version.ID
	versions map[version.ID]*mversion
}

type mversion struct {
	value    string
	binary   bool
	hasValue bool
	created  time.Time
	labels   map[stage.Label]bool
	deleted  bool
}

func newModel() *model { return &model{versions: map[version.ID]*mversion{}} }

func (m *model) holder(l stage.Label) (version.ID, bool) {
	for _, id := range m.order {
		if m.versions[id].labels[l] {
			return id, true
		}
	}
	return "", false
}

func (m *model) labelCount() int {
	n := 0
	for _, v := range m.versions {
		n += len(v.labels)
	}
	return n
}

// attach moves l onto id from wherever it is.
func (m *model) attach(l stage.Label, id version.ID) {
	for _, v := range m.versions {
		delete(v.labels, l)
	}
	m.versions[id].labels[l] = true
}

// moveCurrent moves AWSCURRENT onto id with the AWSPREVIOUS move, and with
// dropPending the AWSPENDING removal from the old current.
func (m *model) moveCurrent(id version.ID, dropPending bool) {
	old, ok := m.holder(stage.Current)
	if ok && old == id {
		return
	}
	m.attach(stage.Current, id)
	if ok {
		m.attach(stage.Previous, old)
		if dropPending {
			delete(m.versions[old].labels, stage.Pending)
		}
	}
}

func (m *model) clone() *model {
	c := &model{order: slices.Clone(m.order), versions: map[version.ID]*mversion{}}
	for id, v := range m.versions {
		w := *v
		w.labels = maps.Clone(v.labels)
		c.versions[id] = &w
	}
	return c
}

// lookup gives the code a call fails with for naming id, if any.
func (m *model) lookup(id version.ID) stagelabel.Code {
	v, ok := m.versions[id]
	switch {
	case !ok:
		return stagelabel.ErrResourceNotFound
	case v.deleted:
		return stagelabel.ErrInvalidRequest
	}
	return ""
}

func badLabel(l stage.Label) bool { n := len([]rune(l)); return n < 1 || n > 256 }
func badID(id version.ID) bool    { n := len([]rune(id)); return n < 32 || n > 64 }

// move is UpdateSecretVersionStage; it returns the code the call fails with.
func (m *model) move(l stage.Label, from, to version.ID) stagelabel.Code {
	if badLabel(l) || (from != "" && badID(from)) || (to != "" && badID(to)) {
		return stagelabel.ErrValidation
	}
	if from == "" && to == "" {
		return stagelabel.ErrInvalidParameter
	}
	for _, id := range []version.ID{from, to} {
		if id != "" && m.lookup(id) != "" {
			return m.lookup(id)
		}
	}
	if l == stage.Current && to == "" {
		return stagelabel.ErrInvalidParameter
	}
	h, attached := m.holder(l)
	if attached && h == to && (from == "" || from == to) {
		return ""
	}
	if attached && from == "" {
		return stagelabel.ErrInvalidParameter
	}
	if from != "" && h != from {
		return stagelabel.ErrInvalidParameter
	}
	next := m.clone()
	switch {
	case to == "":
		delete(next.versions[from].labels, l)
	case l == stage.Current:
		next.moveCurrent(to, false)
	default:
		next.attach(l, to)
	}
	if next.labelCount() > secret.MaxLabels {
		return stagelabel.ErrLimitExceeded
	}
	*m = *next
	return ""
}

// put is PutSecretValue.
func (m *model) put(v version.Version, labels []stage.Label) stagelabel.Code {
	id := v.ID()
	if id == "" {
		return stagelabel.ErrInvalidRequest
	}
	if badID(id) || len(labels) > 20 || slices.ContainsFunc(labels, badLabel) {
		return stagelabel.ErrValidation
	}
	if !v.HasValue() {
		return stagelabel.ErrInvalidRequest
	}
	val, binary := payload(v)
	old, exists := m.versions[id]
	switch {
	case exists && old.deleted:
		return stagelabel.ErrInvalidRequest
	case exists && old.hasValue && old.value == val && old.binary == binary:
		return ""
	case exists && old.hasValue:
		return stagelabel.ErrResourceExists
	}
	next := m.clone()
	if exists {
		next.versions[id].value, next.versions[id].binary, next.versions[id].hasValue = val, binary, true
	} else {
		next.order = append(next.order, id)
		next.versions[id] = &mversion{value: val, binary: binary, hasValue: true, created: v.Created(), labels: map[stage.Label]bool{}}
	}
	// The labels named (AWSCURRENT too when none are, or when no version
	// has it) all end on the new version. If AWSCURRENT moved, the old
	// current gets AWSPREVIOUS unless that was named, and loses AWSPENDING.
	named := map[stage.Label]bool{}
	for _, l := range labels {
		named[l] = true
	}
	oldCurrent, hadCurrent := m.holder(stage.Current)
	if len(labels) == 0 || !hadCurrent {
		named[stage.Current] = true
	}
	for l := range named {
		next.attach(l, id)
	}
	if named[stage.Current] && hadCurrent && oldCurrent != id {
		if !named[stage.Previous] {
			next.attach(stage.Previous, oldCurrent)
		}
		delete(next.versions[oldCurrent].labels, stage.Pending)
	}
	if next.labelCount() > secret.MaxLabels {
		return stagelabel.ErrLimitExceeded
	}
	*m = *next
	return ""
}

// payload returns v's payload as the model keeps it.
func payload(v version.Version) (string, bool) {
	if s, ok := v.SecretString(); ok {
		return s, false
	}
	b, ok := v.SecretBinary()
	return string(b), ok
}

// rotate is RotateSecret's change to the versions.
func (m *model) rotate(id version.ID, created time.Time) stagelabel.Code {
	if id == "" {
		return stagelabel.ErrInvalidParameter
	}
	if badID(id) {
		return stagelabel.ErrValidation
	}
	pending, rotating := m.holder(stage.Pending)
	if old, exists := m.versions[id]; exists {
		switch {
		case !old.deleted && !old.hasValue && rotating && pending == id:
			return ""
		case old.deleted:
			return stagelabel.ErrInvalidRequest
		}
		return stagelabel.ErrResourceExists
	}
	if current, _ := m.holder(stage.Current); rotating && pending != current {
		return stagelabel.ErrInvalidRequest
	}
	next := m.clone()
	next.order = append(next.order, id)
	next.versions[id] = &mversion{created: created, labels: map[stage.Label]bool{}}
	next.attach(stage.Pending, id)
	if next.labelCount() > secret.MaxLabels {
		return stagelabel.ErrLimitExceeded
	}
	*m = *next
	return ""
}

// prune removes deprecated versions past 100, the oldest by creation time
// first (by arrival among equals), none younger than a day.
func (m *model) prune(now time.Time) {
	live := 0
	var candidates []version.ID
	for _, id := range m.order {
		v := m.versions[id]
		if v.deleted {
			continue
		}
		live++
		if len(v.labels) == 0 && now.Sub(v.created) >= 24*time.Hour {
			candidates = append(candidates, id)
		}
	}
	slices.SortStableFunc(candidates, func(a, b version.ID) int {
		return m.versions[a].created.Compare(m.versions[b].created)
	})
	for _, id := range candidates[:min(len(candidates), max(0, live-100))] {
		m.versions[id].deleted = true
	}
}

// layout writes m in the notation of layout_test.go.
func (m *model) layout() string {
	var fields []string
	for _, id := range m.order {
		v := m.versions[id]
		if v.deleted {
			continue
		}
		name := strings.TrimRight(string(id), "-")
		if !v.hasValue {
			name += "?"
		}
		var ls []string
		for _, l := range slices.Sorted(maps.Keys(v.labels)) {
			ls = append(ls, abbrev(l))
		}
		fields = append(fields, fmt.Sprintf("%s{%s}", name, strings.Join(ls, ",")))
	}
	return strings.Join(fields, " ")
}

// Generators. Ids and labels come from small pools, so that calls collide
// with what exists, plus values that break the length rules.

func genID() *rapid.Generator[version.ID] {
	return rapid.OneOf(
		rapid.Custom(func(t *rapid.T) version.ID { return id(fmt.Sprint("v", rapid.IntRange(0, 7).Draw(t, "n"))) }),
		rapid.SampledFrom([]version.ID{"", "short", version.ID(strings.Repeat("z", 65))}),
	)
}

func genLabel() *rapid.Generator[stage.Label] {
	return rapid.OneOf(
		rapid.SampledFrom([]stage.Label{stage.Current, stage.Previous, stage.Pending, "X", "AWSSOMETHING"}),
		rapid.Custom(func(t *rapid.T) stage.Label { return stage.Label(fmt.Sprint("L", rapid.IntRange(0, 24).Draw(t, "n"))) }),
		rapid.SampledFrom([]stage.Label{"", stage.Label(strings.Repeat("l", 257))}),
	)
}

func genVersion(created time.Time) *rapid.Generator[version.Version] {
	return rapid.Custom(func(t *rapid.T) version.Version {
		opts := []version.Option{version.WithCreated(created)}
		switch rapid.IntRange(0, 9).Draw(t, "payload") {
		case 0:
			// none
		case 1:
			opts = append(opts, version.WithBinary([]byte(rapid.SampledFrom([]string{"a", ""}).Draw(t, "value"))))
		default:
			opts = append(opts, version.WithString(rapid.SampledFrom([]string{"a", "b", ""}).Draw(t, "value")))
		}
		return version.New(genID().Draw(t, "id"), opts...)
	})
}

// machine drives a Secret and the model with the same calls.
type machine struct {
	s       secret.Secret
	m       *model
	now     time.Time
	history []snapshot // every Secret so far, with its layout then
}

type snapshot struct {
	s      secret.Secret
	layout string
}

// step checks one call's outcome against the model's.
func (sm *machine) step(t *rapid.T, op string, got secret.Secret, err error, want stagelabel.Code) {
	if want == "" {
		if err != nil {
			t.Fatalf("%s: error %v, model succeeds", op, err)
		}
		sm.s = got
		sm.history = append(sm.history, snapshot{got, layout(got)})
		return
	}
	var e *stagelabel.Error
	if !errors.As(err, &e) || !errors.Is(err, want) || e.Message == "" {
		t.Fatalf("%s: error %v, model fails with %s", op, err, want)
	}
	if !got.Equal(secret.Secret{}) {
		t.Fatalf("%s: failed call returned %v, want the zero Secret", op, got)
	}
}

func (sm *machine) check(t *rapid.T) {
	if got, want := layout(sm.s), sm.m.layout(); got != want {
		t.Fatalf("secret %q, model %q", got, want)
	}
	// Invariants (§I1, §I2, §I3): one version a label, at most 20 labels,
	// exactly one AWSCURRENT once a version with a payload exists.
	seen := map[stage.Label]version.ID{}
	withValue := false
	for v := range sm.s.All() {
		withValue = withValue || v.HasValue()
		for _, l := range sm.s.Labels(v.ID()) {
			if other, dup := seen[l]; dup {
				t.Fatalf("%s on %s and %s", l, other, v.ID())
			}
			seen[l] = v.ID()
		}
	}
	if len(seen) > secret.MaxLabels || len(seen) != sm.s.LabelCount() {
		t.Fatalf("%d labels, LabelCount %d", len(seen), sm.s.LabelCount())
	}
	if _, ok := seen[stage.Current]; withValue && !ok {
		t.Fatalf("versions with payload but no AWSCURRENT: %v", sm.s)
	}
	// Every state can be rebuilt from its parts.
	vs, labels, pruned := parts(sm.s)
	if r, err := secret.Assemble(sm.s.Name(), vs, labels, pruned); err != nil || !r.Equal(sm.s) {
		t.Fatalf("Assemble(parts(%v)) = %v, %v", sm.s, r, err)
	}
	// Immutability: no later call changed any earlier value.
	for _, h := range sm.history {
		if got := layout(h.s); got != h.layout {
			t.Fatalf("an earlier Secret changed from %q to %q", h.layout, got)
		}
	}
	for n := range 8 {
		vid := id(fmt.Sprint("v", n))
		mv, inModel := sm.m.versions[vid]
		v, ok := sm.s.Version(vid)
		if ok != (inModel && !mv.deleted) || sm.s.Pruned(vid) != (inModel && mv.deleted) {
			t.Fatalf("Version(%s) found %v, Pruned %v; model %+v", vid, ok, sm.s.Pruned(vid), mv)
		}
		if ok {
			val, bin := payload(v)
			if v.HasValue() != mv.hasValue || val != mv.value || bin != mv.binary || !v.Created().Equal(mv.created) {
				t.Fatalf("Version(%s) = %q (binary %v, created %v), model %+v", vid, val, bin, v.Created(), mv)
			}
		}
	}
}

func TestStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sm := &machine{s: secret.New("test"), m: newModel(), now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		t.Repeat(map[string]func(*rapid.T){
			"MoveLabel": func(t *rapid.T) {
				l, from, to := genLabel().Draw(t, "label"), genID().Draw(t, "removeFrom"), genID().Draw(t, "moveTo")
				got, err := sm.s.MoveLabel(l, from, to)
				sm.step(t, fmt.Sprintf("MoveLabel(%s, %s, %s)", l, from, to), got, err, sm.m.move(l, from, to))
			},
			"Put": func(t *rapid.T) {
				sm.now = sm.now.Add(time.Hour)
				v := genVersion(sm.now).Draw(t, "version")
				labels := rapid.SliceOfN(genLabel(), 0, 3).Draw(t, "labels")
				got, err := sm.s.Put(v, labels...)
				sm.step(t, fmt.Sprintf("Put(%s, %v)", v.ID(), labels), got, err, sm.m.put(v, labels))
			},
			"Rotate": func(t *rapid.T) {
				sm.now = sm.now.Add(time.Hour)
				vid := genID().Draw(t, "id")
				got, err := sm.s.Rotate(vid, sm.now)
				sm.step(t, fmt.Sprintf("Rotate(%s)", vid), got, err, sm.m.rotate(vid, sm.now))
			},
			"Prune": func(t *rapid.T) {
				now := sm.now.Add(time.Duration(rapid.IntRange(0, 48).Draw(t, "hours")) * time.Hour)
				sm.s, _ = sm.s.Prune(now)
				sm.m.prune(now)
			},
			"": sm.check,
		})
	})
}

// TestPruneModel checks Prune against the model on long histories, which
// the state machine's small id pool never reaches.
func TestPruneModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		s, m := secret.New("test"), newModel()
		n := rapid.IntRange(90, 130).Draw(t, "versions")
		for i := range n {
			v := version.New(id(fmt.Sprint("v", i)), version.WithString("x"),
				version.WithCreated(t0.Add(time.Duration(rapid.IntRange(0, 72).Draw(t, "age"))*time.Hour)))
			labels := rapid.SliceOfN(rapid.SampledFrom([]stage.Label{stage.Current, stage.Pending, "X", "Y"}), 0, 1).Draw(t, "labels")
			var err error
			if s, err = s.Put(v, labels...); err != nil {
				t.Fatal(err)
			}
			m.put(v, labels)
		}
		for range rapid.IntRange(1, 3).Draw(t, "prunes") {
			now := t0.Add(time.Duration(rapid.IntRange(0, 120).Draw(t, "now")) * time.Hour)
			before := s
			var ids []version.ID
			s, ids = s.Prune(now)
			m.prune(now)
			for _, id := range ids {
				if before.Pruned(id) || !s.Pruned(id) {
					t.Fatalf("Prune(%v) reported %s, which it did not prune", now, id)
				}
			}
			if got, want := len(ids), before.Len()-s.Len(); got != want {
				t.Fatalf("Prune(%v) reported %d versions, pruned %d", now, got, want)
			}
			if got, want := layout(s), m.layout(); got != want {
				t.Fatalf("after Prune(%v): secret %q, model %q", now, got, want)
			}
		}
	})
}
