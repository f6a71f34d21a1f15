package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/stagelabel/stagelabel/etcdstate"
)

// etcdPrefix begins every key the emulator keeps in etcd.
const etcdPrefix = "stagelabel/"

// etcdDialTimeout bounds the wait for the cluster at start.
const etcdDialTimeout = 5 * time.Second

// openEtcd connects to the etcd cluster at endpoints (comma-separated) and
// returns the backend that keeps the secrets there, under etcdPrefix, and
// the function that ends its feed and closes its client.
func openEtcd(ctx context.Context, endpoints string) (*etcdstate.DB, func(), error) {
	var eps []string
	for e := range strings.SplitSeq(endpoints, ",") {
		if e = strings.TrimSpace(e); e != "" {
			eps = append(eps, e)
		}
	}
	if len(eps) == 0 {
		return nil, nil, fmt.Errorf("-etcd %q: no endpoint", endpoints)
	}
	client, err := clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: etcdDialTimeout, Logger: zap.NewNop()})
	if err != nil {
		return nil, nil, fmt.Errorf("-etcd %s: %w", endpoints, err)
	}
	ctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
	defer cancel()
	db, err := etcdstate.Open(ctx, client, etcdPrefix)
	if err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("-etcd %s: %w", endpoints, err)
	}
	return db, func() {
		db.Close()
		client.Close()
	}, nil
}
