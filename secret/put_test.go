package secret_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

func TestPut(t *testing.T) {
	const inUse = "You can't use ClientRequestToken %s because that value is already in use for a version of secret test."
	v1, v2 := id("v1"), id("v2")
	newer := func(name string) version.Version { return version.New(id(name), value(name)) }
	tests := []struct {
		rule, name string
		layout     string
		v          version.Version
		labels     []stage.Label
		want       string
		code       stagelabel.Code
		msg        string
	}{
		{"3.1", "the first version gets AWSCURRENT", "", newer("v1"), nil, "v1{C}", "", ""},
		{"3.1", "the first version gets AWSCURRENT beside the labels given", "", newer("v1"), []stage.Label{stage.Pending, "X"}, "v1{C,PEND,X}", "", ""},
		{"3.1", "the first payload after a rotation of an empty secret gets AWSCURRENT", "v1?{PEND}", newer("v1"), []stage.Label{stage.Pending}, "v1{C,PEND}", "", ""},
		{"3.2", "a default put moves AWSCURRENT and AWSPREVIOUS", "v1{C}", newer("v2"), nil, "v1{P} v2{C}", "", ""},
		{"3.2", "a default put removes AWSPENDING from the old current", "v1{P} v2{C,PEND}", newer("v3"), nil, "v1{} v2{P} v3{C}", "", ""},
		{"3.2", "AWSPENDING elsewhere stays", "v1{C} v2{PEND}", newer("v3"), nil, "v1{P} v2{PEND} v3{C}", "", ""},
		{"3.3", "only the named labels move; AWSCURRENT stays", "v1{C}", newer("v2"), []stage.Label{stage.Pending}, "v1{C} v2{PEND}", "", ""},
		{"3.3", "a named label is taken from its holder", "v1{C} v2{PEND}", newer("v3"), []stage.Label{stage.Pending}, "v1{C} v2{} v3{PEND}", "", ""},
		{"3.3", "a label named twice counts once", "v1{C}", newer("v2"), []stage.Label{"X", "X"}, "v1{C} v2{X}", "", ""},
		{"3.4", "AWSCURRENT named moves AWSPREVIOUS as a default put does", "v1{P} v2{C}", newer("v3"), []stage.Label{stage.Current}, "v1{} v2{P} v3{C}", "", ""},
		{"3.4", "AWSCURRENT named with others", "v1{C,X}", newer("v2"), []stage.Label{"Y", stage.Current}, "v1{P,X} v2{C,Y}", "", ""},
		{"3.4", "AWSCURRENT named removes AWSPENDING from the old current", "v1{C,PEND}", newer("v2"), []stage.Label{stage.Current}, "v1{P} v2{C}", "", ""},
		{"3.4", "AWSCURRENT and AWSPENDING named move both", "v1{C,PEND}", newer("v2"), []stage.Label{stage.Pending, stage.Current}, "v1{P} v2{C,PEND}", "", ""},
		{"3.3", "named labels end on the new version whatever their order", "v1{C} v2{P}", newer("v3"), []stage.Label{stage.Previous, stage.Current}, "v1{} v2{} v3{C,P}", "", ""},
		{"3.3", "the same labels in the other order", "v1{C} v2{P}", newer("v3"), []stage.Label{stage.Current, stage.Previous}, "v1{} v2{} v3{C,P}", "", ""},
		{"3.5", "custom labels on the old current stay", "v1{C,X}", newer("v2"), nil, "v1{P,X} v2{C}", "", ""},
		{"3.6", "the same token and value is a no-op", "v1{C} v2{P}", newer("v1"), nil, "v1{C} v2{P}", "", ""},
		{"3.6", "the same token and value ignores labels", "v1{P} v2{C}", newer("v1"), []stage.Label{stage.Current}, "v1{P} v2{C}", "", ""},
		{"3.7", "the same token with another value", "v1{C}", version.New(v1, version.WithString("other")), nil, "",
			stagelabel.ErrResourceExists, strings.Replace(inUse, "%s", string(v1), 1)},
		{"3.7", "a SecretBinary is another value than the same SecretString", "v1{C}", version.New(v1, version.WithBinary([]byte("value of v1"))), nil, "",
			stagelabel.ErrResourceExists, strings.Replace(inUse, "%s", string(v1), 1)},
		{"3.8", "filling a valueless version is no conflict", "v1{C} v2?{PEND}", newer("v2"), []stage.Label{stage.Pending}, "v1{C} v2{PEND}", "", ""},
		{"3.8", "filling by default moves AWSCURRENT onto it", "v1{C} v2?{PEND}", newer("v2"), nil, "v1{P} v2{C,PEND}", "", ""},
		{"3.8", "filling the current version by default moves no label", "v1{P} v2?{C,PEND}", newer("v2"), nil, "v1{P} v2{C,PEND}", "", ""},
		{"3.10", "more than 20 labels", "v1{C}", newer("v2"), slices.Repeat([]stage.Label{"X"}, 21), "",
			stagelabel.ErrValidation, "1 validation error detected: Value '[" + strings.Repeat("X, ", 20) + "X]' at 'versionStages' failed to satisfy constraint: Member must have length less than or equal to 20"},
		{"3.10", "an empty stage", "v1{C}", newer("v2"), []stage.Label{"X", ""}, "",
			stagelabel.ErrValidation, "1 validation error detected: Value '' at 'versionStages.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"3.10", "a short token", "v1{C}", version.New("short", value("x")), nil, "",
			stagelabel.ErrValidation, "1 validation error detected: Value 'short' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32"},
		{"3.11", "no token", "v1{C}", version.New("", value("x")), nil, "",
			stagelabel.ErrInvalidRequest, "You must provide a ClientRequestToken value. We recommend a UUID-type value."},
		{"3.x", "no payload", "v1{C}", version.New(v2), nil, "",
			stagelabel.ErrInvalidRequest, "You must provide either SecretString or SecretBinary."},
		{"3.x", "an empty SecretString is a payload", "v1{C}", version.New(v2, version.WithString("")), nil, "v1{P} v2{C}", "", ""},
		{"2.14", "a 21st label", twenty(""), newer("v2"), []stage.Label{"X"}, "",
			stagelabel.ErrLimitExceeded, "You can attach up to 20 staging labels to a secret."},
		{"2.14", "a default put adding AWSPREVIOUS as the 21st label", twenty(""), newer("v2"), nil, "",
			stagelabel.ErrLimitExceeded, "You can attach up to 20 staging labels to a secret."},
		{"2.14", "moving labels among 20 is fine", twenty(""), newer("v2"), []stage.Label{"LB"}, strings.Replace(twenty("v2{LB}"), ",LB,", ",", 1), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+tt.name, func(t *testing.T) {
			s := build(t, tt.layout)
			before := layout(s)
			got, err := s.Put(tt.v, tt.labels...)
			if !checkCall(t, "Put", s, before, got, err, outcome{tt.want, tt.code, tt.msg}) {
				return
			}
			if v, ok := got.Version(tt.v.ID()); !ok || !v.SameValue(tt.v) {
				t.Errorf("Version(%s) after Put = %#v, %v; want the put payload", tt.v.ID(), v, ok)
			}
		})
	}
}

