package secret_test

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// parts returns what Assemble takes to rebuild s.
func parts(s secret.Secret) ([]version.Version, map[stage.Label]version.ID, []version.ID) {
	return slices.Collect(s.All()), s.LabelMap(), s.PrunedIDs()
}

// TestAssembleRoundTrip rebuilds secrets of random histories, pruning
// included, from their parts.
func TestAssembleRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		s := secret.New("db")
		for i := range rapid.IntRange(0, 120).Draw(t, "versions") {
			v := version.New(id(string(rune('a'+i%26))+string(rune('a'+i/26))), version.WithString("x"), version.WithCreated(t0))
			labels := rapid.SliceOfN(rapid.SampledFrom([]stage.Label{stage.Current, stage.Pending, "X"}), 0, 1).Draw(t, "labels")
			var err error
			if s, err = s.Put(v, labels...); err != nil {
				t.Fatal(err)
			}
		}
		s, _ = s.Prune(t0.Add(48 * time.Hour))
		vs, labels, pruned := parts(s)
		got, err := secret.Assemble(s.Name(), vs, labels, pruned)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(s) {
			t.Fatalf("Assemble(parts(s)) = %v, want %v", got, s)
		}
		if !slices.Equal(got.PrunedIDs(), s.PrunedIDs()) {
			t.Fatalf("PrunedIDs() = %v, want %v", got.PrunedIDs(), s.PrunedIDs())
		}
	})
}

func TestAssembleRefuses(t *testing.T) {
	v1 := version.New(id("v1"), value("v1"))
	v2 := version.New(id("v2"), value("v2"))
	many := map[stage.Label]version.ID{stage.Current: id("v1")}
	for _, l := range "ABCDEFGHIJKLMNOPQRST" {
		many[stage.Label(l)] = id("v1")
	}
	tests := []struct {
		name     string
		versions []version.Version
		labels   map[stage.Label]version.ID
		pruned   []version.ID
	}{
		{"a short id", []version.Version{version.New("short", value("x"))}, nil, nil},
		{"an id twice", []version.Version{v1, v1}, map[stage.Label]version.ID{stage.Current: id("v1")}, nil},
		{"a pruned id also live", []version.Version{v1}, map[stage.Label]version.ID{stage.Current: id("v1")}, []version.ID{id("v1")}},
		{"a short pruned id", []version.Version{v1}, map[stage.Label]version.ID{stage.Current: id("v1")}, []version.ID{"x"}},
		{"a label on no version", []version.Version{v1}, map[stage.Label]version.ID{stage.Current: id("v1"), "X": id("v2")}, nil},
		{"a label on a pruned version", []version.Version{v1}, map[stage.Label]version.ID{stage.Current: id("v1"), "X": id("v2")}, []version.ID{id("v2")}},
		{"an empty label", []version.Version{v1}, map[stage.Label]version.ID{stage.Current: id("v1"), "": id("v1")}, nil},
		{"21 labels", []version.Version{v1}, many, nil},
		{"payloads but no AWSCURRENT", []version.Version{v1, v2}, map[stage.Label]version.ID{"X": id("v1")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := secret.Assemble("db", tt.versions, tt.labels, tt.pruned)
			check.Err(t, err, stagelabel.ErrValidation, "")
			if !got.Equal(secret.Secret{}) {
				t.Errorf("Assemble() = %v with an error", got)
			}
		})
	}
}
