package boltstate

import (
	"time"

	"github.com/stagelabel/stagelabel/store"
	bolt "go.etcd.io/bbolt"
)

// OpenReadOnly opens the database at path read-only: every commit fails.
func OpenReadOnly(path string) (*DB, error) {
	return open(path, &bolt.Options{ReadOnly: true})
}

// Fill adds n secrets, secret(0) to secret(n-1), to the database at path
// in transactions of many secrets, through the same encoding as Commit, as
// revisions 1 to n: a fast way to build a large database for benchmarks.
// The names must come in ascending order, none stored yet.
func Fill(path string, n int, secret func(i int) store.SecretSnapshot) error {
	db, err := Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	const perTx = 20000
	for start := 0; start < n; start += perTx {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			secrets := tx.Bucket(secretsBucket)
			secrets.FillPercent = 1 // appended in order: full pages
			meta := tx.Bucket(metaBucket)
			for i := start; i < min(start+perTx, n); i++ {
				s := secret(i)
				seq, err := meta.NextSequence()
				if err != nil {
					return err
				}
				key, err := secretKey(tx, s, true)
				if err != nil {
					return err
				}
				if err := secrets.Put(headerKey(key), appendHeader(nil, &s, store.Revision(seq), uint64(len(s.Versions)))); err != nil {
					return err
				}
				for j := range s.Versions {
					if err := secrets.Put(versionKey(key, s.Versions[j].VersionId), appendVersion(nil, &s.Versions[j], uint64(j))); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Transactions returns the number of transactions committed since Open and
// of the changes applied in them.
func (db *DB) Transactions() (txs, changes int64) {
	return db.txs.Load(), db.changes.Load()
}

// PageWrites returns the pages written and the time spent writing them.
func (db *DB) PageWrites() (int64, time.Duration) {
	s := db.bolt.Stats().TxStats
	return s.GetWrite(), s.GetWriteTime()
}
