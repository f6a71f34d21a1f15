package boltstate

import (
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
// when the secret's stored revision is not c.Prev; an error saying so for
// a change that cannot be stored (an empty name, a name or version id
// longer than bbolt takes); [ErrClosed] after [DB.Close]; and the error of
// the transaction, making nothing, when the transaction fails.
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
	db.mu.Unlock()

	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, r := range batch {
			var fatal error
			r.rev, r.err, fatal = apply(tx, r.change)
			if fatal != nil {
				return fatal
			}
		}
		return nil
	})
	if err == nil {
		db.txs.Add(1)
		db.changes.Add(int64(len(batch)))
	} else {
		for _, r := range batch {
			r.rev, r.err = 0, fmt.Errorf("boltstate: the transaction failed, nothing of it was saved: %w", err)
		}
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

// errInvalid is the error of a change that cannot be stored.
var errInvalid = errors.New("boltstate: the change cannot be stored")

// apply applies c in tx when the secret's stored revision is c.Prev, and
// returns the secret's new revision. It returns refused, having written
// nothing, when it does not apply c (a conflict, a change that cannot be
// stored, a stored record that does not decode), and fatal when a write
// failed, which leaves tx to be rolled back.
func apply(tx *bolt.Tx, c store.Change) (rev store.Revision, refused, fatal error) {
	name := []byte(c.Secret.Name)
	if len(name) == 0 || len(name) > bolt.MaxKeySize {
		return 0, fmt.Errorf("%w: a name of %d bytes, not 1 to %d", errInvalid, len(name), bolt.MaxKeySize), nil
	}
	secrets := tx.Bucket(secretsBucket)
	b := secrets.Bucket(name)
	var stored store.Revision
	if b != nil {
		var err error
		if stored, err = revision(b.Get(headerKey)); err != nil {
			return 0, corrupt(c.Secret.Name, headerKey, err), nil
		}
	} else if secrets.Get(name) != nil {
		return 0, fmt.Errorf("boltstate: secret %q is not a bucket", name), nil
	}
	if stored != c.Prev {
		return 0, store.ErrConflict, nil
	}
	if !c.Removed {
		if err := check(b, c.Secret); err != nil {
			return 0, err, nil
		}
	}

	// From here on, a failure is the transaction's.
	seq, err := tx.Bucket(metaBucket).NextSequence()
	if err != nil {
		return 0, nil, err
	}
	rev = store.Revision(seq)
	if c.Removed {
		if b != nil {
			err = secrets.DeleteBucket(name)
		}
		return rev, nil, err
	}
	if b == nil {
		if b, err = secrets.CreateBucket(name); err != nil {
			return 0, nil, err
		}
	}
	if err := b.Put(headerKey, appendHeader(nil, &c.Secret, rev)); err != nil {
		return 0, nil, err
	}
	for i := range c.Secret.Versions {
		v := &c.Secret.Versions[i]
		err := put(b, v.VersionId, func(place uint64) []byte { return appendVersion(nil, v, place) })
		if err != nil {
			return 0, nil, err
		}
	}
	for _, id := range c.Secret.Pruned {
		if err := put(b, id, func(place uint64) []byte { return appendPruned(nil, place) }); err != nil {
			return 0, nil, err
		}
	}
	return rev, nil, nil
}

// check refuses the change of secret s, stored in b (nil for none), when a
// record of it could not be stored or one it rewrites does not decode.
func check(b *bolt.Bucket, s store.SecretSnapshot) error {
	ids := make([]string, 0, len(s.Versions)+len(s.Pruned))
	for _, v := range s.Versions {
		if n := len(v.SecretBinary) + len(derefString(v.SecretString)); n > bolt.MaxValueSize/2 {
			return fmt.Errorf("%w: version %s has a value of %d bytes", errInvalid, v.VersionId, n)
		}
		ids = append(ids, v.VersionId)
	}
	ids = append(ids, s.Pruned...)
	for _, id := range ids {
		if len(id) == 0 || len(id) >= bolt.MaxKeySize {
			return fmt.Errorf("%w: a version id of %d bytes, not 1 to %d", errInvalid, len(id), bolt.MaxKeySize-1)
		}
		if b == nil {
			continue
		}
		key := versionKey(id)
		if rec := b.Get(key); rec != nil {
			if _, err := place(rec); err != nil {
				return corrupt(s.Name, key, err)
			}
		}
	}
	return nil
}

// put writes the record of version id in b, made by rec with the
// version's place: the one it has when it is stored already, else the
// next of the secret.
func put(b *bolt.Bucket, id string, rec func(place uint64) []byte) error {
	key := versionKey(id)
	var p uint64
	var err error
	if old := b.Get(key); old != nil {
		p, err = place(old)
	} else {
		p, err = b.NextSequence()
	}
	if err != nil {
		return err
	}
	return b.Put(key, rec(p))
}

func versionKey(id string) []byte {
	return append([]byte{versionPrefix}, id...)
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
