package etcdstate_test

import (
	"testing"

	"github.com/stagelabel/stagelabel/etcdstate"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// TestContract checks DB against the durability contract of store.Backend,
// on one embedded etcd: each directory the suite names is a prefix, and
// opening it again is a new DB on a new client with that prefix.
func TestContract(t *testing.T) {
	t.Parallel()
	endpoint := startEtcd(t)
	storetest.Run(t, func(t testing.TB, dir string) store.Backend {
		db, err := etcdstate.Open(ctx(t), client(t, endpoint), dir+"/")
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}
