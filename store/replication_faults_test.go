package store_test

import (
	"sync/atomic"
	"testing"

	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// TestReplicaOfAnotherPrimary holds that replicating into a region where
// the name is another primary's replica fails there, and leaves that
// replica its primary's, forced or not (docs/semantics.md §RP6).
func TestReplicaOfAnotherPrimary(t *testing.T) {
	east, _ := newStore()
	eu := in(t, east, store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	usw := in(t, east, store.Namespace{Account: "123456789012", Region: "us-west-2"})
	create(t, eu, "x", 1)
	if _, err := eu.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: "x", AddReplicaRegions: []store.ReplicaRegionType{{Region: "us-west-2"}}}); err != nil {
		t.Fatal(err)
	}
	create(t, east, "x", 2)
	for _, force := range []bool{false, true} {
		out, err := east.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: "x", ForceOverwriteReplicaSecret: force,
			AddReplicaRegions: []store.ReplicaRegionType{{Region: "us-west-2"}}})
		if err != nil || len(out.ReplicationStatus) != 1 || out.ReplicationStatus[0].Status != "Failed" {
			t.Errorf("ReplicateSecretToRegions(force %v) onto another primary's replica = %+v, %v; want Failed", force, out.ReplicationStatus, err)
		}
		east.RemoveRegionsFromReplication(store.RemoveRegionsFromReplicationInput{SecretId: "x", RemoveReplicaRegions: []string{"us-west-2"}})
	}
	put(t, east, "x", 3)
	if d, _ := usw.DescribeSecret(store.DescribeSecretInput{SecretId: "x"}); d.PrimaryRegion != "eu-west-1" {
		t.Errorf("replica of eu-west-1 taken over: PrimaryRegion %q", d.PrimaryRegion)
	}
}

// TestPromotionStands holds that a promoted replica stays a secret of its
// own even when its primary could not be told (its commit failed): the
// primary's next change does not take it back (§RP9).
func TestPromotionStands(t *testing.T) {
	var mem storetest.Memory
	b := &failNth{Backend: &mem}
	c := &clock{now: t0}
	east, err := store.Open(b, store.WithClock(c.Now), store.WithManualRotation())
	if err != nil {
		t.Fatal(err)
	}
	west := in(t, east, store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	create(t, east, "x", 1)
	if _, err := east.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: "x", AddReplicaRegions: []store.ReplicaRegionType{{Region: "eu-west-1"}}}); err != nil {
		t.Fatal(err)
	}
	b.fail.Store(b.n.Load() + 2)                                                      // the promotion commits, the primary's update fails
	west.StopReplicationToReplica(store.StopReplicationToReplicaInput{SecretId: "x"}) // answered 500: the primary's commit failed
	put(t, west, "x", 5)
	put(t, east, "x", 2)
	if d, _ := west.DescribeSecret(store.DescribeSecretInput{SecretId: "x"}); d.PrimaryRegion != "" {
		t.Errorf("the promoted secret became a replica again: PrimaryRegion %q; versions %v", d.PrimaryRegion, versionIDs(t, west, "x"))
	}
}

// TestCreateReplicaFailure holds that CreateSecret with AddReplicaRegions
// whose replica the backend refuses still succeeds, the primary listing
// the region, and that its retry brings the replica along (§RP2, §RP7).
func TestCreateReplicaFailure(t *testing.T) {
	var mem storetest.Memory
	b := &failNth{Backend: &mem}
	c := &clock{now: t0}
	east, err := store.Open(b, store.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	west := in(t, east, store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	in := store.CreateSecretInput{Name: "x", ClientRequestToken: tok(1), SecretString: ptr("v"), AddReplicaRegions: []store.ReplicaRegionType{{Region: "eu-west-1"}}}
	b.fail.Store(b.n.Load() + 2) // the creation commits, the replica's commit fails
	if _, err := east.CreateSecret(in); err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	_, err = east.CreateSecret(in)
	d, _ := east.DescribeSecret(store.DescribeSecretInput{SecretId: "x"})
	_, werr := west.DescribeSecret(store.DescribeSecretInput{SecretId: "x"})
	if err != nil || len(d.ReplicationStatus) == 0 || werr != nil {
		t.Errorf("the retry succeeded, yet no replica: primary's statuses %v, replica: %v", d.ReplicationStatus, werr)
	}
}

type failNth struct {
	store.Backend
	n, fail atomic.Int64
}

func (f *failNth) Commit(c store.Change) (store.Revision, error) {
	if f.n.Add(1) == f.fail.Load() {
		return 0, storetest.ErrInjected
	}
	return f.Backend.Commit(c)
}
