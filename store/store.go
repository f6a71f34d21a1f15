// Package store holds many secrets and applies AWS Secrets Manager
// operations to them: CreateSecret, PutSecretValue, UpdateSecret,
// GetSecretValue, DescribeSecret, ListSecretVersionIds,
// UpdateSecretVersionStage, RotateSecret, CancelRotateSecret, DeleteSecret,
// RestoreSecret, ListSecrets, BatchGetSecretValue, TagResource,
// UntagResource, PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy,
// ValidateResourcePolicy and GetRandomPassword. It is the layer an
// emulator or a service embeds.
//
// # Operations
//
// Each operation is a method taking an input struct and returning an output
// struct, named and shaped as in the AWS API reference (member names
// included), or an *[stagelabel.Error] with the AWS code and message. A
// failed operation changes nothing. Each first checks its input against
// the constraints of AWS's service model, which the tags of the input's
// members state (see [Validate]); the rules that are not the model's
// constraints are the operations' own.
//
// # Concurrency
//
// A Store is safe for any number of goroutines. Each secret's whole state
// is one immutable record behind an atomic pointer: an operation reads the
// record, computes the next one from it with the immutable
// [secret.Secret], and publishes it with a compare-and-swap, retrying if
// another operation got there first. So every operation on a secret is
// atomic and linearizable (its compare-and-swap, or its load for reads, is
// its linearization point), readers never wait, and operations on
// different secrets never touch the same memory but the index of names, a
// [sync.Map]. ListSecrets and Save read each secret atomically, but not
// all of them at one instant.
//
// # Durability
//
// A store made by [New] keeps its secrets in memory only. One made by
// [Open] commits each change to its [Backend] before it publishes it: the
// writers of one secret then take turns, each committing the change it
// computed and publishing it only once the backend holds it, while its
// readers still read without waiting (but for a read that records the
// day it was read, the first of a version each day, which is a change).
// A change the backend refuses is answered InternalServiceError and is
// not published, so nothing of it remains.
//
// Stores on one [Follower] (several processes on one etcd cluster) answer
// as one store: each syncs with the backend before an operation reads a
// secret, installs the changes the others commit, and makes a change
// again from the new state when another store changed the secret first
// (docs/semantics.md §ST8).
//
// # Rotation
//
// RotateSecret invokes the secret's rotation function through the
// [Invoker] given with [WithInvoker] ([Functions] for Go functions), one
// step after the other, on a goroutine of its own once it has answered;
// [Store.RunDue] starts the rotations whose schedule ([ParseSchedule])
// has fallen due, and [Store.Wait] waits for them. [WithManualRotation]
// leaves the steps to the caller instead.
//
// # Time
//
// Every timestamp comes from the clock given to [New] ([WithClock], or a
// [Clock] that tests move forward, [WithMovingClock]); the store never
// reads the system clock otherwise.
package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// Store holds secrets by name, in one namespace of a set of them (see
// [Store.In]). Create it with [New], [Load] or [Open]; the zero Store is
// not usable.
type Store struct {
	*shared // by every namespace
	*space  // this one's
}

// shared is what the namespaces of a store share.
type shared struct {
	now     func() time.Time
	observe func(Event)

	randMu sync.Mutex // guards random, which need not be safe for concurrent use
	random io.Reader

	backend  Backend  // nil: in memory only
	follower Follower // backend, when it is one; nil otherwise
	removed  sync.Map // of a follower: key → Revision of a removal this store committed that the feed has not yet passed

	localReads bool // with a follower, reads do not sync: see WithLocalReads

	invoker   Invoker // of rotation functions; nil: none
	manual    bool    // without an invoker, rotations are left to the caller
	rotations *rotations

	spaces sync.Map // Namespace → *space

	replicated atomic.Bool // Open loaded a replica or a primary with replicas: they are settled
}

// slot is where one secret lives; the secret's state is the record it
// points to, replaced whole by each change. With a backend, rec is nil
// while the secret's creation is being committed, and a writer holds mu
// from the record it read until it has published the next one.
type slot struct {
	rec atomic.Pointer[record]
	mu  sync.Mutex
}

