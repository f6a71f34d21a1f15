package store

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/version"
)

// A secret's replication (docs/semantics.md §RP): a primary secret keeps a
// replica in each region it is replicated to, in the namespace of its
// account and that region: the same name and ARN suffix, and after every
// change of the primary the same versions (same ids) and labels, so the
// staging-label rules hold in every region [D]; a replica takes no change
// of its own [R]. Stagelabel replicates at once, within the operation that
// changed the primary, where AWS replicates within seconds [M].

// Replication statuses [D]: stagelabel's replicas are never InProgress.
const (
	ReplicaInSync = "InSync"
	ReplicaFailed = "Failed"
)

// ReplicaRegionType is one region to replicate a secret to, with the KMS
// key of the replica's versions ("" for the region's default) [D].
type ReplicaRegionType struct {
	Region   string `aws:"region,len=1..128,pattern=^([a-z]+-)+\\d+$"`
	KmsKeyId string `aws:"kmsKeyId,len=0..2048"`
}

// ReplicationStatus is one region of a primary's replication, as
// DescribeSecret and the replication operations give it [D].
type ReplicationStatus struct {
	Region           string `json:",omitzero"`
	KmsKeyId         string `json:",omitzero"`
	Status           string `json:",omitzero"`
	StatusMessage    string `json:",omitzero"`
	LastAccessedDate Time   `json:",omitzero"` // the day the replica was last read; left out for a snapshot
}

// Messages of the replication statuses: AWS's for a replica in sync
// (the CLI's documented example) [D]; stagelabel's for a region where the
// name is taken [M].
const (
	msgInSync = "Replication succeeded"
	msgTaken  = "Replication failed: Secret name %s already exists in region %s."
)

// replicaError is the error of a change asked of a replica [R] (users
// quote it for DeleteSecret and PutResourcePolicy; stagelabel answers it
// for every change but a read, [M] for the others).
func replicaError(op string) error {
	return &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
		Message: "Operation not permitted on a replica secret. Call must be made in primary secret's region."}
}

// replicaOf reports whether r, a record of st's namespace, is a replica.
func (st *Store) replicaOf(r *record) bool {
	return r.meta.primary != "" && r.meta.primary != st.region
}

// statuses returns the ReplicationStatus of the primary p, of st's
// namespace, each region's with the day its replica was last read.
func (st *Store) statuses(p *record) []ReplicationStatus {
	if len(p.meta.replicas) == 0 {
		return nil
	}
	out := slices.Clone(p.meta.replicas)
	for i := range out {
		if rec := st.replicaIn(out[i].Region, p.secret.Name()); rec != nil {
			out[i].LastAccessedDate = Time{rec.meta.lastAccessed}
		}
	}
	return out
}

// replicaIn returns the current record of name in the namespace of this
// account and region, nil when there is none.
func (st *Store) replicaIn(region, name string) *record {
	v, ok := st.spaces.Load(Namespace{st.account, region})
	if !ok {
		return nil
	}
	sl, ok := v.(*space).names.Load(name)
	if !ok {
		return nil
	}
	return sl.(*slot).rec.Load()
}

// mirror makes the record of name in target, st's replica namespace of
// region, the replica of st's current record of it, which holds region in
// its replicas, unless the replica is that already, written with the key
// the primary lists for region. It does nothing when the primary is gone
// or no longer lists region, or when the record in target is not this
// primary's replica.
func (st *Store) mirror(op string, target *Store, name string) error {
	for {
		v, ok := st.names.Load(name)
		if !ok {
			return nil
		}
		p := v.(*slot).rec.Load()
		if p == nil || p.meta.purged {
			return nil
		}
		i := slices.IndexFunc(p.meta.replicas, func(s ReplicationStatus) bool { return s.Region == target.region })
		if i < 0 || p.meta.replicas[i].Status != ReplicaInSync {
			return nil
		}
		var cur *record
		var sl *slot
		if v, ok := target.names.Load(name); ok {
			sl = v.(*slot)
			cur = sl.rec.Load()
			switch {
			case cur == nil: // being created: wait for the outcome
				sl.mu.Lock()
				sl.mu.Unlock()
				continue
			case cur.meta.purged: // being taken out of the index
				runtime.Gosched()
				continue
			case cur.meta.primary != st.region:
				return nil // not this primary's replica: never overwritten
			case cur.from == p:
				return nil // in sync
			}
		}
		if v, _ := st.names.Load(name); v == nil || v.(*slot).rec.Load() != p {
			continue // the primary changed since (another store's change, fed before its replica's): mirror that
		}
		next := st.derive(p, target.region, p.meta.replicas[i].KmsKeyId, cur)
		if cur == nil {
			next.touched, next.pruned = next.secret.VersionIDs(), next.secret.PrunedIDs()
			taken, err := target.add(op, name, next)
			if err != nil || taken == nil {
				return err
			}
			continue
		}
		next.touched, next.pruned = changedVersions(cur, next)
		published, err := target.publish(op, sl, cur, next)
		if target.follower != nil && errors.Is(err, ErrConflict) && target.sync(op) == nil {
			continue // another store changed the replica first
		}
		if err != nil || published {
			return err
		}
	}
}