func TestPutConflictNamesTheARN(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:test-AbCdEf"
	s := build(t, "v1{C}").WithARN(arn)
	_, err := s.Put(version.New(id("v1"), version.WithString("other")))
	check.Err(t, err, stagelabel.ErrResourceExists,
		"You can't use ClientRequestToken "+string(id("v1"))+" because that value is already in use for a version of secret "+arn+".")
}

func TestPutKeepsOrderAndFillKeepsCreation(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := secret.New("db").Put(version.New(id("v1"), value("v1"), version.WithCreated(t0)))
	if err != nil {
		t.Fatal(err)
	}
	s, err = s.Rotate(id("v2"), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s, err = s.Put(version.New(id("v2"), value("v2"), version.WithCreated(t0.Add(2*time.Hour))), stage.Pending)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := s.Version(id("v2"))
	if !v.Created().Equal(t0.Add(time.Hour)) {
		t.Errorf("filled version created %v, want the placeholder's %v", v.Created(), t0.Add(time.Hour))
	}
	s, err = s.Put(version.New(id("v0"), value("v0")), "X")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]version.ID{id("v1"), id("v2"), id("v0")}, s.VersionIDs()); diff != "" {
		t.Errorf("VersionIDs() mismatch (-want +got):\n%s", diff)
	}
}

