package boltstate

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stagelabel/stagelabel/store"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// dbFormat is the version of the layout, kept under formatKey in the meta
// bucket; Open migrates a database of format 1 (keyed by name alone) and
// refuses others.
const dbFormat = 2

// Names of the buckets and keys of the layout (see the package doc).
var (
	metaBucket    = []byte("meta")
	formatKey     = []byte("format")
	secretsBucket = []byte("secrets")
	spacesBucket  = []byte("namespaces") // in meta
	headerSuffix  = []byte{headerTag}
)

// The byte after a secret's name and a 0 in the keys of its records.
const (
	headerTag  = 'h'
	versionTag = 'v'
)

// namespaceOf returns the namespace of the secret of s, "<region>:<account>"
// as its ARN names them, and its name, and false when they cannot be told
// or the name holds a 0.
func namespaceOf(s store.SecretSnapshot) (ns string, ok bool) {
	rest, ok1 := strings.CutPrefix(s.ARN, "arn:aws:secretsmanager:")
	region, rest, ok2 := strings.Cut(rest, ":")
	account, rest, ok3 := strings.Cut(rest, ":")
	ok = ok1 && ok2 && ok3 && strings.HasPrefix(rest, "secret:"+s.Name+"-") && s.Name != "" && strings.IndexByte(s.Name, 0) < 0
	return region + ":" + account, ok
}

// secretKey returns what the keys of the records of the secret of s begin
// with: the number of its namespace, a varint (with no 0 byte: it is never
// 0), and its name. The namespaces bucket numbers each namespace the first
// time a secret of it is stored; with assign false, secretKey numbers none
// and returns nil for a namespace without a number. It returns errInvalid
// for a secret whose namespace its ARN does not tell.
func secretKey(tx *bolt.Tx, s store.SecretSnapshot, assign bool) ([]byte, error) {
	ns, ok := namespaceOf(s)
	if !ok {
		return nil, fmt.Errorf("%w: secret %q: its ARN %q names no region and account", errInvalid, s.Name, s.ARN)
	}
	spaces := tx.Bucket(metaBucket).Bucket(spacesBucket)
	id := spaces.Get([]byte(ns))
	if id == nil && assign {
		n, err := spaces.NextSequence()
		if err != nil {
			return nil, err
		}
		id = binary.AppendUvarint(nil, n)
		if err := spaces.Put([]byte(ns), id); err != nil {
			return nil, err
		}
	}
	if id == nil {
		return nil, nil
	}
	return append(bytes.Clone(id), s.Name...), nil
}

// nameOf returns the name in a secret's key.
func nameOf(key []byte) []byte {
	_, n := binary.Uvarint(key)
	return key[max(n, 0):]
}

// headerKey returns the key of the header record of the secret of key
// name.
func headerKey(name []byte) []byte {
	return append(append(make([]byte, 0, len(name)+2), name...), 0, headerTag)
}

// versionKey returns the key of the record of version id of the secret of
// key name.
func versionKey(name []byte, id string) []byte {
	return append(append(append(make([]byte, 0, len(name)+2+len(id)), name...), 0, versionTag), id...)
}

// splitKey returns the name of the secret a key is of and the rest after
// the 0 that ends the name; nil for a key of no secret.
func splitKey(k []byte) (name, rest []byte) {
	i := bytes.IndexByte(k, 0)
	if i < 1 {
		return nil, nil
	}
	return k[:i], k[i+1:]
}

// ErrClosed is the error of [DB.Commit] after [DB.Close].
const ErrClosed = dbError("boltstate: the database is closed")

// ErrFailed is the error of every [DB.Commit] after a transaction failed:
// a write or a sync of the file failed, so what the disk holds of that
// transaction is unknown (a failed sync may still reach the disk, and
// bbolt may read back a page the kernel kept), and the database takes no
// change until it is opened again, which reads what the disk holds.
const ErrFailed = dbError("boltstate: an earlier transaction failed; the database takes no change until it is opened again")

type dbError string

func (e dbError) Error() string { return string(e) }

// DB is a bbolt database holding the secrets of a store: a [store.Backend]
// (see the package doc). It is safe for concurrent use.
type DB struct {
	bolt *bolt.DB

	mu     sync.Mutex
	idle   sync.Cond  // signalled when busy turns false; on mu
	queue  []*request // changes waiting for the next transaction
	busy   bool       // a leader is committing: queue is served without a new one
	closed bool
	failed error // the error of a failed transaction: no commit is taken after it

	txs, changes atomic.Int64 // transactions committed and the changes in them, for tests
}

