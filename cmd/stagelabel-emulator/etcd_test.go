package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
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
// refused without -allow-reset, and an emulator whose secret another
// changed is refused its change (InternalServiceError) until it starts
// again, when it serves the other's change.
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
	mustSend(t, a, "PutSecretValue", `{"SecretId":"db","ClientRequestToken":"`+tok2+`","SecretString":"second"}`)
	if status, out := send(t, b, "PutSecretValue", `{"SecretId":"db","ClientRequestToken":"`+tok3+`","SecretString":"third"}`); status != http.StatusInternalServerError {
		t.Errorf("PutSecretValue on a stale emulator = %d %v; want 500 InternalServiceError", status, out)
	}
	stopB()
	b, _, stopB = emulator(t, "-etcd", endpoint)
	defer stopB()
	if got := mustSend(t, b, "GetSecretValue", `{"SecretId":"db"}`); got["SecretString"] != "second" || got["VersionId"] != tok2 {
		t.Errorf("after restart GetSecretValue = %v; want the other emulator's change", got)
	}
}

// TestEtcdFlags checks that -state and -etcd are not given together, and
// that an -etcd without endpoints is refused.
func TestEtcdFlags(t *testing.T) {
	var stderr strings.Builder
	err := run(context.Background(), []string{"-state", "x.db", "-etcd", "127.0.0.1:2379"}, io.Discard, &stderr, nil)
	if !errors.As(err, new(usageError)) || !strings.Contains(stderr.String(), "-state and -etcd") {
		t.Errorf("-state and -etcd: %v\n%s", err, &stderr)
	}
	err = run(context.Background(), []string{"-etcd", " , "}, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "no endpoint") {
		t.Errorf("-etcd ' , ': %v; want no endpoint", err)
	}
}
