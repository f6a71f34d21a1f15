package secret_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/version"
)

// history returns a secret of n versions put by default one hour apart from
// t0, with AWSPENDING and a custom label left on the oldest versions.
func history(t *testing.T, n int, t0 time.Time) secret.Secret {
	t.Helper()
	s := secret.New("db")
	for i := range n {
		var err error
		s, err = s.Put(version.New(id(fmt.Sprint("v", i)), value(fmt.Sprint(i)), version.WithCreated(t0.Add(time.Duration(i)*time.Hour))))
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := s.MoveLabel("KEEP", "", id("v0"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPrune(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		versions int
		now      time.Time
		pruned   []version.ID
	}{
		{"100 versions: nothing goes", 100, t0.Add(1000 * time.Hour), nil},
		{"101 versions: the oldest deprecated goes, not the labelled oldest", 101, t0.Add(1000 * time.Hour), []version.ID{id("v1")}},
		{"105 versions: oldest first, down to 100", 105, t0.Add(1000 * time.Hour), []version.ID{id("v1"), id("v2"), id("v3"), id("v4"), id("v5")}},
		{"none older than 24 hours", 105, t0.Add(24*time.Hour + 2*time.Hour), []version.ID{id("v1"), id("v2")}},
		{"all too young", 105, t0.Add(time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := history(t, tt.versions, t0)
			before := s.VersionIDs()
			got, ids := s.Prune(tt.now)
			if diff := cmp.Diff(before, s.VersionIDs()); diff != "" {
				t.Errorf("receiver changed (-was +now):\n%s", diff)
			}
			var pruned []version.ID
			for _, id := range before {
				if got.Pruned(id) {
					pruned = append(pruned, id)
					if _, ok := got.Version(id); ok {
						t.Errorf("pruned %s still found", id)
					}
				}
			}
			if diff := cmp.Diff(tt.pruned, pruned); diff != "" {
				t.Errorf("Prune() pruned mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.pruned, ids); diff != "" {
				t.Errorf("Prune() reported ids mismatch (-want +got):\n%s", diff)
			}
			if got.Len() != tt.versions-len(tt.pruned) || len(got.VersionIDs()) != got.Len() {
				t.Errorf("Len() = %d, VersionIDs() has %d, want %d", got.Len(), len(got.VersionIDs()), tt.versions-len(tt.pruned))
			}
			if diff := cmp.Diff(s.LabelMap(), got.LabelMap()); diff != "" {
				t.Errorf("Prune() changed labels (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPruneByCreation checks that the oldest by creation time goes first,
// whatever the order of arrival.
func TestPruneByCreation(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := secret.New("db")
	for i := range 102 {
		created := t0.Add(time.Duration(i) * time.Hour)
		if i == 1 {
			created = t0.Add(200 * time.Hour) // arrived early, made late
		}
		var err error
		if s, err = s.Put(version.New(id(fmt.Sprint("v", i)), value("x"), version.WithCreated(created))); err != nil {
			t.Fatal(err)
		}
	}
	got, ids := s.Prune(t0.Add(1000 * time.Hour))
	if diff := cmp.Diff([]version.ID{id("v0"), id("v2")}, got.PrunedIDs()); diff != "" {
		t.Errorf("PrunedIDs() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]version.ID{id("v0"), id("v2")}, ids); diff != "" {
		t.Errorf("Prune() ids mismatch (-want +got):\n%s", diff)
	}
}

func TestPrunedVersionIsDeleted(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, _ := history(t, 101, t0).Prune(t0.Add(1000 * time.Hour))
	gone := id("v1")
	msg := "You can't perform this operation on secret version " + string(gone) + " because it was deleted."
	_, err := s.MoveLabel("X", "", gone)
	check.Err(t, err, stagelabel.ErrInvalidRequest, msg)
	_, err = s.MoveLabel("KEEP", gone, id("v2"))
	check.Err(t, err, stagelabel.ErrInvalidRequest, msg)
	_, err = s.Get(gone, "")
	check.Err(t, err, stagelabel.ErrInvalidRequest, msg)
	_, err = s.Put(version.New(gone, value("v1")))
	check.Err(t, err, stagelabel.ErrInvalidRequest, msg)
	_, err = s.Rotate(gone, t0)
	check.Err(t, err, stagelabel.ErrInvalidRequest, msg)
	if !s.Pruned(gone) {
		t.Errorf("Pruned(%s) false for a pruned version", gone)
	}
	if s.Pruned(id("v2")) || s.Pruned(id("nope")) {
		t.Error("Pruned() true for a live or unknown version")
	}
	if s.Equal(history(t, 101, t0)) {
		t.Error("Equal() ignores pruning")
	}
	if again, _ := history(t, 101, t0).Prune(t0.Add(1000 * time.Hour)); !s.Equal(again) {
		t.Error("Equal() false for the same pruning")
	}
}