// record is the state of one secret at one instant. It is never written
// after it is published. What most operations change sits in the record
// itself; the rest, in meta, is shared between records until an operation
// changes it (see clone and cloneMeta), which keeps the copy each change
// makes small.
type record struct {
	secret      secret.Secret // versions and labels; its ARN set
	lastChanged time.Time
	meta        *meta    // shared with other records: write only a copy (cloneMeta)
	rev         Revision // in the backend; 0 without one
	from        *record  // of a replica: the primary's record it was made from; nil after a load

	// What this record changed from the one it was made from, for the
	// backend and the observer: the versions it added or wrote again, and
	// the ones it pruned.
	touched []version.ID
	pruned  []version.ID
}

// meta is the part of a record that few operations change. It is never
// written after the record holding it is published.
type meta struct {
	description  string
	kmsKey       string // the KMS key of new versions; "" for the default
	tags         []Tag  // sorted by key; replace, never write
	policy       string // the resource policy; "" for none
	created      time.Time
	lastAccessed time.Time                // day of the last GetSecretValue
	accessed     map[version.ID]time.Time // day each version was last read
	deletedDate  time.Time                // when DeleteSecret scheduled it; zero when not
	deleteAt     time.Time                // when it is purged; zero when not scheduled
	purged       bool                     // deleted for good
	rotation     rotation
	replicas     []ReplicationStatus // of a primary: its replicas' regions, by region
	primary      string              // of a replica: its primary's region
}

// rotation is a secret's rotation configuration.
type rotation struct {
	enabled     bool
	lambdaARN   string
	rules       *RotationRules
	schedule    Schedule  // rules parsed (see withRules): zero for none, or for rules an older emulator kept unchecked
	lastRotated time.Time // when a rotation last ended
	configured  time.Time // when RotateSecret last configured or started one
}

// withRules returns r with rules, a copy of them, and their schedule,
// parsed once here rather than at each read of the next rotation date.
func (r rotation) withRules(rules *RotationRules) rotation {
	r.rules, r.schedule = rules.clone(), Schedule{}
	if rules != nil {
		r.schedule, _ = ParseSchedule(*rules) // RotateSecret refuses rules that do not parse; a load keeps them, unscheduled
	}
	return r
}

// shown returns RotationEnabled as DescribeSecret and ListSecrets give it:
// nil, the member left out, until rotation has been configured [R] (§G13);
// then whether it is on, false after CancelRotateSecret [M] (§G14).
func (r rotation) shown() *bool {
	if !r.enabled && r.lambdaARN == "" && r.rules == nil && r.lastRotated.IsZero() {
		return nil
	}
	return &r.enabled
}

// gone reports whether the secret no longer exists at time now.
func (r *record) gone(now time.Time) bool {
	return r.meta.purged || (!r.meta.deleteAt.IsZero() && !now.Before(r.meta.deleteAt))
}

// clone returns a copy of r, sharing its meta, to build the next record
// from: the caller may set secret and lastChanged, nothing in meta.
func (r *record) clone() *record {
	c := *r
	c.touched, c.pruned = nil, nil
	return &c
}

// cloneMeta returns a copy of r with a copy of its meta, for a change of
// meta too. The accessed map is still shared: replace it, never write it.
func (r *record) cloneMeta() *record {
	c := r.clone()
	m := *r.meta
	c.meta = &m
	return c
}

// Option configures a [Store].
type Option func(*Store)

// WithRegion sets the region of the store's namespace (see [Store.In]),
// which the ARNs of its secrets name; by default "us-east-1". It must not
// be empty or hold a colon.
func WithRegion(region string) Option { return func(s *Store) { s.region = region } }

// WithAccount sets the account of the store's namespace (see [Store.In]),
// which the ARNs of its secrets name; by default "123456789012". It must
// not be empty or hold a colon.
func WithAccount(account string) Option { return func(s *Store) { s.account = account } }

