// Package boltstate keeps a store's secrets durably in a bbolt database:
// a [store.Backend] whose changes cost what they touched, whatever the
// number of secrets or of versions, and that never acknowledges a change
// it could lose.
//
//	db, err := boltstate.Open("secrets.db")
//	...
//	defer db.Close()
//	st, err := store.Open(db)
//
// # Layout
//
// The database holds two buckets. "meta" keeps the layout's format (2)
// under the key "format"; as its bucket sequence, the revision counter:
// each change applied takes the next number, in the transaction that
// writes it, so revisions grow across restarts and are never 0; and the
// bucket "namespaces", which numbers each namespace ("<region>:<account>")
// the first time a secret of it is stored, so that keys stay short.
// "secrets" holds the records of every secret, each keyed by the number of
// the secret's namespace (a varint), its name, a 0 byte (neither has one),
// a tag and, for a version, its id:
//
//   - ns name 0 "h", the header: the secret's revision, the place its next
//     new version will take, and every member of its snapshot but its
//     name, versions and pruned ids;
//   - ns name 0 "v" id, one per version: the version's place, given when
//     the id is first written and kept when it is written again (Load
//     orders the versions by it), its value and its dates;
//   - the same key for a pruned version, now a tombstone: its place only.
//
// A database of format 1, keyed by name alone, from before namespaces, is
// migrated when it is opened, in one transaction.
//
// A secret's records are adjacent, its header first, so Load reads every
// secret in one pass. A change reads and writes the header and the records
// of the versions it names, whatever the number of secrets or of versions;
// removing a secret deletes its records.
//
// # Encoding
//
// Records are binary: a format byte (1), then varints, strings as a length
// and their bytes, times as seconds since year 1 (zigzag), nanoseconds and
// offset from UTC in seconds. A time comes back in the location JSON gives
// it: UTC for offset 0, Local when Local has that offset then, else a zone
// of that offset without a name. Strings are kept byte for byte, nil is
// told from empty where a snapshot tells them apart (SecretString,
// SecretBinary, Tags, RotationRules and its AutomaticallyAfterDays). The
// decoders never panic: a record they cannot read is an error that names
// the secret and the key, never a value.
//
// # Group commit
//
// Commit queues its change. A commit that finds no transaction running
// leads: it takes every change queued, applies each in one bbolt
// transaction (each compared with its own Prev: a conflict is refused
// alone), commits it with one fsync, and answers them all. Commits that
// arrive meanwhile queue for the next transaction, which the first of them
// leads as soon as this one is committed. So a lone writer never waits for
// a timer, and concurrent writers share an fsync. When the transaction
// fails, every change in it gets the error and none is saved.
//
// # Cost
//
// A change writes the pages of the records it touched and the tree above
// them, so its cost grows with the depth of the tree only: TestCommitCost
// shows a change writing 4 pages among 10 secrets, 6 among 20,000 and 6 on
// a secret of 2,000 versions, and BenchmarkPut the time of a write at 100
// and at 50,000 secrets. Load reads the
// database once, decoding a secret with 4 allocations (BenchmarkLoad);
// most of a store's start-up is the store's own (BenchmarkOpen against
// BenchmarkOpenFloor).
package boltstate
