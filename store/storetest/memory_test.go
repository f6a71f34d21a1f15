package storetest_test

import (
	"sync"
	"testing"

	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// TestMemory checks the reference backend against the contract: each
// directory stands for one Memory, kept for as long as the test runs.
func TestMemory(t *testing.T) {
	var mu sync.Mutex
	kept := map[string]*storetest.Memory{}
	storetest.Run(t, func(t testing.TB, dir string) store.Backend {
		mu.Lock()
		defer mu.Unlock()
		if kept[dir] == nil {
			kept[dir] = &storetest.Memory{}
		}
		return kept[dir]
	})
}

// TestShared checks the followers of a Shared against the contract: each
// directory stands for one Shared, and each opening is a new follower of
// it, as a new process on the same cluster would be.
func TestShared(t *testing.T) {
	var mu sync.Mutex
	kept := map[string]*storetest.Shared{}
	storetest.Run(t, func(t testing.TB, dir string) store.Backend {
		mu.Lock()
		defer mu.Unlock()
		if kept[dir] == nil {
			kept[dir] = &storetest.Shared{}
		}
		return kept[dir].Open()
	})
}
