package store_test

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/version"
)

// grown returns a store holding secret "db" with n versions put by
// default, and label X on the oldest.
func grown(b *testing.B, n int) *store.Store {
	b.Helper()
	st, _ := newStore()
	create(b, st, "db", 0)
	for i := 1; i < n; i++ {
		put(b, st, "db", i)
	}
	if _, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "X", MoveToVersionId: tok(0)}); err != nil {
		b.Fatal(err)
	}
	return st
}

// ends are the two versions benchmarks move labels between.
var ends = [2]string{tok(0), tok(1)}

// toggle moves label between versions 0 and 1 of secret name, from
// whichever has it: it tries the move *flip says and, if the label is on the
// other version, the opposite one, flipping *flip each time. It reports
// whether a move succeeded: only another goroutine moving the same label
// between the two tries makes both fail.
func toggle(st *store.Store, name, label string, flip *bool) bool {
	for range 2 {
		from, to := ends[0], ends[1]
		if *flip {
			from, to = to, from
		}
		_, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: name, VersionStage: label,
			RemoveFromVersionId: from, MoveToVersionId: to})
		*flip = !*flip
		if err == nil {
			return true
		}
	}
	return false
}

// BenchmarkUpdateSecretVersionStage compares moving a label through the
// store with moving it on a secret.Secret value: the store's share is the
// lookup, the record and the compare-and-swap.
func BenchmarkUpdateSecretVersionStage(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		st := grown(b, n)
		b.Run(fmt.Sprintf("layer=store/versions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			flip := false
			for b.Loop() {
				if !toggle(st, "db", "X", &flip) {
					b.Fatal("cannot move X")
				}
			}
		})
		var s [2]secret.Secret // X on version 0, X on version 1
		for i := range n {
			s[0], _ = s[0].Put(version.New(version.ID(tok(i)), version.WithString("x")))
		}
		s[0], _ = s[0].MoveLabel("X", "", version.ID(tok(0)))
		s[1], _ = s[0].MoveLabel("X", version.ID(tok(0)), version.ID(tok(1)))
		b.Run(fmt.Sprintf("layer=secret/versions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			ids := [2]version.ID{version.ID(ends[0]), version.ID(ends[1])}
			i := 0
			for b.Loop() {
				if _, err := s[i%2].MoveLabel("X", ids[i%2], ids[1-i%2]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkParallel runs UpdateSecretVersionStage from many goroutines:
// each on its own secret, or all moving AWSCURRENT of one hot secret. Run
// it with -cpu 1,2.
func BenchmarkParallel(b *testing.B) {
	const secrets = 256
	st, _ := newStore()
	for i := range secrets {
		name := fmt.Sprint("s", i)
		create(b, st, name, 0)
		put(b, st, name, 1)
	}
	var next atomic.Int64
	b.Run("secrets=distinct", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			name, flip := fmt.Sprint("s", next.Add(1)%secrets), false
			for pb.Next() {
				if !toggle(st, name, "AWSCURRENT", &flip) {
					b.Errorf("cannot move AWSCURRENT of %s", name)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
	b.Run("secrets=one", func(b *testing.B) {
		var lost atomic.Int64 // tries that found the label moved by another goroutine
		b.RunParallel(func(pb *testing.PB) {
			flip := false
			for pb.Next() {
				if !toggle(st, "s0", "AWSCURRENT", &flip) {
					lost.Add(1)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		b.ReportMetric(float64(lost.Load())/float64(b.N), "lost/op")
	})
}

// BenchmarkLookup reads a secret by name, full ARN and partial ARN in
// stores of growing size, and reports the heap bytes each secret of two
// versions takes.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		st, _ := newStore()
		var arn string
		for i := range n {
			name := fmt.Sprint("secret/", i)
			out, err := st.CreateSecret(store.CreateSecretInput{Name: name, ClientRequestToken: tok(0), SecretString: ptr("value")})
			if err != nil {
				b.Fatal(err)
			}
			put(b, st, name, 1)
			if i == n/2 {
				arn = out.ARN
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perSecret := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
		for _, by := range []struct{ name, id string }{
			{"name", fmt.Sprint("secret/", n/2)},
			{"fullARN", arn},
			{"partialARN", arn[:len(arn)-7]},
		} {
			b.Run(fmt.Sprintf("secrets=%d/by=%s", n, by.name), func(b *testing.B) {
				b.ReportAllocs()
				in := store.GetSecretValueInput{SecretId: by.id}
				for b.Loop() {
					if _, err := st.GetSecretValue(in); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(perSecret, "B/secret")
			})
		}
		runtime.KeepAlive(st)
	}
}
