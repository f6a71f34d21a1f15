package etcdstate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/stagelabel/stagelabel/store"
)

// The byte after a secret's key and a 0 in the keys of its records.
const (
	headerTag  = 'h'
	versionTag = 'v'
)

// DefaultTimeout is how long a request to etcd may take before a DB gives
// up on it, unless [WithTimeout] says otherwise.
const DefaultTimeout = 5 * time.Second

// pageSize is the number of keys Load reads at a time.
const pageSize = 512

// DB is a [store.Backend] that keeps a store's secrets in etcd, under a
// prefix. Several DBs, in one process or many, may share a prefix: each
// commit compares the secret's revision in etcd, so their changes are
// ordered as one DB's are. A DB is safe for concurrent use.
type DB struct {
	client  *clientv3.Client
	prefix  string
	markKey string // of the DB's mark (see DB.Sync): prefix, "\x00", markTag
	timeout time.Duration

	mu        sync.Mutex
	loaded    int64           // the revision the last Load read
	known     map[string]bool // the keys of the secrets Load read, the feed passed or this DB committed, and not passed as removed since
	following bool
	feed      feed
}

// Option configures a DB.
type Option func(*DB)

// WithTimeout sets how long each request to etcd may take ([DefaultTimeout]
// by default). A commit that times out has an unknown outcome: see
// [DB.Commit].
func WithTimeout(d time.Duration) Option { return func(db *DB) { db.timeout = d } }

// Open returns the DB that keeps secrets in the etcd cluster of client,
// under the keys that begin with prefix, which may not be empty. It checks
// that the cluster answers within ctx. The DB does not own client: close
// client when done with every DB on it.
func Open(ctx context.Context, client *clientv3.Client, prefix string, opts ...Option) (*DB, error) {
	if prefix == "" {
		return nil, errors.New("etcdstate: the prefix may not be empty")
	}
	db := &DB{client: client, prefix: prefix, markKey: prefix + "\x00" + string(rune(markTag)), timeout: DefaultTimeout}
	for _, o := range opts {
		o(db)
	}
	if _, err := client.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly()); err != nil {
		return nil, fmt.Errorf("etcdstate: open %q: %w", prefix, err)
	}
	return db, nil
}

// secretBase returns what the keys of the records of the secret of s begin
// with: the prefix and the secret's key, and reports false when the
// secret's key cannot be one (it holds a 0, or is not an ARN's).
func (db *DB) secretBase(s store.SecretSnapshot) (string, bool) {
	k := s.Key()
	ok := strings.HasPrefix(k, "arn:aws:secretsmanager:") && s.Name != "" && strings.HasSuffix(k, ":secret:"+s.Name) && strings.IndexByte(k, 0) < 0
	return db.prefix + k, ok
}

func headerKey(base string) string { return base + "\x00" + string(rune(headerTag)) }

func versionKey(base, id string) string { return base + "\x00" + string(rune(versionTag)) + id }

// Load yields every secret stored under the DB's prefix, in the order of
// their keys, as they were at one revision of the cluster: it reads the
// prefix in pages of pageSize keys, all at the revision of the first. A
// compaction of that revision while Load runs fails it; a store opened
// again loads anew.
func (db *DB) Load(yield func(store.SecretSnapshot, store.Revision) error) error {
	known := map[string]bool{}
	at, err := db.read(func(s store.SecretSnapshot, rev store.Revision) error {
		known[s.Key()] = true
		return yield(s, rev)
	})
	if err != nil {
		return err
	}
	db.mu.Lock()
	if !db.following { // the feed starts where the store's Load read
		db.loaded, db.known = at, known
	}
	db.mu.Unlock()
	return nil
}