// derive returns the record of the replica in region, with KMS key kms,
// of the primary p of st's namespace, keeping what cur, the replica's
// record if there is one, knows of its own reads.
func (st *Store) derive(p *record, region, kms string, cur *record) *record {
	next := p.cloneMeta()
	next.secret = p.secret.WithARN(strings.Replace(p.secret.ARN(), ":"+st.region+":", ":"+region+":", 1))
	next.meta.replicas, next.meta.primary, next.meta.kmsKey = nil, st.region, kms
	next.meta.accessed, next.meta.lastAccessed = nil, time.Time{}
	if cur != nil {
		next.meta.accessed, next.meta.lastAccessed = cur.meta.accessed, cur.meta.lastAccessed
	}
	next.from, next.rev = p, 0
	return next
}

// changedVersions returns the versions of next that old lacks or holds
// otherwise, and the ids next pruned that old did not.
func changedVersions(old, next *record) (touched, pruned []version.ID) {
	for v := range next.secret.All() {
		if w, ok := old.secret.Version(v.ID()); !ok || !w.Equal(v) {
			touched = append(touched, v.ID())
		}
	}
	for _, id := range next.secret.PrunedIDs() {
		if !old.secret.Pruned(id) {
			pruned = append(pruned, id)
		}
	}
	return touched, pruned
}

