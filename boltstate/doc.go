// Package boltstate keeps a store's secrets durably in a bbolt database: a
// [store.Backend] that scales with the number of secrets and never
// acknowledges a change it could lose.
package boltstate