var _ store.Backend = (*DB)(nil)

// Open opens the bbolt database at path, creating it if missing. It fails
// at once, with an error that says why, when the file cannot be opened for
// writing (a missing directory, a read-only file system), is not a bbolt
// database of this package, or is in use by another process (after
// waiting a second for it).
func Open(path string) (*DB, error) {
	return open(path, &bolt.Options{})
}

// open opens the database at path with opts; tests open one read-only.
func open(path string, opts *bolt.Options) (*DB, error) {
	opts.Timeout = time.Second
	opts.FreelistType = bolt.FreelistMapType
	b, err := bolt.Open(path, 0o600, opts)
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("boltstate: %s is in use by another process", path)
	case errors.As(err, &pathErr):
		return nil, fmt.Errorf("boltstate: opening %s: %w", path, pathErr.Err)
	case err != nil:
		return nil, fmt.Errorf("boltstate: %s is not a bbolt database, or a damaged one: %w", path, err)
	}
	fresh, old := false, false
	err = b.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(metaBucket); meta != nil {
			f := meta.Get(formatKey)
			old = len(f) == 1 && f[0] == 1
			if !old && (len(f) != 1 || f[0] != dbFormat) {
				return fmt.Errorf("boltstate: %s has layout %v, want [%d]", path, f, dbFormat)
			}
			if tx.Bucket(secretsBucket) == nil || !old && meta.Bucket(spacesBucket) == nil {
				return fmt.Errorf("boltstate: %s has no bucket of secrets", path)
			}
			return nil
		}
		if k, _ := tx.Cursor().First(); k != nil {
			return fmt.Errorf("boltstate: %s is a bbolt database of something else", path)
		}
		fresh = true
		return nil
	})
	if err == nil && fresh {
		err = b.Update(func(tx *bolt.Tx) error {
			meta, err := tx.CreateBucket(metaBucket)
			if err == nil {
				err = meta.Put(formatKey, []byte{dbFormat})
			}
			if err == nil {
				_, err = meta.CreateBucket(spacesBucket)
			}
			if err == nil {
				_, err = tx.CreateBucket(secretsBucket)
			}
			return err
		})
	}
	if err == nil && old && !opts.ReadOnly {
		err = b.Update(migrate)
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	db := &DB{bolt: b}
	db.idle.L = &db.mu
	return db, nil
}

// migrate turns a database of format 1, whose records were keyed by the
// secret's name alone, into one of this format, keyed by its namespace
// and name (see [secretKey]), the namespace read from the ARN in its
// header, in one transaction: a crash leaves the one or the other.
func migrate(tx *bolt.Tx) error {
	if _, err := tx.Bucket(metaBucket).CreateBucket(spacesBucket); err != nil {
		return err
	}
	type record struct{ k, v []byte }
	var moved []record
	var d decoder
	var key []byte // of the secret whose records are being read
	var name []byte
	err := tx.Bucket(secretsBucket).ForEach(func(k, v []byte) error {
		of, rest := splitKey(k)
		if of == nil {
			return fmt.Errorf("boltstate: migrating: record %q is of no secret", k)
		}
		if !bytes.Equal(of, name) {
			var s store.SecretSnapshot
			if !bytes.Equal(rest, headerSuffix) {
				return fmt.Errorf("boltstate: migrating: record %q comes before its secret's header", k)
			}
			if _, _, err := d.header(of, v, &s); err != nil {
				return corrupt(string(of), k, err)
			}
			k2, err := secretKey(tx, s, true)
			if err != nil {
				return fmt.Errorf("boltstate: migrating: %w", err)
			}
			name, key = bytes.Clone(of), k2
		}
		moved = append(moved, record{append(append(bytes.Clone(key), 0), rest...), bytes.Clone(v)})
		return nil
	})
	if err == nil {
		err = tx.DeleteBucket(secretsBucket)
	}
	var secrets *bolt.Bucket
	if err == nil {
		secrets, err = tx.CreateBucket(secretsBucket)
	}
	for _, r := range moved {
		if err != nil {
			break
		}
		err = secrets.Put(r.k, r.v)
	}
	if err == nil {
		err = tx.Bucket(metaBucket).Put(formatKey, []byte{dbFormat})
	}
	return err
}

