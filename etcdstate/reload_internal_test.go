package etcdstate

import (
	"context"
	"net/url"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"github.com/stagelabel/stagelabel/store"
)

// TestReloadRemovesOwnCommit checks the feed's reload after a compaction
// (see [DB.Follow]): a secret the DB's own store created, whose event the
// watch had not delivered when it broke, and that another store removed
// since, must be passed on as removed. Else the store keeps it for good:
// found by every read, and every change of it refused by the cluster,
// synced and made again, for ever.
func TestReloadRemovesOwnCommit(t *testing.T) {
	cfg := embed.NewConfig()
	cfg.Dir = t.TempDir()
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	free := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{free}, []url.URL{free}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{free}, []url.URL{free}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	<-e.Server.ReadyNotify()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{"http://" + e.Clients[0].Addr().String()}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	mine, err := Open(ctx, cli, "reload/")
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, cli, "reload/")
	if err != nil {
		t.Fatal(err)
	}
	if err := mine.Load(func(store.SecretSnapshot, store.Revision) error { return nil }); err != nil {
		t.Fatal(err)
	}
	// The feed of mine, as Follow sets it up, without its watch: the
	// watch broke before it delivered anything.
	var removed []string
	mine.following = true
	mine.feed = feed{moved: make(chan struct{}), apply: func(k string, c store.Change, _ store.Revision) error {
		if c.Removed {
			removed = append(removed, k)
		}
		return nil
	}}
	if mine.known == nil {
		mine.known = map[string]bool{}
	}

	s := store.SecretSnapshot{Name: "db", ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-abcdef", Labels: map[string]string{}}
	rev, err := mine.Commit(store.Change{Secret: s}) // mine's store now holds it
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Commit(store.Change{Prev: rev, Secret: store.SecretSnapshot{Name: s.Name, ARN: s.ARN}, Removed: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := mine.reload(); err != nil { // the watch's revision was compacted
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != s.Key() {
		t.Errorf("removals the reload passed = %q; want [%q]", removed, s.Key())
	}
}
