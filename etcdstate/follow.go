package etcdstate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/stagelabel/stagelabel/store"
)

// retryDelay is how long the feed waits before it watches again, once a
// watch broke.
const retryDelay = 100 * time.Millisecond

// feed is what a DB keeps of its feed (see [DB.Follow]), under the DB's
// mutex.
type feed struct {
	apply   func(string, store.Change, store.Revision) error
	applied int64              // every change up to this revision is passed on
	moved   chan struct{}      // closed and replaced whenever the watch answers
	err     error              // apply's first error
	watch   context.Context    // of the watch running, for progress requests; nil when none
	stop    context.CancelFunc // ends the feed
	stopped chan struct{}      // closed when the feed has ended
}

// Follow starts the DB's feed: from the revision the last Load read on,
// it watches the DB's prefix and passes each change to apply as the
// watch's events tell it (the header, the version records written, and
// the header's previous revision), this DB's own changes included (the
// store then waits for the writer that made one to publish it). When the
// store answers [store.ErrGap], it reads the secret whole, as the cluster
// holds it then, and passes that. When the watch breaks it watches again
// from where it was; when that revision is compacted, it reads the whole
// prefix again and passes every secret whole, and the removal of those it
// knew and no longer finds. It runs until [DB.Close] or the client's
// Close. A second call does nothing.
//
// Follow and [DB.Sync] make the DB a [store.Follower]: every store on
// the cluster answers as one (docs/semantics.md §ST8).
func (db *DB) Follow(apply func(key string, c store.Change, rev store.Revision) error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.following {
		return
	}
	ctx, stop := context.WithCancel(db.client.Ctx())
	db.following = true
	db.feed = feed{apply: apply, applied: db.loaded, moved: make(chan struct{}), stop: stop, stopped: make(chan struct{})}
	if db.known == nil {
		db.known = map[string]bool{}
	}
	go db.follow(ctx, db.loaded+1, db.feed.stopped)
}

// Close ends the DB's feed, if it has one, and waits for it to end. It
// does not close the client.
func (db *DB) Close() error {
	db.mu.Lock()
	f := db.feed
	db.mu.Unlock()
	if f.stop != nil {
		f.stop()
		<-f.stopped
	}
	return nil
}

// Sync returns nil once the feed has passed on every change committed
// before Sync was called: it asks the cluster its revision (a
// linearizable request, of a quorum), then waits until the watch has
// answered up to it, asking etcd for the watch's progress. It fails when
// that takes longer than the DB's timeout (quorum lost, the watch
// broken), or when the store refused a state the feed passed. A DB that
// is not followed has nothing to wait for.
func (db *DB) Sync() error {
	ctx, cancel := context.WithTimeout(context.Background(), db.timeout)
	defer cancel()
	resp, err := db.client.Get(ctx, db.prefix, clientv3.WithCountOnly())
	if err != nil {
		return fmt.Errorf("etcdstate: sync: %w", err)
	}
	target := resp.Header.Revision
	for {
		db.mu.Lock()
		f := &db.feed
		if !db.following || f.err != nil || f.applied >= target {
			err := f.err
			db.mu.Unlock()
			return err
		}
		moved := f.moved
		if f.watch != nil {
			// Sent from a goroutine of its own: it waits for the
			// watch's stream, which the watch's context bounds.
			go db.client.RequestProgress(f.watch) // on failure, the watch breaks or Sync times out
		}
		db.mu.Unlock()
		select {
		case <-moved:
		case <-ctx.Done():
			return fmt.Errorf("etcdstate: sync: the feed did not reach revision %d within %v", target, db.timeout)
		}
	}
}

// follow runs the feed from revision next until ctx ends, then closes
// stopped.
func (db *DB) follow(ctx context.Context, next int64, stopped chan struct{}) {
	defer close(stopped)
	for ctx.Err() == nil {
		next = db.watch(ctx, next)
		select {
		case <-ctx.Done():
		case <-time.After(retryDelay):
		}
	}
}

// watch passes on the changes from revision next until the watch breaks,
// and returns the revision to watch from again.
func (db *DB) watch(ctx context.Context, next int64) int64 {
	// A member that loses its leader ends the watch, which starts again
	// on another.
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	db.setWatch(wctx)
	defer db.clearWatch()
	for resp := range db.client.Watch(wctx, db.prefix, clientv3.WithPrefix(), clientv3.WithRev(next), clientv3.WithPrevKV()) {
		if resp.CompactRevision != 0 {
			at, err := db.reload()
			if err != nil {
				return next
			}
			return at + 1
		}
		if resp.Canceled || resp.Err() != nil {
			return next
		}
		if len(resp.Events) == 0 { // a progress notification: nothing before its revision is left
			db.advance(resp.Header.Revision)
			continue
		}
		for _, ch := range db.changes(resp.Events) {
			err := db.pass(ch.key, ch.c, ch.rev)
			if errors.Is(err, store.ErrGap) {
				err = db.refresh(ctx, ch.key)
			}
			if err != nil {
				return next
			}
		}
		last := resp.Events[len(resp.Events)-1].Kv.ModRevision
		db.advance(last)
		next = last + 1
	}
	return next
}

// setWatch records the context of the watch running, to which Sync sends
// progress requests, and wakes the Syncs waiting, which ask it.
func (db *DB) setWatch(ctx context.Context) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.feed.watch = ctx
	close(db.feed.moved)
	db.feed.moved = make(chan struct{})
}

// clearWatch records that no watch runs.
func (db *DB) clearWatch() {
	db.mu.Lock()
	db.feed.watch = nil
	db.mu.Unlock()
}