// syncReplicas brings every replica of the primary name, of st's
// namespace, in line with it.
func (st *Store) syncReplicas(op string, p *record) error {
	for _, r := range p.meta.replicas {
		target, err := st.In(Namespace{st.account, r.Region})
		if err == nil {
			err = st.mirror(op, target, p.secret.Name())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ReplicateSecretToRegionsInput is the input of ReplicateSecretToRegions.
type ReplicateSecretToRegionsInput struct {
	SecretId                    string              `aws:"secretId,len=1..2048"`
	AddReplicaRegions           []ReplicaRegionType `aws:"addReplicaRegions,count=1.."`
	ForceOverwriteReplicaSecret bool
}

// ReplicateSecretToRegionsOutput is the output of ReplicateSecretToRegions.
type ReplicateSecretToRegionsOutput struct {
	ARN               string              `json:",omitzero"`
	ReplicationStatus []ReplicationStatus `json:",omitzero"` // of the regions asked for
}

// ReplicateSecretToRegions replicates a primary secret to more regions of
// its account [D] (docs/semantics.md §RP): each gets a replica, in sync
// when the call returns [M], and the statuses of the regions asked for are
// returned. A region where a secret of the name exists already fails,
// Status Failed with StatusMessage "Replication failed: Secret name <name>
// already exists in region <region>." [M], unless
// ForceOverwriteReplicaSecret, which replaces that secret with the replica
// [D] unless it is another primary's replica [M]. A region replicated already is left as it is [M]. The secret's own
// region is InvalidParameterException "Invalid replica region." [M]; a
// replica, the replica error [R].
func (st *Store) ReplicateSecretToRegions(in ReplicateSecretToRegionsInput) (ReplicateSecretToRegionsOutput, error) {
	const op = "ReplicateSecretToRegions"
	if err := Validate(op, in, nil); err != nil {
		return ReplicateSecretToRegionsOutput{}, err
	}
	st = st.owner(in.SecretId)
	_, p, err := st.current(op, in.SecretId, false, st.now())
	if err != nil {
		return ReplicateSecretToRegionsOutput{}, err
	}
	statuses, err := st.replicate(op, p.secret.Name(), in.AddReplicaRegions, in.ForceOverwriteReplicaSecret)
	if err != nil {
		return ReplicateSecretToRegionsOutput{}, err
	}
	return ReplicateSecretToRegionsOutput{ARN: p.secret.ARN(), ReplicationStatus: statuses}, nil
}

// checkReplicaRegions refuses, for operation op, replica regions that
// name the primary's own region: InvalidParameterException "Invalid
// replica region.".
func (st *Store) checkReplicaRegions(op string, regions []ReplicaRegionType) error {
	if slices.ContainsFunc(regions, func(r ReplicaRegionType) bool { return r.Region == st.region }) {
		return &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter, Message: "Invalid replica region."}
	}
	return nil
}

// replicate adds regions to the replication of the primary name of st's
// namespace, and returns their statuses.
func (st *Store) replicate(op, name string, regions []ReplicaRegionType, force bool) ([]ReplicationStatus, error) {
	if err := st.checkReplicaRegions(op, regions); err != nil {
		return nil, err
	}
	var statuses []ReplicationStatus
	_, p, err := st.update(op, name, false, func(r *record, now time.Time) (*record, error) {
		var list []ReplicationStatus
		list, statuses = st.plan(name, r.meta.replicas, regions, force, now)
		if slices.Equal(list, r.meta.replicas) {
			return r, nil
		}
		n := r.cloneMeta()
		n.meta.replicas, n.lastChanged = list, now
		return n, nil
	})
	if err != nil {
		return nil, err
	}
	if err := st.mirrorAll(op, name, statuses, force); err != nil {
		return nil, err
	}
	st.report(op, nil, p, "")
	return statuses, nil
}

// plan returns the replicas of the primary name, which has those of have,
// once regions are added, by region, and the statuses of the regions
// added. A region where a secret of the name is in the way, that is not
// this primary's replica, fails (§RP6); with force, it fails only for the
// replica of another primary, which is never overwritten [M].
func (st *Store) plan(name string, have []ReplicationStatus, regions []ReplicaRegionType, force bool, now time.Time) (list, statuses []ReplicationStatus) {
	list = slices.Clone(have)
	for _, add := range regions {
		if i := slices.IndexFunc(list, func(s ReplicationStatus) bool { return s.Region == add.Region }); i >= 0 {
			statuses = append(statuses, list[i])
			continue
		}
		s := ReplicationStatus{Region: add.Region, KmsKeyId: add.KmsKeyId, Status: ReplicaInSync, StatusMessage: msgInSync}
		if other := st.replicaIn(add.Region, name); other != nil && !other.gone(now) && other.meta.primary != st.region &&
			(!force || other.meta.primary != "") {
			s.Status, s.StatusMessage = ReplicaFailed, fmt.Sprintf(msgTaken, name, add.Region)
		}
		list = append(list, s)
		statuses = append(statuses, s)
	}
	slices.SortFunc(list, func(a, b ReplicationStatus) int { return strings.Compare(a.Region, b.Region) })
	return list, statuses
}

// mirrorAll makes the replicas of the primary name in the regions of
// statuses that are in sync, replacing, with force, a secret of its own in
// the way.
func (st *Store) mirrorAll(op, name string, statuses []ReplicationStatus, force bool) error {
	for _, s := range statuses {
		if s.Status != ReplicaInSync {
			continue
		}
		target, err := st.In(Namespace{st.account, s.Region})
		if err != nil {
			return err
		}
		if force {
			if err := target.remove(op, name, func(r *record) bool { return r.meta.primary == "" }); err != nil {
				return err
			}
		}
		if err := st.mirror(op, target, name); err != nil {
			return err
		}
	}
	return nil
}

// remove removes the secret name of st's namespace for good if its
// current record is one doomed says is to go: no secret in the way of a
// replica, or a replica no longer wanted.
func (st *Store) remove(op, name string, doomed func(*record) bool) error {
	for {
		v, ok := st.names.Load(name)
		if !ok {
			return nil
		}
		sl := v.(*slot)
		r := sl.rec.Load()
		if r == nil || !doomed(r) {
			return nil
		}
		stale, err := st.expire(op, name, sl, r)
		if err != nil || !stale {
			return err
		}
	}
}

// replicaOfRegion returns a test of a record being a replica of the
// primary of region.
func replicaOfRegion(region string) func(*record) bool {
	return func(r *record) bool { return r.meta.primary == region }
}

// RemoveRegionsFromReplicationInput is the input of
// RemoveRegionsFromReplication.
type RemoveRegionsFromReplicationInput struct {
	SecretId             string   `aws:"secretId,len=1..2048"`
	RemoveReplicaRegions []string `aws:"removeReplicaRegions,count=1..,len=1..128,pattern=^([a-z]+-)+\\d+$"`
}

// RemoveRegionsFromReplicationOutput is the output of
// RemoveRegionsFromReplication.
type RemoveRegionsFromReplicationOutput struct {
	ARN               string              `json:",omitzero"`
	ReplicationStatus []ReplicationStatus `json:",omitzero"` // the regions left; [] when none [D]
}

// RemoveRegionsFromReplication deletes the replicas of a primary secret in
// the regions given, and returns the statuses of those left, [] when none
// (the CLI's documented example) [D]. A region not replicated to is
// ignored [M]; a replica gets the replica error [R].
func (st *Store) RemoveRegionsFromReplication(in RemoveRegionsFromReplicationInput) (RemoveRegionsFromReplicationOutput, error) {
	const op = "RemoveRegionsFromReplication"
	if err := Validate(op, in, nil); err != nil {
		return RemoveRegionsFromReplicationOutput{}, err
	}
	st = st.owner(in.SecretId)
	old, p, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		return r.without(now, in.RemoveReplicaRegions...), nil
	})
	if err != nil {
		return RemoveRegionsFromReplicationOutput{}, err
	}
	for _, s := range old.meta.replicas {
		if !slices.Contains(in.RemoveReplicaRegions, s.Region) || s.Status != ReplicaInSync {
			continue
		}
		target, err := st.In(Namespace{st.account, s.Region})
		if err != nil {
			return RemoveRegionsFromReplicationOutput{}, err
		}
		if err := target.remove(op, p.secret.Name(), replicaOfRegion(st.region)); err != nil {
			return RemoveRegionsFromReplicationOutput{}, err
		}
	}
	st.report(op, old, p, "")
	return RemoveRegionsFromReplicationOutput{ARN: p.secret.ARN(), ReplicationStatus: append([]ReplicationStatus{}, st.statuses(p)...)}, nil
}