// Close waits for the commits in flight, then closes the database; any
// later Commit returns [ErrClosed].
func (db *DB) Close() error {
	db.mu.Lock()
	db.closed = true
	for db.busy {
		db.idle.Wait()
	}
	db.mu.Unlock()
	return db.bolt.Close()
}

// Load calls yield once for each stored secret, whole, with its revision,
// as [store.Backend] says, secrets by name, in one read transaction. It
// stops at the first error, yield's or its own (a record that does not
// decode, named without its value), and returns it.
func (db *DB) Load(yield func(store.SecretSnapshot, store.Revision) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		var d secretDecoder
		c := tx.Bucket(secretsBucket).Cursor()
		for k, v := c.First(); k != nil; {
			var s store.SecretSnapshot
			var rev store.Revision
			var err error
			if k, v, rev, err = d.secret(c, k, v, &s); err != nil {
				return err
			}
			if err := yield(s, rev); err != nil {
				return err
			}
		}
		return nil
	})
}

// secretDecoder decodes whole secrets, reusing its buffers. What it
// returns is carved from chunks it allocates and never reuses.
type secretDecoder struct {
	decoder
	entries  []entry
	texts    []string                // SecretString points into it
	versions []store.VersionSnapshot // Versions is cut from it
	pruned   []string                // Pruned is cut from it
}

// entry is one version of a secret being decoded.
type entry struct {
	place  uint64
	pruned bool
	v      store.VersionSnapshot
}

// secret decodes into s the secret whose header record the cursor c is
// at, k and v, and returns its revision, and the key and value after its
// records.
func (d *secretDecoder) secret(c *bolt.Cursor, k, v []byte, s *store.SecretSnapshot) (nk, nv []byte, rev store.Revision, err error) {
	name, rest := splitKey(k)
	if name == nil || !bytes.Equal(rest, headerSuffix) || v == nil {
		return nil, nil, 0, fmt.Errorf("boltstate: record %q is not the header of a secret", k)
	}
	if rev, _, err = d.header(nameOf(name), v, s); err != nil {
		return nil, nil, 0, corrupt(string(nameOf(name)), k, err)
	}
	d.entries = d.entries[:0]
	live := 0
	for k, v = c.Next(); k != nil; k, v = c.Next() {
		of, rest := splitKey(k)
		if !bytes.Equal(of, name) {
			break
		}
		if len(rest) < 2 || rest[0] != versionTag || v == nil {
			return nil, nil, 0, corrupt(s.Name, k, errCorrupt)
		}
		if len(d.texts) == cap(d.texts) {
			d.texts = make([]string, 0, 256)
		}
		d.texts = d.texts[:len(d.texts)+1]
		e := entry{}
		if e.place, e.pruned, err = d.version(rest[1:], v, &e.v, &d.texts[len(d.texts)-1]); err != nil {
			return nil, nil, 0, corrupt(s.Name, k, err)
		}
		if !e.pruned {
			live++
		}
		d.entries = append(d.entries, e)
	}
	slices.SortFunc(d.entries, func(a, b entry) int { return cmp.Compare(a.place, b.place) })
	if live > 0 {
		s.Versions = carve(&d.versions, live)
	}
	if n := len(d.entries) - live; n > 0 {
		s.Pruned = carve(&d.pruned, n)
	}
	for i, e := range d.entries {
		if i > 0 && e.place == d.entries[i-1].place {
			return nil, nil, 0, fmt.Errorf("boltstate: secret %q: versions %s and %s share a place", s.Name, d.entries[i-1].v.VersionId, e.v.VersionId)
		}
		if e.pruned {
			s.Pruned = append(s.Pruned, e.v.VersionId)
		} else {
			s.Versions = append(s.Versions, e.v)
		}
	}
	clear(d.entries) // what they hold is s's now
	return k, v, rev, nil
}

// carve returns an empty slice of capacity n cut from the end of chunk,
// replacing chunk with a new one when it has too little room.
func carve[T any](chunk *[]T, n int) []T {
	if cap(*chunk)-len(*chunk) < n {
		*chunk = make([]T, 0, max(n, 256))
	}
	i := len(*chunk)
	*chunk = (*chunk)[:i+n]
	return (*chunk)[i : i : i+n]
}
