package etcdstate_test

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"github.com/stagelabel/stagelabel/etcdstate"
	"github.com/stagelabel/stagelabel/store"
)

// freePorts returns n ports of 127.0.0.1 that were free a moment ago.
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		out = append(out, ln.Addr().String())
	}
	return out
}

// clusterMember is a member of a cluster startCluster started.
type clusterMember struct {
	*embed.Etcd
	cfg  *embed.Config
	stop func() // stops it, once
}

// restart starts m again, stopped when the test ends.
func (m *clusterMember) restart(t testing.TB) {
	t.Helper()
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		t.Fatalf("restart %s: %v", m.cfg.Name, err)
	}
	m.Etcd, m.stop = e, sync.OnceFunc(e.Close)
	t.Cleanup(m.stop)
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not start again within 10s", m.cfg.Name)
	}
}

// startCluster starts a cluster of three members in this process, each
// stopped when the test ends, and returns them and their client URLs.
func startCluster(t testing.TB) ([]clusterMember, []string) {
	t.Helper()
	ports := freePorts(t, 6)
	var initial []string
	for i := range 3 {
		initial = append(initial, fmt.Sprintf("m%d=http://%s", i, ports[2*i+1]))
	}
	members := make([]clusterMember, 3)
	endpoints := make([]string, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprint("m", i)
		cfg.Dir = t.TempDir()
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		client := url.URL{Scheme: "http", Host: ports[2*i]}
		peer := url.URL{Scheme: "http", Host: ports[2*i+1]}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
		cfg.InitialCluster = strings.Join(initial, ",")
		cfg.InitialClusterToken = t.Name()
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			t.Fatalf("start member %d: %v", i, err)
		}
		stop := sync.OnceFunc(e.Close)
		t.Cleanup(stop)
		members[i], endpoints[i] = clusterMember{e, cfg, stop}, client.String()
		wg.Go(func() {
			select {
			case <-e.Server.ReadyNotify():
			case <-time.After(10 * time.Second):
				t.Errorf("member %d did not start within 10s", i)
			}
		})
	}
	wg.Wait()
	return members, endpoints
}

// TestMemberDown checks a DB on a three-member cluster: with a member
// stopped (one that is not the leader), commits go on as before; with a
// second stopped, quorum is lost and a commit fails, its outcome unknown;
// once quorum is back the DB reads every change acknowledged, and the one
// whose outcome was unknown, or not, whole, and commits again.
func TestMemberDown(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a three-member cluster")
	}
	members, endpoints := startCluster(t)
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	db, err := etcdstate.Open(ctx(t), cli, "cluster/", etcdstate.WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	rev, err := db.Commit(store.Change{Secret: secret("db", "0", "v0")})
	if err != nil {
		t.Fatal(err)
	}

	leader := -1
	for i, m := range members {
		if m.Server.Leader() == m.Server.MemberID() {
			leader = i
		}
	}
	var followers []int
	for i := range members {
		if i != leader {
			followers = append(followers, i)
		}
	}
	members[followers[0]].stop()
	for i := 1; i <= 5; i++ {
		if rev, err = db.Commit(store.Change{Prev: rev, Secret: secret("db", fmt.Sprint(i), fmt.Sprint("v", i))}); err != nil {
			t.Fatalf("commit %d with a member down: %v", i, err)
		}
	}

	members[followers[1]].stop()
	if _, err := db.Commit(store.Change{Prev: rev, Secret: secret("db", "lost", "lost")}); err == nil {
		t.Fatal("commit without quorum succeeded")
	}

	members[followers[1]].restart(t)
	if _, err := etcdstate.Open(ctx(t), cli, "cluster/"); err != nil { // waits for the cluster
		t.Fatal(err)
	}
	again := db
	s, now := current(t, again, "db")
	switch {
	case now == rev && s.Description == "5" && len(s.Versions) == 6:
		t.Log("the change of unknown outcome was not made")
	case now > rev && s.Description == "lost" && len(s.Versions) == 7:
		t.Log("the change of unknown outcome was made once quorum was back")
	default:
		t.Errorf("after quorum is back: revision %d (last acknowledged %d), description %q, %d versions", now, rev, s.Description, len(s.Versions))
	}
	if _, err := again.Commit(store.Change{Prev: now, Secret: secret("db", "6")}); err != nil {
		t.Errorf("commit once quorum is back: %v", err)
	}
}
