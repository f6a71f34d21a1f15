package etcdstate

import (
	"context"
	"errors"
	"fmt"
	"math"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stagelabel/stagelabel/store"
)

// ErrUnknownOutcome is the error of a commit whose outcome is unknown (a
// request that timed out, a connection lost mid-request): the change may
// have been made after all. A store on the DB answers the operation
// InternalServiceError, and learns from the DB's feed whether it was made
// ([DB.Follow]).
const ErrUnknownOutcome = dbError("etcdstate: a commit's outcome is unknown")

type dbError string

func (e dbError) Error() string { return string(e) }

// Commit makes change c in one etcd transaction that compares the
// revision of the secret's header key with c.Prev (for 0: that it does not
// exist) and, when they match, writes the header and the records of the
// versions c names, or, for a removal, deletes every record of the secret.
// It returns the transaction's revision, the cluster's, which is the
// secret's new revision; otherwise [store.ErrConflict].
//
// A change that adds or writes again versions of a stored secret first
// reads, in one request that compares the same revision, its header and
// the records of those versions: where the next version goes, and where
// each version already stored stays.
//
// When etcd refuses the transaction (too many operations, too large a
// request, no space), nothing is made and Commit returns the error. When
// the outcome cannot be known, Commit returns an error wrapping
// [ErrUnknownOutcome]; later commits are made as any, each compared with
// the revision etcd holds.
func (db *DB) Commit(c store.Change) (store.Revision, error) {
	base, ok := db.secretBase(c.Secret)
	if !ok {
		return 0, fmt.Errorf("etcdstate: secret %q: its ARN %q cannot be stored", c.Secret.Name, c.Secret.ARN)
	}
	if c.Prev > math.MaxInt64 {
		return 0, store.ErrConflict
	}
	hk := headerKey(base)
	same := clientv3.Compare(clientv3.CreateRevision(hk), "=", 0)
	if c.Prev != 0 {
		same = clientv3.Compare(clientv3.ModRevision(hk), "=", int64(c.Prev))
	}
	var ops []clientv3.Op
	if c.Removed {
		ops = []clientv3.Op{clientv3.OpDelete(base+"\x00", clientv3.WithRange(base+"\x01"))}
	} else {
		var err error
		if ops, err = db.writes(base, same, c); err != nil {
			return 0, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), db.timeout)
	defer cancel()
	resp, err := db.client.Txn(ctx).If(same).Then(ops...).Commit()
	if err != nil {
		if refused(err) {
			return 0, fmt.Errorf("etcdstate: commit %q: %w", c.Secret.Key(), err)
		}
		return 0, fmt.Errorf("%w (commit %q: %w)", ErrUnknownOutcome, c.Secret.Key(), err)
	}
	if !resp.Succeeded {
		return 0, store.ErrConflict
	}
	if !c.Removed {
		// The store holds it from now on, whether or not the feed has
		// passed it yet: a reload must pass its removal (see reload).
		db.mu.Lock()
		if db.known != nil {
			db.known[c.Secret.Key()] = true
		}
		db.mu.Unlock()
	}
	return store.Revision(resp.Header.Revision), nil
}

// writes returns the puts of change c of the secret whose records begin
// with base, given the compare same that tells its revision is c.Prev.
func (db *DB) writes(base string, same clientv3.Cmp, c store.Change) ([]clientv3.Op, error) {
	// Each id once, with what it was last given, in the order first given.
	var ids []string
	last := map[string]*store.VersionSnapshot{} // nil: pruned
	for i, v := range c.Secret.Versions {
		if _, ok := last[v.VersionId]; !ok {
			ids = append(ids, v.VersionId)
		}
		last[v.VersionId] = &c.Secret.Versions[i]
	}
	for _, id := range c.Secret.Pruned {
		if _, ok := last[id]; !ok {
			ids = append(ids, id)
		}
		last[id] = nil
	}

	var next uint64
	places := map[string]uint64{}
	if c.Prev != 0 {
		reads := []clientv3.Op{clientv3.OpGet(headerKey(base))}
		for _, id := range ids {
			reads = append(reads, clientv3.OpGet(versionKey(base, id)))
		}
		ctx, cancel := context.WithTimeout(context.Background(), db.timeout)
		defer cancel()
		resp, err := db.client.Txn(ctx).If(same).Then(reads...).Commit()
		if err != nil {
			return nil, fmt.Errorf("etcdstate: commit %q: read: %w", c.Secret.Key(), err)
		}
		if !resp.Succeeded {
			return nil, store.ErrConflict
		}
		for i, r := range resp.Responses {
			kvs := r.GetResponseRange().GetKvs()
			if len(kvs) == 0 {
				continue
			}
			if i == 0 {
				h, err := decodeHeader(kvs[0].Value)
				if err != nil {
					return nil, fmt.Errorf("etcdstate: commit %q: header: %w", c.Secret.Key(), err)
				}
				next = h.Next
				continue
			}
			v, err := decodeVersion(kvs[0].Value)
			if err != nil {
				return nil, fmt.Errorf("etcdstate: commit %q: version %q: %w", c.Secret.Key(), ids[i-1], err)
			}
			places[ids[i-1]] = v.Place
		}
	}

	var ops []clientv3.Op
	for _, id := range ids {
		place, ok := places[id]
		if !ok {
			place = next
			next++
		}
		r := versionRecord{Place: place, Pruned: last[id] == nil, Version: last[id]}
		b, err := encodeVersion(r)
		if err != nil {
			return nil, fmt.Errorf("etcdstate: commit %q: version %q: %w", c.Secret.Key(), id, err)
		}
		ops = append(ops, clientv3.OpPut(versionKey(base, id), string(b)))
	}
	h, err := encodeHeader(c.Secret, next)
	if err != nil {
		return nil, fmt.Errorf("etcdstate: commit %q: header: %w", c.Secret.Key(), err)
	}
	return append([]clientv3.Op{clientv3.OpPut(headerKey(base), string(h))}, ops...), nil
}

// refused reports whether err is etcd's refusal of a request, which it
// then did not carry out, rather than an unknown outcome.
func refused(err error) bool {
	code := status.Code(err)
	if e := (rpctypes.EtcdError{}); errors.As(err, &e) {
		code = e.Code()
	}
	switch code {
	case codes.InvalidArgument, codes.FailedPrecondition, codes.OutOfRange, codes.PermissionDenied, codes.Unauthenticated, codes.ResourceExhausted:
		return true
	}
	return false
}