// StopReplicationToReplicaInput is the input of StopReplicationToReplica.
type StopReplicationToReplicaInput struct {
	SecretId string `aws:"secretId,len=1..2048"`
}

// StopReplicationToReplicaOutput is the output of StopReplicationToReplica.
type StopReplicationToReplicaOutput struct {
	ARN string `json:",omitzero"`
}

// StopReplicationToReplica, called in a replica's region, promotes the
// replica to a standalone secret, which its primary no longer changes and
// no longer lists [D]. Called on a secret that is no replica, it is
// InvalidRequestException "StopReplicationToReplica can only be called on
// a replica secret." (stagelabel's text) [M].
func (st *Store) StopReplicationToReplica(in StopReplicationToReplicaInput) (StopReplicationToReplicaOutput, error) {
	const op = "StopReplicationToReplica"
	if err := Validate(op, in, nil); err != nil {
		return StopReplicationToReplicaOutput{}, err
	}
	st = st.owner(in.SecretId)
	var primary string
	old, r, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		if !st.replicaOf(r) {
			return nil, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidRequest, Message: "StopReplicationToReplica can only be called on a replica secret."}
		}
		n := r.cloneMeta()
		primary, n.meta.primary, n.from, n.lastChanged = r.meta.primary, "", nil, now
		return n, nil
	})
	if err != nil {
		return StopReplicationToReplicaOutput{}, err
	}
	st.report(op, old, r, "")
	if home, err := st.In(Namespace{st.account, primary}); err == nil {
		_, _, err = home.update(op, r.secret.Name(), true, func(p *record, now time.Time) (*record, error) {
			return p.without(now, st.region), nil
		})
		if err != nil && !errors.Is(err, stagelabel.ErrResourceNotFound) {
			return StopReplicationToReplicaOutput{}, err
		}
	}
	return StopReplicationToReplicaOutput{ARN: r.secret.ARN()}, nil
}

