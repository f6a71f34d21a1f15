package boltstate_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/boltstate"
	"github.com/stagelabel/stagelabel/store"
)

// Environment variables of the benchmarks.
const (
	// openEnv asks BenchmarkOpen for a size more, such as 1000000.
	openEnv = "BOLTSTATE_OPEN_SECRETS"
	// fillEnv makes TestFill build a database: "path,n".
	fillEnv = "BOLTSTATE_FILL"
)

var created = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

// secretAt returns the i-th secret of a benchmark database: one version of
// 20 bytes, AWSCURRENT.
func secretAt(i int) store.SecretSnapshot {
	name := fmt.Sprintf("s%07d", i)
	id := fmt.Sprintf("%08x-0000-4000-8000-000000000000", i)
	value := fmt.Sprintf("value-%014d", i)
	return store.SecretSnapshot{
		Name: name, ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-abcdef",
		Created: created, LastChanged: created, Labels: map[string]string{"AWSCURRENT": id},
		Versions: []store.VersionSnapshot{{VersionId: id, SecretString: &value, Created: created}},
	}
}

// openStore opens the database at path and a store on it.
func openStore(tb testing.TB, path string) (*boltstate.DB, *store.Store) {
	tb.Helper()
	db, err := boltstate.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(db)
	if err != nil {
		db.Close()
		tb.Fatal(err)
	}
	return db, st
}

// put writes a new value of secret i with token n.
func put(tb testing.TB, st *store.Store, i int, n int64) {
	value := "a value of 20 bytes."
	_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: fmt.Sprintf("s%07d", i), ClientRequestToken: fmt.Sprintf("%08x-%027d", i, n), SecretString: &value})
	if err != nil {
		tb.Error(err)
	}
}

// BenchmarkPut measures one PutSecretValue on a database of a few or many
// secrets, through the store, each acknowledged once durable: the cost of a
// write must not grow with the number of secrets. Both sizes write the
// same 100 secrets in turn (spread over the database), so that only the
// size of the database differs, not the versions a secret has. It reports
// the median and 90th percentile of the writes' times, steadier than their
// mean on a machine whose fsyncs vary.
func BenchmarkPut(b *testing.B) {
	const hot = 100
	for _, n := range []int{100, 50000} {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "secrets.db")
			if err := boltstate.Fill(path, n, secretAt); err != nil {
				b.Fatal(err)
			}
			db, st := openStore(b, path)
			defer db.Close()
			var times []time.Duration
			b.ReportAllocs()
			var k int64
			for b.Loop() {
				k++
				start := time.Now()
				put(b, st, int(k%hot)*(n/hot), k)
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(times[len(times)*9/10].Nanoseconds()), "p90-ns")
		})
	}
}

// BenchmarkPutParallel measures the writes per second of 1 and of 8
// writers, each writing its own secret: group commit lets 8 writers share
// fsyncs. The benchmark's goroutine is one of the writers (ns/op is its
// time per write); the others write until it is done.
func BenchmarkPutParallel(b *testing.B) {
	const pool = 100 // secrets per writer, written in turn: few versions each
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "secrets.db")
			if err := boltstate.Fill(path, writers*pool, secretAt); err != nil {
				b.Fatal(err)
			}
			db, st := openStore(b, path)
			defer db.Close()
			var stop atomic.Bool
			var others atomic.Int64
			var wg sync.WaitGroup
			for w := 1; w < writers; w++ {
				wg.Go(func() {
					for k := int64(1); !stop.Load(); k++ {
						put(b, st, w*pool+int(k%pool), k)
						others.Add(1)
					}
				})
			}
			b.ReportAllocs()
			start, cpu0 := time.Now(), cpuTime()
			var k int64
			for b.Loop() {
				k++
				put(b, st, int(k%pool), k)
			}
			cpu := cpuTime() - cpu0
			writes := float64(k + others.Load())
			elapsed := time.Since(start)
			stop.Store(true)
			wg.Wait()
			b.ReportMetric(writes/elapsed.Seconds(), "writes/s")
			b.ReportMetric(float64(cpu.Microseconds())/writes, "cpu-µs/write")
			txs, changes := db.Transactions()
			b.ReportMetric(float64(changes)/float64(txs), "writes/tx")
			pages, wt := db.PageWrites()
			b.ReportMetric(float64(pages)/float64(txs), "pages/tx")
			b.ReportMetric(float64(wt.Microseconds())/float64(txs), "write-µs/tx")
		})
	}
}