// advance records that every change up to revision rev is passed on, and
// wakes the Syncs waiting, whether or not it moved (a progress answer
// short of their revision makes them ask again).
func (db *DB) advance(rev int64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	f := &db.feed
	f.applied = max(f.applied, rev)
	close(f.moved)
	f.moved = make(chan struct{})
}

// refresh reads the secret of key k as the cluster holds it now and
// passes it on.
func (db *DB) refresh(ctx context.Context, k string) error {
	ctx, cancel := context.WithTimeout(ctx, db.timeout)
	defer cancel()
	base := db.prefix + k
	resp, err := db.client.Get(ctx, base+"\x00", clientv3.WithPrefix())
	if err != nil {
		return err
	}
	var cur *loading
	for _, kv := range resp.Kvs {
		_, tag, id, ok := splitKey(strings.TrimPrefix(string(kv.Key), db.prefix))
		if !ok {
			return db.fail(fmt.Errorf("etcdstate: follow: key %q is not a secret's record", kv.Key))
		}
		if tag == headerTag {
			h, err := decodeHeader(kv.Value)
			if err != nil {
				return db.fail(fmt.Errorf("etcdstate: follow: key %q: %w", kv.Key, err))
			}
			cur = &loading{key: k, rev: store.Revision(kv.ModRevision), secret: h.Secret}
			continue
		}
		r, err := decodeVersion(kv.Value)
		if err != nil {
			return db.fail(fmt.Errorf("etcdstate: follow: key %q: %w", kv.Key, err))
		}
		if cur != nil && (r.Version == nil || r.Version.VersionId == id) {
			cur.versions = append(cur.versions, placed{id, r})
		}
	}
	if cur == nil {
		if !db.known[k] {
			return nil
		}
		return db.pass(k, store.Change{Removed: true}, store.Revision(resp.Header.Revision))
	}
	return cur.yield(func(s store.SecretSnapshot, rev store.Revision) error {
		return db.pass(k, store.Change{Secret: s}, rev)
	})
}

// pass passes change c of the secret of key k, which gave it revision
// rev, on to the store, and records whether the secret exists. It returns
// [store.ErrGap] when the store answers it; any other error the store
// answers is kept as the feed's error, which every Sync then returns, and
// the feed goes on.
func (db *DB) pass(k string, c store.Change, rev store.Revision) error {
	err := db.feed.apply(k, c, rev)
	switch {
	case errors.Is(err, store.ErrGap):
		return err
	case err != nil:
		return db.fail(err)
	case c.Removed:
		delete(db.known, k)
	default:
		db.known[k] = true
	}
	return nil
}

// change is one change of one secret, as the watch's events tell it.
type change struct {
	key string
	c   store.Change
	rev store.Revision
}

// changes returns the changes events tell, in their order: for each
// revision, and each secret whose header it wrote or deleted, the header
// (its previous revision the change's Prev) and the version records of
// that revision, by place; or the secret's removal. Records it cannot
// read make the feed's error.
func (db *DB) changes(events []*clientv3.Event) []change {
	var out []change
	var versions [][]placed // of out's changes
	at := map[string]int{}  // a secret's change in out, of the revision at hand
	var rev int64
	for _, ev := range events {
		if ev.Kv.ModRevision != rev {
			rev, at = ev.Kv.ModRevision, map[string]int{}
		}
		k, tag, id, ok := splitKey(strings.TrimPrefix(string(ev.Kv.Key), db.prefix))
		if !ok {
			db.fail(fmt.Errorf("etcdstate: follow: key %q is not a secret's record", ev.Kv.Key))
			continue
		}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, change{key: k, rev: store.Revision(rev)})
			versions = append(versions, nil)
		}
		switch {
		case ev.Type == clientv3.EventTypeDelete:
			out[i].c.Removed = tag == headerTag || out[i].c.Removed
		case tag == headerTag:
			h, err := decodeHeader(ev.Kv.Value)
			if err != nil {
				db.fail(fmt.Errorf("etcdstate: follow: key %q: %w", ev.Kv.Key, err))
				continue
			}
			out[i].c.Secret = h.Secret
			if ev.PrevKv != nil {
				out[i].c.Prev = store.Revision(ev.PrevKv.ModRevision)
			}
		default:
			r, err := decodeVersion(ev.Kv.Value)
			if err != nil || r.Version != nil && r.Version.VersionId != id {
				db.fail(fmt.Errorf("etcdstate: follow: key %q: not the record of version %q: %v", ev.Kv.Key, id, err))
				continue
			}
			versions[i] = append(versions[i], placed{id, r})
		}
	}
	for i := range out {
		if out[i].c.Removed {
			out[i].c = store.Change{Removed: true}
			continue
		}
		l := loading{secret: out[i].c.Secret, versions: versions[i]}
		l.yield(func(s store.SecretSnapshot, _ store.Revision) error {
			out[i].c.Secret = s
			return nil
		})
	}
	return out
}

// fail keeps err as the feed's error, unless it has one, and returns nil:
// the feed goes on, and every Sync fails.
func (db *DB) fail(err error) error {
	db.mu.Lock()
	if db.feed.err == nil {
		db.feed.err = err
	}
	db.mu.Unlock()
	return nil
}

// reload reads the whole prefix again, at the cluster's revision, and
// passes on every secret, and the removal of those the feed knew and no
// longer finds; it returns the revision it read.
func (db *DB) reload() (int64, error) {
	seen := map[string]bool{}
	at, err := db.read(func(s store.SecretSnapshot, rev store.Revision) error {
		seen[s.Key()] = true
		return db.pass(s.Key(), store.Change{Secret: s}, rev)
	})
	if err != nil {
		return 0, err
	}
	for k := range db.known {
		if !seen[k] {
			db.pass(k, store.Change{Removed: true}, store.Revision(at))
		}
	}
	db.advance(at)
	return at, nil
}
