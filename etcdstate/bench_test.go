package etcdstate_test

import (
	"fmt"
	"testing"

	"github.com/stagelabel/stagelabel/store"
)

// BenchmarkCommit measures commits on a one-member embedded etcd (its WAL
// synced on each): a new secret (one transaction), and a version added to
// a stored secret (a read, then a transaction).
func BenchmarkCommit(b *testing.B) {
	endpoint := startEtcd(b)
	b.Run("new", func(b *testing.B) {
		db := open(b, endpoint, "bench-new/")
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if _, err := db.Commit(store.Change{Secret: secret(fmt.Sprint("s", n), "", "v")}); err != nil {
				b.Fatal(err)
			}
			n++
		}
	})
	b.Run("version", func(b *testing.B) {
		db := open(b, endpoint, "bench-version/")
		rev, err := db.Commit(store.Change{Secret: secret("db", "")})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if rev, err = db.Commit(store.Change{Prev: rev, Secret: secret("db", "", fmt.Sprint("v", n))}); err != nil {
				b.Fatal(err)
			}
			n++
		}
	})
}