func TestRotate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v1, v2, v3 := id("v1"), id("v2"), id("v3")
	tests := []struct {
		rule, name string
		layout     string
		id         version.ID
		want       string
		code       stagelabel.Code
		msg        string
	}{
		{"3.8", "a rotation adds a valueless AWSPENDING version", "v1{C}", v2, "v1{C} v2?{PEND}", "", ""},
		{"3.8", "AWSPENDING on the current version moves to the new one", "v1{C,PEND}", v2, "v1{C} v2?{PEND}", "", ""},
		{"3.8", "a rotation of a secret without versions", "", v1, "v1?{PEND}", "", ""},
		{"3.8", "retrying the same rotation changes nothing", "v1{C} v2?{PEND}", v2, "v1{C} v2?{PEND}", "", ""},
		{"3.9", "AWSPENDING on another version: rotation in progress", "v1{C} v2{PEND}", v3, "",
			stagelabel.ErrInvalidRequest, "A previous rotation isn't complete. That rotation will be reattempted."},
		{"3.9", "AWSPENDING with no current: rotation in progress", "v1?{PEND}", v2, "",
			stagelabel.ErrInvalidRequest, "A previous rotation isn't complete. That rotation will be reattempted."},
		{"3.8", "a token already used", "v1{C} v2{}", v2, "",
			stagelabel.ErrResourceExists, "You can't use ClientRequestToken " + string(v2) + " because that value is already in use for a version of secret test."},
		{"3.11", "no token", "v1{C}", "", "",
			stagelabel.ErrInvalidParameter, "You must provide a ClientRequestToken value. We recommend a UUID-type value."},
		{"3.10", "a long token", "v1{C}", version.ID(strings.Repeat("z", 65)), "",
			stagelabel.ErrValidation, "1 validation error detected: Value '" + strings.Repeat("z", 65) + "' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"2.14", "AWSPENDING as the 21st label", twenty(""), v2, "",
			stagelabel.ErrLimitExceeded, "You can attach up to 20 staging labels to a secret."},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+tt.name, func(t *testing.T) {
			s := build(t, tt.layout)
			before := layout(s)
			got, err := s.Rotate(tt.id, t0)
			checkCall(t, "Rotate", s, before, got, err, outcome{tt.want, tt.code, tt.msg})
		})
	}
}