// BenchmarkOpen measures start-up: opening a database of secrets with one
// version each and a store on it. It reports the resident memory after
// start-up against the heap in use (after a GC). The database is built in
// another process, so that building leaves nothing in this one's memory.
// Sizes: 10,000 secrets, and the size in $BOLTSTATE_OPEN_SECRETS if set
// (such as 1000000; run it alone, with -benchtime 1x).
func BenchmarkOpen(b *testing.B) {
	for _, n := range openSizes(b) {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			path := fill(b, n)
			runtime.GC()
			var st *store.Store
			for b.Loop() {
				st = nil
				var db *boltstate.DB
				db, st = openStore(b, path)
				db.Close()
			}
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			rss := vmRSS(b)
			b.ReportMetric(float64(rss)/(1<<20), "rss-MB")
			b.ReportMetric(float64(m.HeapInuse)/(1<<20), "heap-MB")
			b.ReportMetric(float64(rss)/float64(m.HeapInuse), "rss/heap")
			runtime.KeepAlive(st)
		})
	}
}

// BenchmarkLoad measures what start-up costs in this package: Load with a
// yield that keeps nothing, over the databases of BenchmarkOpen.
func BenchmarkLoad(b *testing.B) {
	for _, n := range openSizes(b) {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			db, err := boltstate.Open(fill(b, n))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			b.ReportAllocs()
			for b.Loop() {
				count := 0
				err := db.Load(func(store.SecretSnapshot, store.Revision) error { count++; return nil })
				if err != nil || count != n {
					b.Fatalf("Load() = %v after %d secrets, want nil after %d", err, count, n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/secret")
		})
	}
}

// BenchmarkOpenFloor measures what start-up costs without this package:
// store.Open over a backend that yields the secrets of BenchmarkOpen as it
// makes them, reading nothing.
func BenchmarkOpenFloor(b *testing.B) {
	for _, n := range openSizes(b) {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := store.Open(made(n)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// made is a backend of secretAt(0) to secretAt(n-1), made as Load yields
// them; it stores nothing.
type made int

func (n made) Load(yield func(store.SecretSnapshot, store.Revision) error) error {
	for i := range int(n) {
		if err := yield(secretAt(i), store.Revision(i+1)); err != nil {
			return err
		}
	}
	return nil
}

func (made) Commit(store.Change) (store.Revision, error) { return 0, errors.ErrUnsupported }

// openSizes returns the sizes of BenchmarkOpen and BenchmarkLoad.
func openSizes(b *testing.B) []int {
	sizes := []int{10000}
	if s := os.Getenv(openEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("$%s: %v", openEnv, err)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// fill returns a database of n secretAt secrets, built by TestFill in
// another process.
func fill(b *testing.B, n int) string {
	path := filepath.Join(b.TempDir(), "secrets.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestFill$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d", fillEnv, path, n))
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("filling: %v\n%s", err, out)
	}
	return path
}

// TestFill builds the database BenchmarkOpen asks for, in $BOLTSTATE_FILL;
// without it, it does nothing.
func TestFill(t *testing.T) {
	arg := os.Getenv(fillEnv)
	if arg == "" {
		t.Skipf("only for BenchmarkOpen, with $%s", fillEnv)
	}
	path, count, _ := strings.Cut(arg, ",")
	n, err := strconv.Atoi(count)
	if err != nil {
		t.Fatal(err)
	}
	if err := boltstate.Fill(path, n, secretAt); err != nil {
		t.Fatal(err)
	}
}

// vmRSS returns the resident memory of this process.
func vmRSS(tb testing.TB) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skip("no /proc/self/status:", err)
	}
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return n << 10
		}
	}
	tb.Skip("no VmRSS in /proc/self/status")
	return 0
}

// cpuTime returns the processor time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
