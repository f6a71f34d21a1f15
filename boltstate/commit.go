package boltstate

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/stagelabel/stagelabel/store"
	bolt "go.etcd.io/bbolt"
)

// request is one change waiting for its transaction.
type request struct {
	change store.Change
	rev    store.Revision
	err    error
	lead   bool          // set, before wake is closed, when the request is to lead the next transaction
	wake   chan struct{} // closed when the request is answered or is to lead
}

// Commit makes the change c durable and returns the secret's new revision,
// as [store.Backend] says. It returns [store.ErrConflict], making nothing,
// when the secret's stored revision is not c.Prev; an error saying so,
// making nothing, for a change that cannot be stored (an empty name or
// version id, one too long for a bbolt key, a name with a 0 byte);
// [ErrClosed] after [DB.Close]; and the error of the transaction, making
// nothing, when the transaction fails, then [ErrFailed] to every later
// commit, and to those queued behind it, until the database is opened
// again.
//
// Concurrent commits share a transaction, and so an fsync: a commit that
// finds no transaction running starts one at once with every change
// waiting, and the commits that arrive meanwhile wait for it, then go in
// the next one together. No commit returns before its transaction is
// durable.
func (db *DB) Commit(c store.Change) (store.Revision, error) {
	r := &request{change: c, wake: make(chan struct{})}
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return 0, ErrClosed
	}
	if failed := db.failed; failed != nil {
		db.mu.Unlock()
		return 0, fmt.Errorf("%w: %w", ErrFailed, failed)
	}
	db.queue = append(db.queue, r)
	if db.busy {
		db.mu.Unlock()
		<-r.wake
		if !r.lead {
			return r.rev, r.err
		}
	} else {
		db.busy = true
		db.mu.Unlock()
	}
	db.lead()
	return r.rev, r.err
}

// lead commits every queued change in one transaction, passes the lead to
// the first change queued meanwhile, if any, and answers the others. The
// leader is the first change of the queue.
func (db *DB) lead() {
	db.mu.Lock()
	batch := db.queue
	db.queue = nil
	failed := db.failed
	db.mu.Unlock()

	if failed != nil { // queued behind the transaction that failed
		for _, r := range batch {
			r.err = fmt.Errorf("%w: %w", ErrFailed, failed)
		}
	} else {
		db.commit(batch)
	}

	db.mu.Lock()
	if len(db.queue) > 0 {
		next := db.queue[0]
		next.lead = true
		close(next.wake)
	} else {
		db.busy = false
		db.idle.Broadcast()
	}
	db.mu.Unlock()
	for _, r := range batch[1:] {
		close(r.wake)
	}
}

// commit applies the changes of batch in one transaction and sets each
// one's revision or error. When the transaction fails, every change gets
// its error, and the database takes no change after it.
func (db *DB) commit(batch []*request) {
	applied := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, r := range batch {
			var fatal error
			r.rev, r.err, fatal = apply(tx, r.change)
			if fatal != nil {
				return fatal
			}
			if r.err == nil {
				applied++
			}
		}
		if applied == 0 {
			return errNothing // nothing to commit: no fsync
		}
		return nil
	})
	switch {
	case err == nil:
		db.txs.Add(1)
		db.changes.Add(int64(applied))
	case errors.Is(err, errNothing):
	default:
		for _, r := range batch {
			r.rev, r.err = 0, fmt.Errorf("boltstate: the transaction failed, nothing of it was saved: %w", err)
		}
		db.mu.Lock()
		db.failed = err
		db.mu.Unlock()
	}
}

// errNothing rolls back a transaction that applied no change.
var errNothing = errors.New("boltstate: no change applied")

// errInvalid is the error of a change that cannot be stored.
var errInvalid = errors.New("boltstate: the change cannot be stored")