// without returns r, a primary, without the replicas of regions, changed
// at now; r itself when it has none of them.
func (r *record) without(now time.Time, regions ...string) *record {
	left := slices.DeleteFunc(slices.Clone(r.meta.replicas), func(s ReplicationStatus) bool { return slices.Contains(regions, s.Region) })
	if len(left) == len(r.meta.replicas) {
		return r
	}
	n := r.cloneMeta()
	n.meta.replicas, n.lastChanged = slices.Clip(left), now
	if len(left) == 0 {
		n.meta.replicas = nil // none: the members are left out
	}
	return n
}

// regionOf returns the region an ARN of a store names.
func regionOf(arn string) string {
	ns, _ := namespaceOf(arn)
	return ns.Region
}

// settle brings the replicas of every namespace of st in line with their
// primaries, after a load: a crash between a primary's commit and its
// replicas' leaves them behind. A replica whose primary no longer lists
// its region (removed, or promoted, before the crash) is removed [M].
func (st *Store) settle() error {
	var spaces []*Store
	st.spaces.Range(func(_, v any) bool {
		spaces = append(spaces, v.(*space).self)
		return true
	})
	for _, s := range spaces {
		for _, r := range s.records(s.now()) {
			name := r.secret.Name()
			switch {
			case len(r.meta.replicas) > 0:
				s.adopt(r)
				if err := s.syncReplicas("Open", r); err != nil {
					return err
				}
			case r.meta.primary != "":
				p := s.replicaIn(r.meta.primary, name)
				listed := p != nil && slices.ContainsFunc(p.meta.replicas, func(x ReplicationStatus) bool {
					return x.Region == s.region && x.Status == ReplicaInSync
				})
				if !listed {
					if err := s.remove("Open", name, replicaOfRegion(r.meta.primary)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// adopt marks each loaded replica of the primary p of st's namespace that
// is what p makes of it as made from p, so that settling commits nothing
// for it. Only while the store is being opened: it writes records in
// place.
func (st *Store) adopt(p *record) {
	for _, s := range p.meta.replicas {
		v, ok := st.spaces.Load(Namespace{st.account, s.Region})
		if !ok || s.Status != ReplicaInSync {
			continue
		}
		sl, ok := v.(*space).names.Load(p.secret.Name())
		if !ok {
			continue
		}
		cur := sl.(*slot).rec.Load()
		next := st.derive(p, s.Region, s.KmsKeyId, cur)
		if cur != nil && cur.from == nil && reflect.DeepEqual(cur.snapshot(), next.snapshot()) {
			next.rev = cur.rev
			sl.(*slot).rec.CompareAndSwap(cur, next) // not over a newer record another store's change brought in meanwhile
		}
	}
}

// checkReplication checks the replication members of a snapshot of a
// secret of region: a primary lists other regions, once each, as InSync or
// Failed; a replica names another region as its primary; no secret is
// both.
func checkReplication(s SecretSnapshot, region string) error {
	if s.PrimaryRegion != "" && (len(s.ReplicationStatus) > 0 || s.PrimaryRegion == region || !(Namespace{"x", s.PrimaryRegion}).valid()) {
		return fmt.Errorf("PrimaryRegion %q: a replica names another region, and lists no replicas", s.PrimaryRegion)
	}
	for i, r := range s.ReplicationStatus {
		if r.Region == region || !(Namespace{"x", r.Region}).valid() || i > 0 && r.Region <= s.ReplicationStatus[i-1].Region ||
			r.Status != ReplicaInSync && r.Status != ReplicaFailed || !r.LastAccessedDate.IsZero() {
			return fmt.Errorf("ReplicationStatus %d: regions other than the secret's, sorted, each once, InSync or Failed", i+1)
		}
	}
	return nil
}
