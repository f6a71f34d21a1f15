package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// startEtcd starts a one-member etcd cluster in a temporary directory on
// a free port of 127.0.0.1, closed when the test ends, and returns its
// client URL.
func startEtcd(t *testing.T) string {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Dir = t.TempDir()
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	free := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{free}, []url.URL{free}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{free}, []url.URL{free}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatalf("start etcd: %v", err)
	}
	t.Cleanup(e.Close)
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(10 * time.Second):
		t.Fatal("etcd did not start within 10s")
	}
	return "http://" + e.Clients[0].Addr().String()
}

// TestEtcd checks -etcd: the secrets outlive the emulator, another
// emulator on the cluster loads them, health names the backend, a reset is
// refused without -allow-reset, and two emulators on the cluster serve
// each other's changes at once, a change of a secret the other changed
// included (docs/semantics.md §ST8).
func TestEtcd(t *testing.T) {
	endpoint := startEtcd(t)
	addr, _, stop := emulator(t, "-etcd", endpoint)
	mustSend(t, addr, "CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"first"}`)
	resp, err := http.Get("http://" + addr + "/_stagelabel/health")
	if err != nil {
		t.Fatal(err)
	}
	var h health
	err = json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if err != nil || h.State == nil || *h.State != (stateInfo{Backend: "etcd", Endpoints: endpoint}) {
		t.Errorf("health = %+v, %v; want the etcd backend at %s", h.State, err, endpoint)
	}
	resp, err = http.Post("http://"+addr+"/_stagelabel/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "-allow-reset") {
		t.Errorf("reset = %d %s; want 403", resp.StatusCode, body)
	}
	stop()

	a, _, stopA := emulator(t, "-etcd", endpoint)
	defer stopA()
	b, _, stopB := emulator(t, "-etcd", endpoint)
	if got := mustSend(t, a, "GetSecretValue", `{"SecretId":"db"}`); got["SecretString"] != "first" {
		t.Errorf("after restart GetSecretValue = %v", got)
	}
	const tok2, tok3 = "00000002-0000-4000-8000-000000000000", "00000003-0000-4000-8000-000000000000"
	defer stopB()
	mustSend(t, a, "PutSecretValue", `{"SecretId":"db","ClientRequestToken":"`+tok2+`","SecretString":"second"}`)
	if got := mustSend(t, b, "GetSecretValue", `{"SecretId":"db"}`); got["SecretString"] != "second" || got["VersionId"] != tok2 {
		t.Errorf("GetSecretValue on the other emulator = %v; want its change", got)
	}
	mustSend(t, b, "PutSecretValue", `{"SecretId":"db","ClientRequestToken":"`+tok3+`","SecretString":"third"}`)
	if got := mustSend(t, a, "GetSecretValue", `{"SecretId":"db"}`); got["SecretString"] != "third" || got["VersionId"] != tok3 {
		t.Errorf("GetSecretValue on the first emulator = %v; want the other's change", got)
	}
}

// Bounds of TestEtcdKilled.
const (
	etcdKills   = 10
	etcdWriters = 4 // two through each emulator, two on each secret of an epoch
	etcdEpoch   = 300 * time.Millisecond
)

// TestEtcdKilled runs two emulator processes on one etcd cluster, writers
// putting versions through both onto the same secrets, and kills one with
// SIGKILL at a random moment, again and again, starting another in its
// place: after each kill the survivor serves every acknowledged write, of
// either process, and nothing else but the writes in flight when the
// process died (at most one a writer of it), which may or may not be
// there; so does, at the end, an emulator started afresh
// (docs/semantics.md §ST8, §ST3). Set CRASH_SEED to replay a run.
func TestEtcdKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills an emulator many times")
	}
	rnd := crashRand(t)
	endpoint := startEtcd(t)
	survivor := startProcess(t, "-etcd", endpoint)
	defer survivor.stop(t)
	client := &http.Client{Timeout: 10 * time.Second}

	type write struct{ secret, token string }
	var (
		mu    sync.Mutex
		acked []write
		ok    = map[string]bool{} // tokens acknowledged, and those of CreateSecret
	)
	check := func(addr, who string) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		for _, w := range acked {
			status, out, err := call(client, addr, "GetSecretValue", `{"SecretId":"`+w.secret+`","VersionId":"`+w.token+`"}`)
			if err != nil || status != http.StatusOK || out["SecretString"] != w.token {
				t.Errorf("%s: GetSecretValue(%s, %s) of an acknowledged write = %d %v %v", who, w.secret, w.token, status, out, err)
			}
		}
	}
	began := time.Now()
	for epoch := range etcdKills {
		victim := startProcess(t, "-etcd", endpoint)
		addrs := []string{victim.addr, survivor.addr}
		for s := range etcdWriters / 2 {
			mustSend(t, survivor.addr, "CreateSecret", fmt.Sprintf(`{"Name":"e%d-%d","ClientRequestToken":"%s","SecretString":"x"}`, epoch, s, tokenOf(epoch, s, 0)))
			ok[tokenOf(epoch, s, 0)] = true
		}
		var stop atomic.Bool
		var wg sync.WaitGroup
		for w := range etcdWriters {
			addr, secret := addrs[w%2], fmt.Sprintf("e%d-%d", epoch, w/2)
			wg.Go(func() {
				for i := 1; !stop.Load(); i++ {
					token := tokenOf(epoch, w, i)
					status, _, err := call(client, addr, "PutSecretValue", `{"SecretId":"`+secret+`","ClientRequestToken":"`+token+`","SecretString":"`+token+`"}`)
					if err != nil {
						return // the emulator was killed: the write may or may not be there
					}
					if status != http.StatusOK {
						t.Errorf("PutSecretValue(%s) through %s = %d", token, addr, status)
						return
					}
					mu.Lock()
					acked = append(acked, write{secret, token})
					ok[token] = true
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Duration(rnd.Int64N(int64(etcdEpoch))))
		victim.cmd.Process.Signal(syscall.SIGKILL)
		victim.wait()
		stop.Store(true)
		wg.Wait()
		check(survivor.addr, fmt.Sprintf("survivor after kill %d", epoch+1))
		unacked := 0
		for s := range etcdWriters / 2 {
			out := mustSend(t, survivor.addr, "ListSecretVersionIds", fmt.Sprintf(`{"SecretId":"e%d-%d","IncludeDeprecated":true}`, epoch, s))
			for _, v := range out["Versions"].([]any) {
				if !ok[v.(map[string]any)["VersionId"].(string)] {
					unacked++
				}
			}
		}
		if unacked > etcdWriters/2 {
			t.Errorf("after kill %d the survivor serves %d writes not acknowledged; want at most the %d in flight", epoch+1, unacked, etcdWriters/2)
		}
		if t.Failed() {
			t.Fatalf("after kill %d", epoch+1)
		}
	}
	fresh := startProcess(t, "-etcd", endpoint)
	defer fresh.stop(t)
	check(fresh.addr, "an emulator started afresh")
	t.Logf("%d SIGKILLs, %d writes acknowledged, in %v", etcdKills, len(acked), time.Since(began).Round(time.Millisecond))
	if len(acked) < 10*etcdKills {
		t.Errorf("only %d writes were acknowledged: the test tested little", len(acked))
	}
}

// tokenOf returns the ClientRequestToken of write i of writer w in epoch.
func tokenOf(epoch, w, i int) string {
	return fmt.Sprintf("%08d-%04d-4000-8000-%012d", epoch, w, i)
}

// TestEtcdFlags checks that -state and -etcd are not given together,
// that -etcd-local-reads needs -etcd, and that an -etcd without endpoints
// is refused.
func TestEtcdFlags(t *testing.T) {
	var stderr strings.Builder
	err := run(context.Background(), []string{"-state", "x.db", "-etcd", "127.0.0.1:2379"}, io.Discard, &stderr, nil)
	if !errors.As(err, new(usageError)) || !strings.Contains(stderr.String(), "-state and -etcd") {
		t.Errorf("-state and -etcd: %v\n%s", err, &stderr)
	}
	stderr.Reset()
	err = run(context.Background(), []string{"-etcd-local-reads"}, io.Discard, &stderr, nil)
	if !errors.As(err, new(usageError)) || !strings.Contains(stderr.String(), "only with -etcd") {
		t.Errorf("-etcd-local-reads without -etcd: %v\n%s", err, &stderr)
	}
	err = run(context.Background(), []string{"-etcd", " , "}, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "no endpoint") {
		t.Errorf("-etcd ' , ': %v; want no endpoint", err)
	}
}