// read yields every secret stored under the DB's prefix, in the order of
// their keys, as they were at one revision of the cluster, and returns
// that revision.
func (db *DB) read(yield func(store.SecretSnapshot, store.Revision) error) (int64, error) {
	end := clientv3.GetPrefixRangeEnd(db.prefix)
	from := db.prefix
	var at int64
	var cur *loading
	for {
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(pageSize)}
		if at != 0 {
			opts = append(opts, clientv3.WithRev(at))
		}
		ctx, cancel := context.WithTimeout(context.Background(), db.timeout)
		resp, err := db.client.Get(ctx, from, opts...)
		cancel()
		if err != nil {
			return 0, fmt.Errorf("etcdstate: load %q: %w", db.prefix, err)
		}
		if at == 0 {
			at = resp.Header.Revision
		}
		for _, kv := range resp.Kvs {
			k := string(kv.Key)
			if k == db.markKey {
				continue // a Sync's: see Sync
			}
			secret, h, v, err := db.record(kv.Key, kv.Value)
			if err != nil {
				return 0, fmt.Errorf("etcdstate: load: %w", err)
			}
			if h != nil {
				if err := cur.yield(yield); err != nil {
					return 0, err
				}
				cur = &loading{key: secret, rev: store.Revision(kv.ModRevision), secret: h.Secret}
				continue
			}
			if cur == nil || cur.key != secret {
				return 0, fmt.Errorf("etcdstate: load: key %q: a version of no stored secret", k)
			}
			cur.versions = append(cur.versions, v)
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return at, cur.yield(yield)
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
}

// record decodes the record of key and value, a key under the prefix: it
// returns the key of its secret and, as the key's tag says, its header or
// its version, placed.
func (db *DB) record(key, value []byte) (secret string, h *header, v placed, err error) {
	secret, tag, id, ok := splitKey(strings.TrimPrefix(string(key), db.prefix))
	if !ok {
		return "", nil, placed{}, fmt.Errorf("key %q is not a secret's record", key)
	}
	h, v, err = decode(key, tag, id, value)
	return secret, h, v, err
}

// decode decodes value, the record of key, whose tag and version id (of a
// version's record) are given: a header, or a version, placed.
func decode(key []byte, tag byte, id string, value []byte) (*header, placed, error) {
	if tag == headerTag {
		h, err := decodeHeader(value)
		if err != nil {
			return nil, placed{}, fmt.Errorf("key %q: %w", key, err)
		}
		return &h, placed{}, nil
	}
	r, err := decodeVersion(value)
	if err == nil && r.Version != nil && r.Version.VersionId != id {
		err = fmt.Errorf("it holds version %q", r.Version.VersionId)
	}
	if err != nil {
		return nil, placed{}, fmt.Errorf("key %q: %w", key, err)
	}
	return nil, placed{id, r}, nil
}

// splitKey splits the key of a record, without the prefix, into the
// secret's key, the tag and, for a version, its id.
func splitKey(k string) (secret string, tag byte, id string, ok bool) {
	secret, rest, ok := strings.Cut(k, "\x00")
	if !ok || rest == "" {
		return "", 0, "", false
	}
	tag, id = rest[0], rest[1:]
	return secret, tag, id, tag == headerTag && id == "" || tag == versionTag && id != ""
}

// loading is a secret Load is reading.
type loading struct {
	key      string
	rev      store.Revision
	secret   store.SecretSnapshot
	versions []placed
}

type placed struct {
	id string
	r  versionRecord
}

// yield yields the secret of l, if any, its versions and pruned ids in
// the order of their places.
func (l *loading) yield(yield func(store.SecretSnapshot, store.Revision) error) error {
	if l == nil {
		return nil
	}
	slices.SortFunc(l.versions, func(a, b placed) int { return cmp.Compare(a.r.Place, b.r.Place) })
	s := l.secret
	s.Versions, s.Pruned = nil, nil
	for _, p := range l.versions {
		if p.r.Pruned {
			s.Pruned = append(s.Pruned, p.id)
		} else {
			s.Versions = append(s.Versions, *p.r.Version)
		}
	}
	return yield(s, l.rev)
}
