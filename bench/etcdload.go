//go:build ignore

// etcdload is bench/etcd.sh's load: clients that each send one operation
// after another, for a while, to emulators over HTTP, each on a secret of
// its own, and a line of what came of it. Run it with go run, standard
// library only:
//
//	go run bench/etcdload.go -urls http://127.0.0.1:4566/ -op put -clients 8 -duration 5s
//
// Client i uses the emulator urls[i % len(urls)] and the secret
// PREFIX-i, which it creates first. -op put sends PutSecretValue (a new
// version each time, its ClientRequestToken new); -op get sends
// GetSecretValue of AWSCURRENT. The line printed:
//
//	op=put clients=8 ops=12345 ops/s=2469 p50_ms=3.1 p99_ms=9.8 errors=0
//
// An error (an answer other than 200, or none) is counted, and its time is
// left out of the percentiles; the first is printed on stderr.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	urls := flag.String("urls", "", "emulators' base `URLs`, comma-separated")
	op := flag.String("op", "put", "put (PutSecretValue) or get (GetSecretValue)")
	clients := flag.Int("clients", 8, "clients, each sending one operation after another")
	duration := flag.Duration("duration", 5*time.Second, "how long the clients send")
	prefix := flag.String("prefix", fmt.Sprintf("load-%08x", rand.Uint32()), "`PREFIX` of the secrets' names")
	flag.Parse()
	targets := strings.Split(*urls, ",")
	if *urls == "" || (*op != "put" && *op != "get") || *clients < 1 {
		flag.Usage()
		os.Exit(2)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients}}
	var firstErr sync.Once
	send := func(url, target string, in any) error {
		body, _ := json.Marshal(in)
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "secretsmanager."+target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: HTTP %d: %s", target, resp.StatusCode, bytes.TrimSpace(out))
		}
		return nil
	}
	token := func(client, n int) string {
		return fmt.Sprintf("%08x-%04x-4000-8000-%012x", rand.Uint32(), client, n)
	}

	for i := range *clients {
		name := fmt.Sprintf("%s-%d", *prefix, i)
		if err := send(targets[i%len(targets)], "CreateSecret", map[string]any{"Name": name, "ClientRequestToken": token(i, 0), "SecretString": "v0"}); err != nil {
			fmt.Fprintln(os.Stderr, "etcdload: create:", err)
			os.Exit(1)
		}
	}

	var errors atomic.Int64
	latencies := make([][]time.Duration, *clients)
	start := time.Now()
	stop := start.Add(*duration)
	var wg sync.WaitGroup
	for i := range *clients {
		wg.Go(func() {
			url, name := targets[i%len(targets)], fmt.Sprintf("%s-%d", *prefix, i)
			for n := 1; time.Now().Before(stop); n++ {
				target, in := "GetSecretValue", map[string]any{"SecretId": name}
				if *op == "put" {
					target, in = "PutSecretValue", map[string]any{"SecretId": name, "ClientRequestToken": token(i, n), "SecretString": fmt.Sprint("v", n)}
				}
				t := time.Now()
				if err := send(url, target, in); err != nil {
					errors.Add(1)
					firstErr.Do(func() { fmt.Fprintln(os.Stderr, "etcdload: first error:", err) })
					continue
				}
				latencies[i] = append(latencies[i], time.Since(t))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(latencies...)
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	fmt.Printf("op=%s clients=%d ops=%d ops/s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
		*op, *clients, len(all), float64(len(all))/elapsed.Seconds(), pct(0.50), pct(0.99), errors.Load())
}