// apply applies c in tx when the secret's stored revision is c.Prev, and
// returns the secret's new revision. It returns refused, having written
// nothing, when it does not apply c (a conflict, a change that cannot be
// stored, a stored record that does not decode), and fatal when a write
// failed, which leaves tx to be rolled back.
func apply(tx *bolt.Tx, c store.Change) (rev store.Revision, refused, fatal error) {
	name, err := secretKey(tx, c.Secret, true)
	switch {
	case errors.Is(err, errInvalid):
		return 0, err, nil
	case err != nil:
		return 0, nil, err
	case len(name) > maxName:
		return 0, fmt.Errorf("%w: a name must be at most %d bytes", errInvalid, maxName-binary.MaxVarintLen64), nil
	}
	secrets := tx.Bucket(secretsBucket)
	hkey := headerKey(name)
	var prev store.Revision
	var next uint64
	if h := secrets.Get(hkey); h != nil {
		var err error
		if prev, next, err = stored(h); err != nil {
			return 0, corrupt(c.Secret.Name, hkey, err), nil
		}
	}
	if prev != c.Prev {
		return 0, store.ErrConflict, nil
	}
	var w writes
	if !c.Removed {
		if next, refused = w.plan(secrets, name, c.Secret, next); refused != nil {
			return 0, refused, nil
		}
	}

	// From here on, a failure is the transaction's.
	seq, err := tx.Bucket(metaBucket).NextSequence()
	if err != nil {
		return 0, nil, err
	}
	rev = store.Revision(seq)
	if c.Removed {
		return rev, nil, remove(secrets, name)
	}
	if err := secrets.Put(hkey, appendHeader(nil, &c.Secret, rev, next)); err != nil {
		return 0, nil, err
	}
	for i, v := range c.Secret.Versions {
		if err := secrets.Put(w.keys[i], appendVersion(nil, &v, w.places[i])); err != nil {
			return 0, nil, err
		}
	}
	for i := range c.Secret.Pruned {
		i += len(c.Secret.Versions)
		if err := secrets.Put(w.keys[i], appendPruned(nil, w.places[i])); err != nil {
			return 0, nil, err
		}
	}
	return rev, nil, nil
}

// maxName is the longest key a secret may have here (see [secretKey]):
// with a 0, a tag and a version id of as many bytes, it is a key bbolt
// takes.
const maxName = (bolt.MaxKeySize - 2) / 2

// writes are the keys and places of the version records a change writes:
// its versions, then its pruned ids.
type writes struct {
	keys   [][]byte
	places []uint64
}

// plan finds the keys and places of the version records the change of s
// writes in secrets, next being the place a new version takes, and returns
// the next place after them. It refuses a change with a version id or
// value too long to store, or whose stored record does not decode.
func (w *writes) plan(secrets *bolt.Bucket, name []byte, s store.SecretSnapshot, next uint64) (uint64, error) {
	ids := make([]string, 0, len(s.Versions)+len(s.Pruned))
	for _, v := range s.Versions {
		if n := len(v.SecretBinary) + len(derefString(v.SecretString)); n > bolt.MaxValueSize/2 {
			return 0, fmt.Errorf("%w: version %s has a value of %d bytes", errInvalid, v.VersionId, n)
		}
		ids = append(ids, v.VersionId)
	}
	ids = append(ids, s.Pruned...)
	var fresh map[string]uint64 // places given in this change
	for _, id := range ids {
		if id == "" || len(id) > maxName {
			return 0, fmt.Errorf("%w: a version id must be 1 to %d bytes", errInvalid, maxName)
		}
		key := versionKey(name, id)
		var p uint64
		if rec := secrets.Get(key); rec != nil {
			var err error
			if p, err = place(rec); err != nil {
				return 0, corrupt(s.Name, key, err)
			}
		} else if given, ok := fresh[id]; ok {
			p = given
		} else {
			if fresh == nil {
				fresh = map[string]uint64{}
			}
			p, fresh[id] = next, next
			next++
		}
		w.keys, w.places = append(w.keys, key), append(w.places, p)
	}
	return next, nil
}

// remove deletes every record of the secret of key name from secrets.
func remove(secrets *bolt.Bucket, name []byte) error {
	prefix := append(bytes.Clone(name), 0)
	var keys [][]byte
	c := secrets.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := secrets.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
