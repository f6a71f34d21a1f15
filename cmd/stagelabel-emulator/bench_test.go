package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/store"
)

// BenchmarkWriters measures PutSecretValue through the emulator with
// -state, over loopback, from 1 and from 8 concurrent writers, each on its
// own secret: commits that meet share a transaction and its sync, so 8
// writers get more done than 1. It reports writes a second, the latency's
// median and the processor time of the process, writers and emulator, per
// write: the writers share the machine's cores with the emulator, so the
// cores divided by that time bound the writes a second.
func BenchmarkWriters(b *testing.B) {
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			addr, _, stop := emulator(b, "-state", filepath.Join(b.TempDir(), "state.db"))
			defer stop()
			for w := range writers {
				mustSendTB(b, addr, "CreateSecret", fmt.Sprintf(`{"Name":"w%d","ClientRequestToken":%q,"SecretString":"v"}`, w, token(w, 0, 0)))
			}
			// put makes writer w's i-th write and returns its latency.
			put := func(client *http.Client, w, i int) time.Duration {
				start := time.Now()
				status, out, err := call(client, addr, "PutSecretValue", fmt.Sprintf(`{"SecretId":"w%d","ClientRequestToken":%q,"SecretString":"v"}`, w, token(w, i, 1)))
				if err != nil || status != http.StatusOK {
					b.Errorf("PutSecretValue: %d %v %v", status, out, err)
				}
				return time.Since(start)
			}
			var latencies []time.Duration
			cpu0 := cpuTime()
			if writers == 1 {
				client := &http.Client{Transport: &http.Transport{}}
				for i := 1; b.Loop(); i++ {
					latencies = append(latencies, put(client, 0, i))
				}
			} else {
				var next atomic.Int64
				var mu sync.Mutex
				b.SetParallelism(writers / runtime.GOMAXPROCS(0))
				b.RunParallel(func(pb *testing.PB) {
					w := int(next.Add(1)-1) % writers
					client := &http.Client{Transport: &http.Transport{}}
					var mine []time.Duration
					for i := 1; pb.Next(); i++ {
						mine = append(mine, put(client, w, i))
					}
					mu.Lock()
					latencies = append(latencies, mine...)
					mu.Unlock()
				})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(b.N), "cpu-µs/write")
			}
			reportMedian(b, latencies)
		})
	}
}

// BenchmarkWriteAmong measures one writer's PutSecretValue through the
// emulator with -state among 100 and among 50,000 secrets (imported at
// start): a write's cost does not grow with the number of secrets.
func BenchmarkWriteAmong(b *testing.B) {
	for _, n := range []int{100, 50_000} {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			st := store.New()
			for i := range n {
				if _, err := st.CreateSecret(store.CreateSecretInput{Name: fmt.Sprint("s", i), ClientRequestToken: token(i, 0, 0), SecretString: ptr("v")}); err != nil {
					b.Fatal(err)
				}
			}
			seed := saved(b, st, dir)
			addr, _, stop := emulator(b, "-state", filepath.Join(dir, "state.db"), "-import", seed)
			defer stop()
			client := &http.Client{Transport: &http.Transport{}}
			var latencies []time.Duration
			i := 0
			for b.Loop() {
				i++
				start := time.Now()
				status, out, err := call(client, addr, "PutSecretValue", fmt.Sprintf(`{"SecretId":"s%d","ClientRequestToken":%q,"SecretString":"v"}`, i*7919%n, token(i, 1, 1)))
				if err != nil || status != http.StatusOK {
					b.Fatalf("PutSecretValue: %d %v %v", status, out, err)
				}
				latencies = append(latencies, time.Since(start))
			}
			reportMedian(b, latencies)
		})
	}
}

// saved saves st as a JSON snapshot in dir, for -import, and returns its
// path.
func saved(b *testing.B, st *store.Store, dir string) string {
	path := filepath.Join(dir, "seed.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := st.Save(f); err != nil {
		b.Fatal(err)
	}
	return path
}

func reportMedian(b *testing.B, latencies []time.Duration) {
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds()), "p50-µs")
}

func ptr[T any](v T) *T { return &v }

func mustSendTB(tb testing.TB, addr, op, body string) {
	tb.Helper()
	status, out, err := call(http.DefaultClient, addr, op, body)
	if err != nil || status != http.StatusOK {
		tb.Fatalf("%s %s = %d %v %v", op, body, status, out, err)
	}
}

// BenchmarkVersions measures a label move and a PutSecretValue through the
// emulator with -state on a secret of 10 and of 10,000 versions (imported
// at start): neither costs more with more versions. Each put adds a
// version: run with a fixed count (-benchtime 2000x) so that the sizes
// stay near what they say.
func BenchmarkVersions(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		dir := b.TempDir()
		st := store.New()
		if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: token(0, 0, 0), SecretString: ptr("v")}); err != nil {
			b.Fatal(err)
		}
		for i := 1; i < n; i++ {
			if _, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: token(i, 0, 0), SecretString: ptr("v")}); err != nil {
				b.Fatal(err)
			}
		}
		addr, _, stop := emulator(b, "-state", filepath.Join(dir, "state.db"), "-import", saved(b, st, dir))
		client := &http.Client{Transport: &http.Transport{}}
		send := func(b *testing.B, op, body string) time.Duration {
			start := time.Now()
			status, out, err := call(client, addr, op, body)
			if err != nil || status != http.StatusOK {
				b.Fatalf("%s: %d %v %v", op, status, out, err)
			}
			return time.Since(start)
		}
		b.Run(fmt.Sprintf("op=move/versions=%d", n), func(b *testing.B) {
			send(b, "UpdateSecretVersionStage", fmt.Sprintf(`{"SecretId":"db","VersionStage":"X","MoveToVersionId":%q}`, token(1, 0, 0)))
			var latencies []time.Duration
			for i := 0; b.Loop(); i++ {
				from, to := token(1+i%2, 0, 0), token(2-i%2, 0, 0)
				latencies = append(latencies, send(b, "UpdateSecretVersionStage",
					fmt.Sprintf(`{"SecretId":"db","VersionStage":"X","RemoveFromVersionId":%q,"MoveToVersionId":%q}`, from, to)))
			}
			reportMedian(b, latencies)
		})
		next := n // the next version's number, across the runs -count makes
		b.Run(fmt.Sprintf("op=put/versions=%d", n), func(b *testing.B) {
			var latencies []time.Duration
			for b.Loop() {
				latencies = append(latencies, send(b, "PutSecretValue", fmt.Sprintf(`{"SecretId":"db","ClientRequestToken":%q,"SecretString":"v"}`, token(next, 0, 0))))
				next++
			}
			reportMedian(b, latencies)
		})
		stop()
	}
}
