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

// markAfter is how long a Sync waits for the watch's events to reach the
// cluster's revision before it writes the mark (see [DB.Sync]): about what
// the events of a change just committed take to arrive on loopback.
const markAfter = 10 * time.Millisecond

// markTag tags the key of the mark, prefix + "\x00" + markTag: of no
// secret (a secret's key is never empty), inside the prefix, so that the
// watch tells its writes.
const markTag = 'm'

// feed is what a DB keeps of its feed (see [DB.Follow]), under the DB's
// mutex.
type feed struct {
	apply   func(string, store.Change, store.Revision) error
	applied int64              // every change up to this revision is passed on
	moved   chan struct{}      // closed and replaced whenever the watch answers
	err     error              // apply's first error
	stop    context.CancelFunc // ends the feed
	stopped chan struct{}      // closed when the feed has ended

	read flight // of the cluster's revision, for Syncs
	mark flight // writes of the mark, for Syncs
}

// A flight makes the requests to etcd that Syncs wait for, one at a time,
// each for every Sync that asked before it was sent: the Syncs of
// concurrent operations share a request, not one each.
type flight struct {
	next    *answer // of the request not yet sent, which the Syncs asking join
	running bool    // a goroutine sends the requests (see fly)
}

// answer is the revision a request of a flight answered, or its error.
type answer struct {
	done chan struct{} // closed once answered
	rev  int64
	err  error
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
// before Sync was called. It asks the cluster its revision (a
// linearizable request, of a quorum) and waits until the watch's events
// reach it. When they do not within markAfter (the revisions after the
// last event are those of no change under the prefix, or the events are
// on their way), it writes the DB's mark, a key under the prefix, and
// waits for the watch to tell that write: the watch tells events in the
// order of their revisions, so every change before the mark has then
// been passed on. The Syncs of concurrent operations share their reads
// and their writes: each waits for the next one sent after it was called.
//
// Only events count: etcd's answer to a progress request can run ahead
// of the events the watch has still to send, before etcd 3.4.25 and 3.5.8
// (etcd-io/etcd#15220: Debian 12 has 3.4.23), and while a watch started
// again catches up, so that a Sync trusting it could return before the
// change it must wait for (tests/etcd.sh found such stale reads).
//
// Sync fails when that takes longer than the DB's timeout (quorum lost,
// the watch broken), or when the store refused a state the feed passed.
// A DB that is not followed has nothing to wait for.
func (db *DB) Sync() error {
	ctx, cancel := context.WithTimeout(context.Background(), db.timeout)
	defer cancel()
	target, err := db.await(ctx, &db.feed.read, func(ctx context.Context) (int64, error) {
		resp, err := db.client.Get(ctx, db.markKey, clientv3.WithCountOnly()) // one key: the revision is what counts
		if err != nil {
			return 0, err
		}
		return resp.Header.Revision, nil
	})
	if err != nil {
		return fmt.Errorf("etcdstate: sync: %w", err)
	}
	wait, cancelWait := context.WithTimeout(ctx, markAfter)
	done, err := db.reached(wait, target)
	cancelWait()
	if done {
		return err
	}
	mark, err := db.await(ctx, &db.feed.mark, func(ctx context.Context) (int64, error) {
		resp, err := db.client.Put(ctx, db.markKey, "")
		if err != nil {
			return 0, err
		}
		return resp.Header.Revision, nil
	})
	if err != nil {
		return fmt.Errorf("etcdstate: sync: write the mark: %w", err)
	}
	if done, err := db.reached(ctx, mark); done {
		return err
	}
	return fmt.Errorf("etcdstate: sync: the feed did not reach revision %d within %v", mark, db.timeout)
}

// reached waits until the feed has passed every change up to revision rev
// and reports true, with the feed's error, or until ctx ends and reports
// false.
func (db *DB) reached(ctx context.Context, rev int64) (bool, error) {
	for {
		db.mu.Lock()
		f := &db.feed
		if !db.following || f.err != nil || f.applied >= rev {
			err := f.err
			db.mu.Unlock()
			return true, err
		}
		moved := f.moved
		db.mu.Unlock()
		select {
		case <-moved:
		case <-ctx.Done():
			return false, nil
		}
	}
}

// await asks flight f for a request, do, sent after the call, and
// returns the revision it answered.
func (db *DB) await(ctx context.Context, f *flight, do func(context.Context) (int64, error)) (int64, error) {
	db.mu.Lock()
	a := f.next
	if a == nil {
		a = &answer{done: make(chan struct{})}
		f.next = a
	}
	if !f.running {
		f.running = true
		go db.fly(f, do)
	}
	db.mu.Unlock()
	select {
	case <-a.done:
		return a.rev, a.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// fly sends flight f's requests, one at a time, until none is asked for.
func (db *DB) fly(f *flight, do func(context.Context) (int64, error)) {
	for {
		db.mu.Lock()
		a := f.next
		f.next = nil
		if a == nil {
			f.running = false
			db.mu.Unlock()
			return
		}
		db.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), db.timeout)
		a.rev, a.err = do(ctx)
		cancel()
		close(a.done)
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
		if len(resp.Events) == 0 { // none is asked for: see Sync
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

// advance records that every change up to revision rev is passed on, and
// wakes the Syncs waiting.
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
		_, h, v, err := db.record(kv.Key, kv.Value)
		switch {
		case err != nil:
			return db.fail(fmt.Errorf("etcdstate: follow: %w", err))
		case h != nil:
			cur = &loading{key: k, rev: store.Revision(kv.ModRevision), secret: h.Secret}
		case cur != nil:
			cur.versions = append(cur.versions, v)
		}
	}
	if cur == nil {
		db.mu.Lock()
		known := db.known[k]
		db.mu.Unlock()
		if !known {
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
	}
	db.mu.Lock()
	if c.Removed {
		delete(db.known, k)
	} else {
		db.known[k] = true
	}
	db.mu.Unlock()
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
		if string(ev.Kv.Key) == db.markKey {
			continue // a Sync's: see Sync
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
		if ev.Type == clientv3.EventTypeDelete {
			out[i].c.Removed = tag == headerTag || out[i].c.Removed
			continue
		}
		h, v, err := decode(ev.Kv.Key, tag, id, ev.Kv.Value)
		switch {
		case err != nil:
			db.fail(fmt.Errorf("etcdstate: follow: %w", err))
		case h != nil:
			out[i].c.Secret = h.Secret
			if ev.PrevKv != nil {
				out[i].c.Prev = store.Revision(ev.PrevKv.ModRevision)
			}
		default:
			versions[i] = append(versions[i], v)
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
// passes on every secret, and the removal of those the feed knew (passed,
// or this DB committed) and no longer finds; it returns the revision it
// read.
func (db *DB) reload() (int64, error) {
	seen := map[string]bool{}
	at, err := db.read(func(s store.SecretSnapshot, rev store.Revision) error {
		seen[s.Key()] = true
		return db.pass(s.Key(), store.Change{Secret: s}, rev)
	})
	if err != nil {
		return 0, err
	}
	db.mu.Lock()
	var gone []string
	for k := range db.known {
		if !seen[k] {
			gone = append(gone, k)
		}
	}
	db.mu.Unlock()
	for _, k := range gone {
		db.pass(k, store.Change{Removed: true}, store.Revision(at))
	}
	db.advance(at)
	return at, nil
}
