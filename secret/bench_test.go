package secret_test

import (
	"fmt"
	"testing"

	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

var sizes = []int{1, 100, 10_000}

// grown returns a secret of n versions put by default, oldest v0: v(n-1)
// is AWSCURRENT, v(n-2) AWSPREVIOUS, the rest deprecated.
func grown(tb testing.TB, n int) secret.Secret {
	tb.Helper()
	s := secret.New("bench")
	for i := range n {
		var err error
		if s, err = s.Put(version.New(id(fmt.Sprint("v", i)), version.WithString("x"))); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// BenchmarkMoveStage measures UpdateSecretVersionStage on secrets of
// growing size: attaching a custom label to the oldest version, and moving
// AWSCURRENT (with the automatic AWSPREVIOUS move) to the oldest version.
// Each iteration works on the same receiver, which it never changes.
func BenchmarkMoveStage(b *testing.B) {
	for _, n := range sizes {
		s, oldest := grown(b, n), id("v0")
		b.Run(fmt.Sprintf("op=add/versions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.MoveStage("X", "", oldest); err != nil {
					b.Fatal(err)
				}
			}
		})
		if n < 2 {
			continue
		}
		current, _ := s.Find(stage.Current)
		b.Run(fmt.Sprintf("op=current/versions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.MoveStage(stage.Current, current.ID(), oldest); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPut measures PutSecretValue of a new version, by default
// staging, on secrets of growing size.
func BenchmarkPut(b *testing.B) {
	v := version.New(id("new"), version.WithString("x"))
	for _, n := range sizes {
		s := grown(b, n)
		b.Run(fmt.Sprintf("versions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Put(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFind measures the lookup of the version carrying a label.
func BenchmarkFind(b *testing.B) {
	for _, n := range sizes {
		s := grown(b, n)
		b.Run(fmt.Sprintf("versions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := s.Find(stage.Current); !ok {
					b.Fatal("no AWSCURRENT")
				}
			}
		})
	}
}

// TestAllocs proves the allocation claims: finding the version carrying a
// label allocates nothing, MoveStage at most 2 times, at any size.
func TestAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a secret of 10,000 versions")
	}
	for _, n := range []int{2, 10_000} {
		s := grown(t, n)
		current, _ := s.Find(stage.Current)
		previous, _ := s.Find(stage.Previous)
		oldest := id("v0")
		checks := []struct {
			name string
			max  float64
			f    func()
		}{
			{"Find", 0, func() { s.Find(stage.Current) }},
			{"Get", 0, func() { _, _ = s.Get("", stage.Previous) }},
			{"MoveStage add", 2, func() { _, _ = s.MoveStage("X", "", oldest) }},
			{"MoveStage current", 2, func() { _, _ = s.MoveStage(stage.Current, current.ID(), oldest) }},
			{"MoveStage remove", 2, func() { _, _ = s.MoveStage(stage.Previous, previous.ID(), "") }},
		}
		for _, c := range checks {
			if got := testing.AllocsPerRun(100, c.f); got > c.max {
				t.Errorf("versions=%d: %s allocates %v times a call, want at most %v", n, c.name, got, c.max)
			}
		}
	}
}