func TestGet(t *testing.T) {
	s := build(t, "v1{P} v2{C,X} v3{} v4?{PEND}")
	notFoundID := "Secrets Manager can't find the specified secret value for VersionId: "
	tests := []struct {
		name  string
		id    version.ID
		label stage.Label
		want  version.ID
		code  stagelabel.Code
		msg   string
	}{
		{"neither: AWSCURRENT", "", "", id("v2"), "", ""},
		{"by label", "", stage.Previous, id("v1"), "", ""},
		{"by id, deprecated included", id("v3"), "", id("v3"), "", ""},
		{"id and label agreeing", id("v2"), "X", id("v2"), "", ""},
		{"id and label disagreeing", id("v1"), stage.Current, "",
			stagelabel.ErrInvalidRequest, "You provided a VersionStage that is not associated to the provided VersionId."},
		{"id and a label on nothing", id("v1"), "Y", "",
			stagelabel.ErrInvalidRequest, "You provided a VersionStage that is not associated to the provided VersionId."},
		{"unknown id", id("v9"), "", "", stagelabel.ErrResourceNotFound, notFoundID + string(id("v9"))},
		{"label on nothing", "", "Y", "",
			stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret value for staging label: Y"},
		{"3.8 a rotation's version before it is filled, by label", "", stage.Pending, "",
			stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret value for staging label: AWSPENDING"},
		{"3.8 a rotation's version before it is filled, by id", id("v4"), "", "",
			stagelabel.ErrResourceNotFound, notFoundID + string(id("v4"))},
		{"bad lengths", "x", stage.Label(strings.Repeat("l", 300)), "", stagelabel.ErrValidation,
			"2 validation errors detected: Value 'x' at 'versionId' failed to satisfy constraint: Member must have length greater than or equal to 32; Value '" + strings.Repeat("l", 300) + "' at 'versionStage' failed to satisfy constraint: Member must have length less than or equal to 256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Get(tt.id, tt.label)
			check.Err(t, err, tt.code, tt.msg)
			if tt.code == "" && got.ID() != tt.want {
				t.Errorf("Get(%q, %q) = %v, want %v", tt.id, tt.label, got.ID(), tt.want)
			}
		})
	}
}

func TestReading(t *testing.T) {
	s := build(t, "v1{P} v2{} v3{C,X} v4?{PEND}")
	wantLabels := map[stage.Label]version.ID{
		stage.Previous: id("v1"),
		stage.Current:  id("v3"),
		"X":            id("v3"),
		stage.Pending:  id("v4"),
	}
	if diff := cmp.Diff(wantLabels, s.LabelMap()); diff != "" {
		t.Errorf("LabelMap() mismatch (-want +got):\n%s", diff)
	}
	var order []stage.Label
	for l, vid := range s.AllLabels() {
		if wantLabels[l] != vid {
			t.Errorf("AllLabels() gives %s on %s, want %s", l, vid, wantLabels[l])
		}
		order = append(order, l)
	}
	if !slices.IsSorted(order) || len(order) != len(wantLabels) {
		t.Errorf("AllLabels() = %v, want each label once, in label order", order)
	}
	for vid, want := range map[version.ID][]stage.Label{
		id("v1"): {stage.Previous},
		id("v2"): nil,
		id("v3"): {stage.Current, "X"},
		id("v4"): {stage.Pending},
		id("v9"): nil,
	} {
		if diff := cmp.Diff(want, s.Labels(vid)); diff != "" {
			t.Errorf("Labels(%s) mismatch (-want +got):\n%s", vid, diff)
		}
	}
	if diff := cmp.Diff([]version.ID{id("v1"), id("v2"), id("v3"), id("v4")}, s.VersionIDs()); diff != "" {
		t.Errorf("VersionIDs() mismatch (-want +got):\n%s", diff)
	}
	var labelled []version.ID
	for v := range s.Labelled() {
		labelled = append(labelled, v.ID())
	}
	if diff := cmp.Diff([]version.ID{id("v1"), id("v3"), id("v4")}, labelled); diff != "" {
		t.Errorf("Labelled() mismatch (-want +got):\n%s", diff)
	}
	if !s.Deprecated(id("v2")) || s.Deprecated(id("v1")) || s.Deprecated(id("v9")) {
		t.Error("Deprecated() wrong for v2 (deprecated), v1 (labelled) or v9 (unknown)")
	}
	if got := s.Len(); got != 4 {
		t.Errorf("Len() = %d, want 4", got)
	}
	if got := s.LabelCount(); got != 4 {
		t.Errorf("LabelCount() = %d, want 4", got)
	}
	if v, ok := s.Find(stage.Current); !ok || v.ID() != id("v3") {
		t.Errorf("Find(AWSCURRENT) = %v, %v, want v3", v, ok)
	}
	if _, ok := s.Find("nothing"); ok {
		t.Error("Find(nothing) found a version")
	}
	if got := build(t, "v1?{}").LabelMap(); got == nil || len(got) != 0 {
		t.Errorf("LabelMap() of a secret without labels = %#v, want empty", got)
	}
	// LabelMap and Labels hand out values of their own: writing to them
	// changes nothing.
	m := s.LabelMap()
	m[stage.Current] = id("v1")
	m["Y"] = id("v2")
	s.Labels(id("v3"))[0] = "Z"
	if diff := cmp.Diff(wantLabels, s.LabelMap()); diff != "" {
		t.Errorf("LabelMap() after writing to its result (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]stage.Label{stage.Current, "X"}, s.Labels(id("v3"))); diff != "" {
		t.Errorf("Labels(v3) after writing to its result (-want +got):\n%s", diff)
	}
	// Stopping an iterator early is honoured.
	n := 0
	for range s.All() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("All() yielded %d after break", n)
	}
}
