package etcdstate_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// member is a one-member etcd cluster in a temporary directory, listening
// on a free port of 127.0.0.1.
type member struct {
	cfg      *embed.Config
	e        *embed.Etcd
	endpoint string
}

// startEtcd starts a member, closed when the test ends, and returns its
// client URL.
func startEtcd(t testing.TB) string { return startMember(t).endpoint }

func startMember(t testing.TB) *member {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Dir = t.TempDir()
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	free := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{free}, []url.URL{free}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{free}, []url.URL{free}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	m := &member{cfg: cfg}
	m.start(t)
	t.Cleanup(m.stop)
	m.endpoint = "http://" + m.e.Clients[0].Addr().String()
	// Started again, it listens where it did.
	at := url.URL{Scheme: "http", Host: m.e.Clients[0].Addr().String()}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{at}, []url.URL{at}
	return m
}

func (m *member) start(t testing.TB) {
	t.Helper()
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		t.Fatalf("start etcd: %v", err)
	}
	m.e = e
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(10 * time.Second):
		t.Fatal("etcd did not start within 10s")
	}
}

// stop stops the member, if it runs.
func (m *member) stop() {
	if m.e != nil {
		m.e.Close()
		m.e = nil
	}
}

// client returns a client of the cluster at endpoint, closed when the
// test ends.
func client(t testing.TB, endpoint string) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}