// WithClock sets the clock the store reads for every timestamp and for
// deletion and pruning; by default time.Now.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithRandom sets the source of the random six-character suffix of ARNs
// and of GetRandomPassword's passwords; by default crypto/rand. A seeded
// source (such as math/rand/v2's ChaCha8) makes them deterministic, for
// tests; passwords need a secure source. The store serializes its reads.
func WithRandom(r io.Reader) Option { return func(s *Store) { s.random = r } }

// WithObserver sets a function called once for each change of state, after
// the change, with what changed: what CloudTrail would record, without
// secret material. It is called from the goroutine of the operation, so it
// must be safe for concurrent use; events of concurrent operations may
// arrive in either order. Of stores on one [Follower], each reports the
// changes it made, not those the feed brings from the others.
func WithObserver(f func(Event)) Option { return func(s *Store) { s.observe = f } }

// WithLocalReads makes a store on a [Follower] answer the operations that
// only read (DescribeSecret, GetSecretValue, ListSecretVersionIds,
// ListSecrets, BatchGetSecretValue, GetResourcePolicy,
// ValidateResourcePolicy) from what it holds, without syncing first: they
// then cost no round trip to the backend, but may answer a state older
// than their start, by as much as the follower's feed lags behind the
// backend (docs/semantics.md §ST10). Changes still sync, and a change made
// from a stale state is made again from the new one; a GetSecretValue that
// records the day of its read is such a change. Without a follower it
// changes nothing.
func WithLocalReads() Option { return func(s *Store) { s.localReads = true } }

// readOnly reports whether operation op only reads, so that
// WithLocalReads answers it without syncing. GetSecretValue, which records
// the day of a read, syncs and tries again when that record meets another
// store's change.
func readOnly(op string) bool {
	switch op {
	case "DescribeSecret", "GetSecretValue", "ListSecretVersionIds", "GetResourcePolicy", "ValidateResourcePolicy", "Export": // ListSecrets decides for itself (read.go)
		return true
	}
	return false
}

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{&shared{now: time.Now, random: rand.Reader, rotations: &rotations{}}, &space{region: "us-east-1", account: "123456789012"}}
	for _, o := range opts {
		o(s)
	}
	s.prefix = fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:", s.region, s.account)
	s.space.self = s
	s.spaces.Store(Namespace{s.account, s.region}, s.space)
	return s
}

// Event is one change of state, reported to the observer set with
// [WithObserver]. It never carries secret material.
type Event struct {
	Op        string       // the AWS operation, such as "PutSecretValue"
	Name      string       // the secret's name
	ARN       string       // the secret's ARN
	VersionID version.ID   // the version the operation created or filled, if any
	Moves     []Move       // the labels that moved, in label order, automatic moves included
	Pruned    []version.ID // versions removed by pruning
}

// Move is one staging label changing version. From is empty when the label
// was attached nowhere, To when it was removed.
type Move struct {
	Label    stage.Label
	From, To version.ID
}

// moves returns the labels whose version differs between a and b.
func moves(a, b secret.Secret) []Move {
	before, after := a.LabelMap(), b.LabelMap()
	var out []Move
	for l, id := range before {
		if after[l] != id {
			out = append(out, Move{l, id, after[l]})
		}
	}
	for l, id := range after {
		if _, ok := before[l]; !ok {
			out = append(out, Move{l, "", id})
		}
	}
	sortMoves(out)
	return out
}

// Errors the store words itself.

func notFound(op string) error {
	return &stagelabel.Error{Op: op, Code: stagelabel.ErrResourceNotFound, Message: "Secrets Manager can't find the specified secret."}
}

func markedForDeletion(op string) error {
	return &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidRequest,
		Message: "You can't perform this operation on the secret because it was marked for deletion."}
}

