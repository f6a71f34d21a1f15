package boltstate

import (
	"errors"

	"github.com/stagelabel/stagelabel/store"
	bolt "go.etcd.io/bbolt"
)

// DB is a bbolt database holding the secrets of a store: a
// [store.Backend]. It is safe for concurrent use.
type DB struct {
	bolt *bolt.DB
}

var _ store.Backend = (*DB)(nil)

// Open opens the bbolt database at path, creating it if missing.
func Open(path string) (*DB, error) {
	return nil, errors.New("boltstate: not implemented yet")
}

// Load calls yield once for each stored secret, with its revision.
func (db *DB) Load(yield func(store.SecretSnapshot, store.Revision) error) error {
	return errors.New("boltstate: not implemented yet")
}

// Commit makes the change c durable and returns the secret's new revision.
func (db *DB) Commit(c store.Change) (store.Revision, error) {
	return 0, errors.New("boltstate: not implemented yet")
}

// Close waits for the commits in flight and closes the database.
func (db *DB) Close() error {
	return nil
}
