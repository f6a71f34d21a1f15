package awsjson_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// seeded returns a handler over a store of n secrets s0..s(n-1), each
// with versions tok1 (AWSPREVIOUS) and tok2 (AWSCURRENT) and label X on
// tok1, and the store.
func seeded(b *testing.B, n int) (*awsjson.Handler, *store.Store) {
	b.Helper()
	h := newHandler()
	seed(b, h.Store(), n)
	return h, h.Store()
}

// seed creates in st the n secrets of [seeded].
func seed(b *testing.B, st *store.Store, n int) {
	b.Helper()
	for i := range n {
		name := fmt.Sprint("s", i)
		if _, err := st.CreateSecret(store.CreateSecretInput{Name: name, ClientRequestToken: tok1, SecretString: ptr("a")}); err != nil {
			b.Fatal(err)
		}
		if _, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: name, ClientRequestToken: tok2, SecretString: ptr("b")}); err != nil {
			b.Fatal(err)
		}
		if _, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: name, VersionStage: "X", MoveToVersionId: tok1}); err != nil {
			b.Fatal(err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// moves returns the two request bodies that move X on secret name from
// tok1 to tok2 and back.
func moves(name string) [2][]byte {
	body := func(from, to string) []byte {
		return fmt.Appendf(nil, `{"SecretId":%q,"VersionStage":"X","RemoveFromVersionId":%q,"MoveToVersionId":%q}`, name, from, to)
	}
	return [2][]byte{body(tok1, tok2), body(tok2, tok1)}
}

// BenchmarkHandler measures UpdateSecretVersionStage through the handler
// in process (the JSON decode and encode, the headers), beside the same
// operation on the store: the difference is the handler's overhead.
func BenchmarkHandler(b *testing.B) {
	h, st := seeded(b, 2)
	bodies := moves("s1")
	i, j := 0, 0 // moves made on s0 and s1, across the runs of b.Loop
	b.Run("layer=store", func(b *testing.B) {
		b.ReportAllocs()
		ins := [2]store.UpdateSecretVersionStageInput{
			{SecretId: "s0", VersionStage: "X", RemoveFromVersionId: tok1, MoveToVersionId: tok2},
			{SecretId: "s0", VersionStage: "X", RemoveFromVersionId: tok2, MoveToVersionId: tok1},
		}
		for b.Loop() {
			if _, err := st.UpdateSecretVersionStage(ins[i%2]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("layer=handler", func(b *testing.B) {
		b.ReportAllocs()
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Header.Set("X-Amz-Target", "secretsmanager.UpdateSecretVersionStage")
		var body bytes.Reader
		w := &discard{h: http.Header{}}
		for b.Loop() {
			body.Reset(bodies[j%2])
			req.Body = io.NopCloser(&body)
			clear(w.h)
			w.code = 0
			h.ServeHTTP(w, req)
			if w.code != 0 && w.code != 200 {
				b.Fatalf("status %d", w.code)
			}
			j++
		}
	})
}

// discard is a ResponseWriter that keeps only the status.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }

// BenchmarkLoopback sends UpdateSecretVersionStage over loopback TCP with
// keep-alive from 1 and 64 concurrent clients, each moving a label on its
// own secret, and reports requests per second and the 99th percentile
// latency. Client and server share the machine's cores.
func BenchmarkLoopback(b *testing.B) {
	for _, clients := range []int{1, 64} {
		h, _ := seeded(b, clients)
		srv := httptest.NewServer(h)
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
		moved := make([]int, clients) // moves made on each secret, across runs; one goroutine a secret at a time
		bodies := make([][2][]byte, clients)
		for k := range clients {
			bodies[k] = moves(fmt.Sprint("s", k))
		}
		// send makes client k's next request and returns its latency.
		send := func(b *testing.B, k int) time.Duration {
			req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(bodies[k][moved[k]%2]))
			req.Header.Set("X-Amz-Target", "secretsmanager.UpdateSecretVersionStage")
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
			moved[k]++
			return time.Since(start)
		}
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			var latencies []time.Duration
			if clients == 1 {
				for b.Loop() {
					latencies = append(latencies, send(b, 0))
				}
			} else {
				var next atomic.Int64
				var mu sync.Mutex
				b.SetParallelism(clients / runtime.GOMAXPROCS(0))
				b.RunParallel(func(pb *testing.PB) {
					k := int(next.Add(1)-1) % clients
					var mine []time.Duration
					for pb.Next() {
						mine = append(mine, send(b, k))
					}
					mu.Lock()
					latencies = append(latencies, mine...)
					mu.Unlock()
				})
			}
			slices.Sort(latencies)
			b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkVersions measures a label move and a PutSecretValue through the
// handler in process, on a secret of 10 and of 10,000 versions, with a
// store as the emulator runs it: every change committed to a backend
// (storetest.Memory, which costs no I/O, so that only the store's own work
// shows) and reported to an observer. Neither may cost more with more
// versions. Each put adds a version: run with a fixed count (-benchtime
// 2000x) so that the sizes stay near what they say.
func BenchmarkVersions(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		var events atomic.Int64
		st, err := store.Open(&storetest.Memory{}, store.WithClock(func() time.Time { return t0 }),
			store.WithObserver(func(store.Event) { events.Add(1) }))
		if err != nil {
			b.Fatal(err)
		}
		h := awsjson.New(st)
		if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(0), SecretString: ptr("v")}); err != nil {
			b.Fatal(err)
		}
		for i := 1; i < n; i++ {
			if _, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(i), SecretString: ptr("v")}); err != nil {
				b.Fatal(err)
			}
		}
		send := func(b *testing.B, target string, body []byte) {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			req.Header.Set("X-Amz-Target", "secretsmanager."+target)
			w := &discard{h: http.Header{}}
			h.ServeHTTP(w, req)
			if w.code != 0 && w.code != 200 {
				b.Fatalf("%s: status %d", target, w.code)
			}
		}
		b.Run(fmt.Sprintf("op=move/versions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			bodies := [2][]byte{
				fmt.Appendf(nil, `{"SecretId":"db","VersionStage":"X","MoveToVersionId":%q,"RemoveFromVersionId":%q}`, tok(0), tok(1)),
				fmt.Appendf(nil, `{"SecretId":"db","VersionStage":"X","MoveToVersionId":%q,"RemoveFromVersionId":%q}`, tok(1), tok(0)),
			}
			send(b, "UpdateSecretVersionStage", fmt.Appendf(nil, `{"SecretId":"db","VersionStage":"X","MoveToVersionId":%q}`, tok(1)))
			i := 0
			for b.Loop() {
				send(b, "UpdateSecretVersionStage", bodies[i%2])
				i++
			}
		})
		next := n // the next version's number, across the runs -count makes
		b.Run(fmt.Sprintf("op=put/versions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				send(b, "PutSecretValue", fmt.Appendf(nil, `{"SecretId":"db","ClientRequestToken":%q,"SecretString":"v"}`, tok(next)))
				next++
			}
		})
		if events.Load() == 0 {
			b.Fatal("no change reported: the observer is not in the measure")
		}
	}
}

// tok returns the ClientRequestToken (and version id) number n.
func tok(n int) string { return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n) }