// lookup finds the slot and current record of the secret secretID names:
// its name, its full ARN, or its ARN without the random suffix [R]. An id
// that is not an ARN (begins with "arn:") and holds a character no name
// holds is ValidationException "Invalid name. Must be a valid name
// containing alphanumeric characters, or any of the following: -/_+=.@!",
// for every operation that takes a SecretId ([R] for DeleteSecret,
// DescribeSecret, GetSecretValue, ListSecretVersionIds, PutSecretValue,
// TagResource, UntagResource, UpdateSecret and ValidateResourcePolicy; [M]
// for the others: §N7, §N8). An
// ARN-shaped id whose name part ends in "-" and six characters is taken as
// a full ARN, so a partial ARN of a name that itself ends so is not found
// [R].
func (st *Store) lookup(op, secretID string, now time.Time) (*slot, *record, error) {
	if !strings.HasPrefix(secretID, "arn:") { // then a name: of a name's characters [R]
		if err := nameChars(op, secretID); err != nil {
			return nil, nil, err
		}
	}
	if !st.localReads || !readOnly(op) {
		if err := st.sync(op); err != nil {
			return nil, nil, err
		}
	}
	name, fullARN := secretID, ""
	if rest, ok := strings.CutPrefix(secretID, st.prefix); ok {
		name = rest
		if n := len(rest); n >= suffixLen+1 && rest[n-suffixLen-1] == '-' {
			name, fullARN = rest[:n-suffixLen-1], secretID
		}
	}
	v, ok := st.names.Load(name)
	if !ok {
		return nil, nil, notFound(op)
	}
	sl := v.(*slot)
	r := sl.rec.Load()
	for r != nil && r.gone(now) {
		if stale, _ := st.expire(op, name, sl, r); !stale {
			return nil, nil, notFound(op) // gone, whether or not the backend took its removal yet
		}
		r = sl.rec.Load() // changed since: a RestoreSecret came first
	}
	if r == nil {
		return nil, nil, notFound(op) // its creation is not committed yet
	}
	if fullARN != "" && r.secret.ARN() != fullARN {
		return nil, nil, notFound(op)
	}
	return sl, r, nil
}

// expire takes, for operation op, the slot sl of a secret that no longer exists out of the
// index, after marking its record r purged (and removing it from the
// backend), so that an operation that read r before it expired cannot
// publish a change to it. It reports stale, doing nothing, when r is no
// longer the slot's record, and the backend's error, leaving the slot in
// the index, when the backend refused the removal.
func (st *Store) expire(op, name string, sl *slot, r *record) (stale bool, err error) {
	if !r.meta.purged {
		tomb := r.cloneMeta()
		tomb.meta.purged = true
		published, err := st.publish(op, sl, r, tomb)
		if st.follower != nil && errors.Is(err, ErrConflict) && st.sync(op) == nil {
			return true, nil // another store changed it first: look again
		}
		if err != nil || !published {
			return !published && err == nil, err
		}
	}
	st.names.CompareAndDelete(name, sl)
	return false, nil
}

// add publishes r, the record of a new secret, under name, committing it
// first with a backend. It returns the slot that holds the name already,
// or nil when r was added. With a [Follower], it first syncs, and when
// another store created the secret first it syncs again and returns the
// slot that now holds it.
func (st *Store) add(op, name string, r *record) (*slot, error) {
	if st.backend == nil {
		mine := &slot{}
		mine.rec.Store(r) // before the slot is published: no one sees it empty
		if prev, loaded := st.names.LoadOrStore(name, mine); loaded {
			return prev.(*slot), nil
		}
		return nil, nil
	}
	if err := st.sync(op); err != nil {
		return nil, err
	}
	for {
		mine := &slot{}
		mine.mu.Lock() // until r is committed: a CreateSecret of the same name waits for it
		if prev, loaded := st.names.LoadOrStore(name, mine); loaded {
			mine.mu.Unlock()
			return prev.(*slot), nil
		}
		err := st.commit(op, 0, r)
		if err == nil {
			mine.rec.Store(r)
			mine.mu.Unlock()
			return nil, nil
		}
		st.names.CompareAndDelete(name, mine)
		mine.mu.Unlock() // before a sync: the feed may wait for the slot
		if st.follower == nil || !errors.Is(err, ErrConflict) {
			return nil, err
		}
		if err := st.sync(op); err != nil {
			return nil, err
		}
	}
}

