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

// BenchmarkStore measures a store's operations on a one-member embedded
// etcd: GetSecretValue (a read: a Sync, then the store's memory; the
// day's read is recorded once) and PutSecretValue (a Sync, a read of the
// places, the transaction), on a store that follows the cluster (a
// store.Follower, as every store on a DB is) and on one that does not
// (the DB hidden behind a plain store.Backend: what a store cost before
// it followed).
// putTokens numbers BenchmarkStore's puts.
var putTokens int

func BenchmarkStore(b *testing.B) {
	endpoint := startEtcd(b)
	for _, followed := range []bool{true, false} {
		prefix := fmt.Sprintf("bench-store-%v/", followed)
		var backend store.Backend = open(b, endpoint, prefix)
		if !followed {
			backend = struct{ store.Backend }{backend}
		}
		st, err := store.Open(backend)
		if err != nil {
			b.Fatal(err)
		}
		value := "v"
		if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: token(0), SecretString: &value}); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("op=get/followed=%v", followed), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("op=put/followed=%v", followed), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				putTokens++ // a new one each time, in every run (-count): a token again would be a retry, which changes nothing
				if _, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: token(putTokens), SecretString: &value}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
