package store

// Backend is where a store keeps its secrets durably: the durability
// contract. A store made by [Open] loads its secrets from one, and commits
// every change of state to it before it publishes the change or answers
// the operation, so an acknowledged change is a durable one; a change the
// backend refuses is answered InternalServiceError and leaves no trace, in
// memory or in the backend, so that a retry really retries.
//
// An implementation promises:
//
//   - Commit makes the whole change durable before it returns nil, and
//     makes none of it durable when it returns an error. A crash at any
//     instant leaves every change whose Commit returned nil, no part of any
//     other, and state that Load reads. When the storage fails so that
//     what it kept is unknown (a failed sync may yet reach the disk), the
//     change that met the failure may be durable after all: from then on
//     the implementation refuses every Commit, until it is opened again
//     and reads what the storage holds.
//   - A secret is named by its key ([SecretSnapshot.Key]), which tells the
//     secrets of one name in two namespaces apart.
//   - Commit compares before it writes: it makes a change only when the
//     secret's stored revision is the change's Prev (0: no such secret is
//     stored), and otherwise returns [ErrConflict], making nothing. The
//     revision it returns is the secret's new one: greater than any
//     revision it returned before, never 0.
//   - Load calls yield once for each stored secret, whole, with its
//     revision: the members of its last change, every version in the order
//     it was first added (a version written again, to fill it or to record
//     a read, keeps its place) with what it was last written with, and the
//     ids of its pruned versions, whose values are gone.
//   - Commit and Load are safe for concurrent use.
//
// The store commits changes of one secret one at a time, in the order
// readers see them; changes of different secrets may be committed
// concurrently, and an implementation may group them into one write.
type Backend interface {
	Load(yield func(SecretSnapshot, Revision) error) error
	Commit(Change) (Revision, error)
}

// Revision numbers the states of a secret in a [Backend]: each committed
// change gives the secret a greater one. 0 stands for a secret that is not
// stored.
type Revision uint64

// Change is one change of one secret, as a store commits it to a
// [Backend]. It costs what the change touched, not the size of the secret:
// Secret holds every member of the secret after the change but its
// versions, of which Versions holds only those the change added or wrote
// again (a value filled, a read recorded), oldest first, and Pruned only
// the ids of those it pruned.
type Change struct {
	Prev    Revision       // the revision the change was made from; 0 for a new secret
	Secret  SecretSnapshot // its Key is the secret's; see above for Versions and Pruned
	Removed bool           // the secret is gone for good, with every version: only Secret.Name and ARN count
}

// ErrConflict is the error [Backend.Commit] returns when the secret's
// stored revision is not the change's Prev: another writer changed it
// first.
const ErrConflict = backendError("store: the secret changed since the change was made")

type backendError string

func (e backendError) Error() string { return string(e) }

// Follower is a [Backend] that several stores share, each perhaps in a
// process of its own, and that tells each of them the changes the others
// commit: so that they answer, as far as any client can tell, as one
// store (docs/semantics.md §ST8). A store made by [Open] on a Follower
// calls Follow once, after Load, and Sync before each operation reads the
// secrets it names (a ListSecrets, every secret of its namespace; with
// [WithLocalReads], before each change only); when
// Commit answers [ErrConflict] it syncs and makes its change again from
// the secret's new state, instead of refusing it.
//
// An implementation promises, besides the promises of a Backend:
//
//   - Its revisions are those of the whole backend: each commit, of any
//     secret and by any store, gets a greater one than every commit
//     before it.
//   - From the call of Follow on, it calls apply, from one goroutine at a
//     time, with each change committed after the state Load read, its own
//     included, in the order of their revisions: the key of the secret
//     ([SecretSnapshot.Key]), the change, and the revision it gave the
//     secret. A change is as Commit got it (Prev, then the members of
//     Secret but its versions, the versions written and the ids pruned,
//     oldest first), or, with Prev 0, the secret's whole state, as Load
//     would yield it; a removal is Removed, with Prev 0. It may pass a
//     state newer than the change that prompted it, and skip states a
//     later one replaces, but never passes one older than one it passed.
//     When apply returns [ErrGap] (the store does not hold the state the
//     change was made from), it passes the secret whole. After it lost
//     track (its feed broken for longer than it keeps changes), it passes
//     every secret whole again, and the removal of those it passed before
//     and no longer holds.
//   - Sync returns nil once apply has returned for every change committed
//     before Sync was called; it returns an error, within a bounded time,
//     when it cannot tell.
//
// When apply returns another error (a state the store refuses), the
// implementation keeps it and returns it from every later Sync.
type Follower interface {
	Backend
	Follow(apply func(key string, c Change, rev Revision) error)
	Sync() error
}

// ErrGap is the error a store's apply function (see [Follower]) returns
// for a change made from a state of the secret it does not hold: the
// follower then passes the secret whole.
const ErrGap = backendError("store: a change follows a state of the secret the store does not hold")
