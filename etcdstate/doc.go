// Package etcdstate keeps a store's secrets in an etcd cluster: a
// [store.Backend] that any number of stores, in one process or on many
// machines, may share, each change compared with the secret's revision
// in etcd so that concurrent writers are ordered as on one.
//
//	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{"127.0.0.1:2379"}})
//	...
//	defer cli.Close()
//	db, err := etcdstate.Open(ctx, cli, "stagelabel/")
//	...
//	st, err := store.Open(db)
//
// Stores on one cluster answer, as far as any client can tell, as one
// store, reads included (docs/semantics.md §ST8): a DB is a
// [store.Follower]. None holds the state: each keeps a copy in memory,
// which the DB's feed keeps up with the cluster, and checks it against the
// cluster's revision before each operation. Nothing acknowledged is lost,
// and nothing refused is stored.
//
// # Layout
//
// Every key begins with the prefix Open was given, then the secret's key
// ([store.SecretSnapshot.Key], its ARN without the random suffix:
// arn:aws:secretsmanager:<region>:<account>:secret:<name>), so that the
// secrets of a namespace are one range of keys, then a 0 byte (no secret's
// key holds one) and a tag:
//
//   - "h", the header: every member of the secret's snapshot but its
//     versions and pruned ids, and the place its next new version will
//     take. Its ModRevision, etcd's revision of the transaction that last
//     wrote it, is the secret's revision;
//   - "v" and a version's id, one per version: the place the version took
//     when it was first written, kept when it is written again (Load
//     orders the versions by it), and the version;
//   - the same key for a pruned version, now a tombstone: its place only.
//
// # Encoding
//
// Records are JSON (encoding/json) of [store.SecretSnapshot] and
// [store.VersionSnapshot], inside a small envelope with a format number
// (1), the place counter or the place: the store's own snapshot format,
// whose types say on their tags what is sent and which keeps nil apart
// from empty where a snapshot does, so that no second encoding has to be
// kept faithful to the snapshot types as they grow. It costs size (a
// binary value is base64, a third larger) and time against boltstate's
// binary records; a commit's cost is dominated by etcd's round trips and
// consensus, not by encoding.
//
// # Commits
//
// A commit is one etcd transaction: if the header's ModRevision is the
// change's Prev (for Prev 0: if the header does not exist), it puts the
// header and the records of the versions the change names, or, for a
// removal, deletes the range of the secret's keys; otherwise it makes
// nothing and the commit is [store.ErrConflict]. The revision returned is
// the transaction's, the cluster's: greater than any before it, in any
// process. A change that writes versions of a stored secret first reads,
// in one transaction under the same comparison, the header and the
// records of those versions, for their places and the next one: two round
// trips. Both are linearizable requests (the read is a quorum read).
//
// etcd limits a transaction's operations (--max-txn-ops, 128 by default)
// and a request's size (--max-request-bytes, 1.5 MiB by default): a change
// that names more versions, or larger ones, is refused, and makes nothing.
//
// # Following
//
// [DB.Follow] starts a watch of the prefix from the revision Load read,
// and passes each change its events tell (the header, the version records
// of its revision, and, from the header's previous key-value, the
// revision it was made from) to the store, which merges it into the
// record it holds, or ignores it when it holds that revision already (its
// own commit) or a later one. A change that does not follow the record the
// store holds ([store.ErrGap]) makes the DB read the secret whole and pass
// that. A watch that breaks (its member stopped or without a leader: the
// watch requires one) is started again from where it was; when that
// revision is compacted, the DB reads the whole prefix again, at one
// revision, and passes every secret and the removal of every secret it
// had passed and no longer finds. A state the store refuses (a record no
// store would write) fails every later Sync, until the DB is opened
// again. [DB.Close] ends the feed; closing the client does too.
//
// [DB.Sync] reads the cluster's revision (a linearizable request: a
// quorum's) and waits until the watch's events have reached it; when they
// do not at once (the revisions since the last event changed nothing under
// the prefix), it writes a mark under the prefix and waits for the watch
// to tell that write, after which every change before it has been passed.
// It trusts no answer to a progress request: etcd before 3.4.25 and 3.5.8
// can send one ahead of the events still to come (etcd-io/etcd#15220;
// Debian 12's etcd is 3.4.23), and tests/etcd.sh caught stale reads that
// way after a member restarted. The store syncs before each
// operation reads a secret (a listing: its namespace), so it never answers
// from a state older than the operation's start (unless it was made with
// [store.WithLocalReads]: then a read answers from the copy, which lags
// behind the cluster by the watch's delay, §ST10). When a commit is refused
// because another store changed the secret first ([store.ErrConflict]),
// the store syncs and makes its change again from the new state.
//
// # Failures
//
// Every request to etcd is bounded by the DB's timeout ([WithTimeout],
// [DefaultTimeout], 5 s), so that a lost quorum gets an answer: a Sync
// that cannot read the cluster's revision, or whose watch does not reach
// it, in time fails, and the store answers the operation
// InternalServiceError, a read included (§ST9). With one member of three
// down, quorum kept, nothing changes for clients (TestMemberDown); when
// that member is the leader, the requests in flight wait for the next one
// to be elected, and only one that waits longer than the timeout fails
// (TestLinearizableCluster, the leader stopped and started again: none of
// about 5,000 operations failed; under the race detector, with a 2 s
// timeout, one in a few runs).
//
// A transaction etcd refuses made nothing, and Commit returns the error.
// One whose outcome is unknown (a timeout, a connection lost while the
// request was in flight) may have been made after all: Commit returns an
// error wrapping [ErrUnknownOutcome], the store answers
// InternalServiceError, never acknowledging it, and the feed then tells
// every store whether it was made. Later commits are made as any other,
// each compared with the revision etcd holds.
//
// Load reads the prefix in pages, all at the revision of the first page,
// so that it sees one state of the cluster; it fails if that revision is
// compacted while it reads.
//
// # Cost
//
// A new secret or a removal costs one round trip to the cluster (and its
// consensus), any other change two (the read of the places, then the
// transaction), whatever the number of secrets or of versions:
// BenchmarkCommit shows 0.34 ms for a new secret and 0.59 ms for a version
// added to a secret of thousands, on a one-member embedded etcd on
// loopback.
//
// Following adds to each operation a Sync: a quorum read, and, when the
// watch has not yet told the last change, the wait for it or a write of
// the mark (which the Syncs waiting at once share). On the same one-member
// etcd (BenchmarkStore, go test -run '^$' -bench Store, on two shared
// cores), GetSecretValue, which a store not following answers from memory
// in 0.5 to 1.2 µs, takes 0.10 to 0.19 ms; PutSecretValue takes 0.8 to
// 1.4 ms whether the store follows or not, the difference lost in the
// noise. Each change is passed to
// every store on the cluster by its watch, decoded from the events (what
// the change wrote, not the whole secret), and merged at the cost of the
// secret's size in memory.
package etcdstate
