package boltstate_test

import (
	"path/filepath"
	"testing"

	"github.com/stagelabel/stagelabel/boltstate"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// TestContract checks DB against the durability contract of store.Backend.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t testing.TB, dir string) store.Backend {
		db, err := boltstate.Open(filepath.Join(dir, "secrets.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
