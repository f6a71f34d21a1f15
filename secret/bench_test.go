package secret_test

import (
	"fmt"
	"testing"
	"time"

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

// BenchmarkMoveLabel measures UpdateSecretVersionStage on secrets of
// growing size: attaching a custom label to the oldest version, and moving
// AWSCURRENT (with the automatic AWSPREVIOUS move) to the oldest version.
// Each iteration works on the same receiver, which it never changes.
func BenchmarkMoveLabel(b *testing.B) {
	for _, n := range sizes {
		s, oldest := grown(b, n), id("v0")
		b.Run(fmt.Sprintf("op=add/versions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.MoveLabel("X", "", oldest); err != nil {
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
				if _, err := s.MoveLabel(stage.Current, current.ID(), oldest); err != nil {
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

// aged returns a secret of n versions put by default one second apart,
// the newest created at now; with old, the oldest, v0, is instead created
// two days before now. v(n-1) is AWSCURRENT, v(n-2) AWSPREVIOUS.
func aged(tb testing.TB, n int, now time.Time, old bool) secret.Secret {
	tb.Helper()
	s := secret.New("bench")
	for i := range n {
		created := now.Add(time.Duration(i-n+1) * time.Second)
		if i == 0 && old {
			created = now.Add(-2 * secret.MinPruneAge)
		}
		var err error
		if s, err = s.Put(version.New(id(fmt.Sprint("v", i)), version.WithString("x"), version.WithCreated(created))); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// BenchmarkPutPrune measures what PutSecretValue does to the versions: Put
// of a new version, by default staging, then Prune. With versions=N no
// version is a day old, so nothing is eligible; with op=prune-one exactly
// one, the oldest, is, and goes. Each iteration works on the same
// receiver, which it never changes.
func BenchmarkPutPrune(b *testing.B) {
	now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	v := version.New(id("new"), version.WithString("x"), version.WithCreated(now))
	run := func(b *testing.B, s secret.Secret, pruned int) {
		b.ReportAllocs()
		for b.Loop() {
			t, err := s.Put(v)
			if err != nil {
				b.Fatal(err)
			}
			if _, ids := t.Prune(now); len(ids) != pruned {
				b.Fatalf("Prune() removed %d versions, want %d", len(ids), pruned)
			}
		}
	}
	for _, n := range []int{10, 100, 10_000} {
		s := aged(b, n, now, false)
		b.Run(fmt.Sprintf("versions=%d", n), func(b *testing.B) { run(b, s, 0) })
	}
	for _, n := range []int{100, 10_000} {
		s := aged(b, n, now, true)
		b.Run(fmt.Sprintf("op=prune-one/versions=%d", n), func(b *testing.B) { run(b, s, 1) })
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
// label allocates nothing, MoveLabel at most 2 times, Prune with nothing
// to remove nothing, at any size.
func TestAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a secret of 10,000 versions")
	}
	for _, n := range []int{2, 10_000} {
		s := grown(t, n)
		now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		young := aged(t, n+1, now, false) // more than MaxVersions for n=10,000
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
			{"MoveLabel add", 2, func() { _, _ = s.MoveLabel("X", "", oldest) }},
			{"MoveLabel current", 2, func() { _, _ = s.MoveLabel(stage.Current, current.ID(), oldest) }},
			{"MoveLabel remove", 2, func() { _, _ = s.MoveLabel(stage.Previous, previous.ID(), "") }},
			{"Prune, none old enough", 0, func() { young.Prune(now) }},
		}
		for _, c := range checks {
			if got := testing.AllocsPerRun(100, c.f); got > c.max {
				t.Errorf("versions=%d: %s allocates %v times a call, want at most %v", n, c.name, got, c.max)
			}
		}
	}
}