// publish makes next the record of slot sl in place of old, and reports
// false, doing nothing, when old is no longer its record. With a backend it
// first commits the change, and fails with InternalServiceError, publishing
// nothing, when the backend refuses it.
func (st *Store) publish(op string, sl *slot, old, next *record) (bool, error) {
	if st.backend == nil {
		return sl.rec.CompareAndSwap(old, next), nil
	}
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.rec.Load() != old {
		return false, nil
	}
	if err := st.commit(op, old.rev, next); err != nil {
		return false, err
	}
	if st.follower != nil && next.meta.purged {
		st.removed.Store(key(next.secret.ARN()), next.rev) // before the slot leaves the index: see follow
	}
	sl.rec.Store(next)
	return true, nil
}

// commit commits the change that made next from a record of revision
// prev, and sets next's revision.
func (st *Store) commit(op string, prev Revision, next *record) error {
	rev, err := st.backend.Commit(next.change(prev))
	if err != nil {
		return &stagelabel.Error{Op: op, Code: stagelabel.ErrInternalService, Message: "The change could not be saved.", Err: err}
	}
	next.rev = rev
	return nil
}

// update applies change to the secret secretID names until its result is
// published (see publish), and returns the record it replaced
// and the one it published. change gets the current record and the time;
// it returns the next record, the same one when nothing changes, or an
// error. A secret scheduled for deletion fails with InvalidRequestException
// unless allowDeleted. The caller reports the change.
func (st *Store) update(op, secretID string, allowDeleted bool, change func(r *record, now time.Time) (*record, error)) (old, next *record, err error) {
	st = st.owner(secretID)
	for {
		now := st.now()
		sl, old, err := st.current(op, secretID, allowDeleted, now)
		if err != nil {
			return nil, nil, err
		}
		if st.replicaOf(old) && op != "GetSecretValue" && op != "StopReplicationToReplica" {
			return nil, nil, replicaError(op)
		}
		next, err := change(old, now)
		if err != nil {
			return nil, nil, err
		}
		if next == old {
			return old, next, nil
		}
		published, err := st.publish(op, sl, old, next)
		if st.follower != nil && errors.Is(err, ErrConflict) {
			// Another store changed it first: learn its change, and make
			// this one again from the new state.
			if err := st.sync(op); err != nil {
				return nil, nil, err
			}
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if published {
			if next.meta.purged {
				st.names.CompareAndDelete(old.secret.Name(), sl)
			} else if op != "GetSecretValue" {
				// A read changes only the day it was read, which a
				// replica keeps of its own: nothing to replicate. A
				// replica the backend refuses catches up with the
				// primary's next change, or when the store is opened
				// again: the primary's change stands [M].
				st.syncReplicas(op, next)
			}
			return old, next, nil
		}
	}
}

// current returns the slot and current record of the secret secretID
// names at now, failing for a secret scheduled for deletion unless
// allowDeleted.
func (st *Store) current(op, secretID string, allowDeleted bool, now time.Time) (*slot, *record, error) {
	sl, r, err := st.owner(secretID).lookup(op, secretID, now)
	if err == nil && !allowDeleted && !r.meta.deleteAt.IsZero() {
		err = markedForDeletion(op)
	}
	if err != nil {
		return nil, nil, err
	}
	return sl, r, nil
}

// report tells the observer what changed between old and next; old is nil
// for a new secret. Nothing is reported when nothing changed.
func (st *Store) report(op string, old, next *record, versionID version.ID) {
	if st.observe == nil || old == next {
		return
	}
	e := Event{Op: op, Name: next.secret.Name(), ARN: next.secret.ARN(), VersionID: versionID, Pruned: slices.Clone(next.pruned)}
	if old != nil {
		e.Moves = moves(old.secret, next.secret)
	} else {
		e.Moves = moves(secret.New(""), next.secret)
	}
	st.observe(e)
}
