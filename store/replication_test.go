package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// replicaMessage is AWS's error for a change asked of a replica
// (docs/semantics.md §RP).
const replicaMessage = "Operation not permitted on a replica secret. Call must be made in primary secret's region."

// TestReplication holds the rules of replication (docs/semantics.md §RP):
// a replica in each region, the same name and ARN suffix, the same
// versions and labels after every change of the primary, no change of its
// own; the errors of deleting a primary, of a taken name, of the own
// region; removal and promotion.
func TestReplication(t *testing.T) {
	var b storetest.Memory
	east, err := store.Open(&b, store.WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	west := in(t, east, store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	south := in(t, east, store.Namespace{Account: "123456789012", Region: "ap-south-1"})
	taken := in(t, east, store.Namespace{Account: "123456789012", Region: "us-west-2"})
	arn := create(t, east, "db", 1).ARN
	create(t, taken, "db", 9)

	out, err := east.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: "db",
		AddReplicaRegions: []store.ReplicaRegionType{{Region: "eu-west-1", KmsKeyId: "alias/west"}, {Region: "ap-south-1"}, {Region: "us-west-2"}}})
	check.Err(t, err, "", "")
	want := []store.ReplicationStatus{
		{Region: "eu-west-1", KmsKeyId: "alias/west", Status: "InSync", StatusMessage: "Replication succeeded"},
		{Region: "ap-south-1", Status: "InSync", StatusMessage: "Replication succeeded"},
		{Region: "us-west-2", Status: "Failed", StatusMessage: "Replication failed: Secret name db already exists in region us-west-2."},
	}
	if diff := cmp.Diff(want, out.ReplicationStatus); out.ARN != arn || diff != "" {
		t.Errorf("ReplicateSecretToRegions() = %s, statuses (-want +got):\n%s", out.ARN, diff)
	}

	// The replica: the primary's name and suffix in its region; its
	// versions and labels follow every change of the primary.
	put(t, east, "db", 2)
	if _, err := east.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "X", MoveToVersionId: tok(1)}); err != nil {
		t.Fatal(err)
	}
	for _, replica := range []*store.Store{west, south} {
		d, err := replica.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
		wantARN := strings.Replace(arn, ":us-east-1:", ":"+replica.Namespace().Region+":", 1)
		if err != nil || d.ARN != wantARN || d.PrimaryRegion != "us-east-1" || d.ReplicationStatus != nil {
			t.Errorf("DescribeSecret of the replica in %s = %s, primary %q, %v, %v", replica.Namespace().Region, d.ARN, d.PrimaryRegion, d.ReplicationStatus, err)
		}
		if diff := cmp.Diff(stages(t, east, "db"), stages(t, replica, "db")); diff != "" {
			t.Errorf("labels of the replica in %s (-primary +replica):\n%s", replica.Namespace().Region, diff)
		}
		if got, err := replica.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil || got.VersionId != tok(2) || *got.SecretString != "value 2" {
			t.Errorf("GetSecretValue of the replica = %v, %v", got, err)
		}
	}
	if l, _ := west.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: "db"}); len(l.Versions) != 2 {
		t.Errorf("versions of the replica = %v", l.Versions)
	}
	d, _ := east.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	if d.PrimaryRegion != "us-east-1" || len(d.ReplicationStatus) != 3 || !d.ReplicationStatus[1].LastAccessedDate.Equal(t0.Truncate(24*time.Hour)) {
		t.Errorf("DescribeSecret of the primary: PrimaryRegion %q, ReplicationStatus %+v", d.PrimaryRegion, d.ReplicationStatus)
	}
	if other, _ := taken.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); other.VersionId != tok(9) {
		t.Errorf("a failed replication changed the secret in its way: %v", other)
	}

	// A replica takes no change of its own [R].
	before := east.Snapshot()
	_, err = west.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(3), SecretString: ptr("x")})
	check.Err(t, err, stagelabel.ErrInvalidParameter, replicaMessage)
	_, err = west.DeleteSecret(store.DeleteSecretInput{SecretId: "db"})
	check.Err(t, err, stagelabel.ErrInvalidParameter, replicaMessage)
	_, err = west.PutResourcePolicy(store.PutResourcePolicyInput{SecretId: "db", ResourcePolicy: "{}"})
	check.Err(t, err, stagelabel.ErrInvalidParameter, replicaMessage)
	_, err = west.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "X", MoveToVersionId: tok(2), RemoveFromVersionId: tok(1)})
	check.Err(t, err, stagelabel.ErrInvalidParameter, replicaMessage)
	// A primary with replicas is not deleted [R].
	_, err = east.DeleteSecret(store.DeleteSecretInput{SecretId: "db"})
	check.Err(t, err, stagelabel.ErrInvalidParameter, "You can't delete secret "+arn+" that still has replica regions [ap-south-1, eu-west-1, us-west-2].")
	_, err = east.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: "db", AddReplicaRegions: []store.ReplicaRegionType{{Region: "us-east-1"}}})
	check.Err(t, err, stagelabel.ErrInvalidParameter, "Invalid replica region.")
	if diff := cmp.Diff(before, east.Snapshot()); diff != "" {
		t.Errorf("refused calls changed the store (-before +after):\n%s", diff)
	}

	// Forced, the replica replaces the secret in its way.
	if _, err := east.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: "db", ForceOverwriteReplicaSecret: true,
		AddReplicaRegions: []store.ReplicaRegionType{{Region: "us-west-2"}}}); err != nil {
		t.Fatal(err)
	}
	// A region that failed stays Failed until removed [M]; removed, asked again, forced, it replicates.
	if _, err := east.RemoveRegionsFromReplication(store.RemoveRegionsFromReplicationInput{SecretId: "db", RemoveReplicaRegions: []string{"us-west-2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := east.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: "db", ForceOverwriteReplicaSecret: true,
		AddReplicaRegions: []store.ReplicaRegionType{{Region: "us-west-2"}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := taken.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil || got.VersionId != tok(2) {
		t.Errorf("after a forced replication, the secret in us-west-2 = %v, %v; want the replica", got.VersionId, err)
	}

	// The primary-region filter finds replicated secrets by their primary's region [D].
	if l, _ := west.ListSecrets(store.ListSecretsInput{Filters: []store.Filter{{Key: store.FilterPrimaryRegion, Values: []string{"us-"}}}}); len(l.SecretList) != 1 {
		t.Errorf("ListSecrets(primary-region us-) in eu-west-1 = %v", l.SecretList)
	}
	if l, _ := west.ListSecrets(store.ListSecretsInput{Filters: []store.Filter{{Key: store.FilterPrimaryRegion, Values: []string{"eu-"}}}}); len(l.SecretList) != 0 {
		t.Errorf("ListSecrets(primary-region eu-) in eu-west-1 = %v", l.SecretList)
	}

	// A restart keeps the replication.
	reopened, err := store.Open(&b, store.WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(east.Snapshot(), reopened.Snapshot()); diff != "" {
		t.Errorf("after a restart (-before +after):\n%s", diff)
	}

	// Removed: the replica is gone, the rest stay.
	left, err := east.RemoveRegionsFromReplication(store.RemoveRegionsFromReplicationInput{SecretId: "db", RemoveReplicaRegions: []string{"ap-south-1", "sa-east-1"}})
	if err != nil || len(left.ReplicationStatus) != 2 {
		t.Errorf("RemoveRegionsFromReplication() = %+v, %v", left, err)
	}
	_, err = south.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	check.Err(t, err, stagelabel.ErrResourceNotFound, notFound)

	// Promoted, the replica is a secret of its own, and the primary no longer lists it.
	_, err = east.StopReplicationToReplica(store.StopReplicationToReplicaInput{SecretId: "db"})
	check.Err(t, err, stagelabel.ErrInvalidRequest, "StopReplicationToReplica can only be called on a replica secret.")
	if _, err := west.StopReplicationToReplica(store.StopReplicationToReplicaInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	put(t, west, "db", 5)
	put(t, east, "db", 6)
	if got, _ := west.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); got.VersionId != tok(5) {
		t.Errorf("the promoted secret = %s, want its own version", got.VersionId)
	}
	if d, _ := east.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); len(d.ReplicationStatus) != 1 || d.ReplicationStatus[0].Region != "us-west-2" {
		t.Errorf("the primary's replicas after a promotion = %+v", d.ReplicationStatus)
	}
}

// TestCreateWithReplicas holds that CreateSecret's AddReplicaRegions
// replicates the new secret as ReplicateSecretToRegions does [D].
func TestCreateWithReplicas(t *testing.T) {
	st, _ := newStore()
	out, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), SecretString: ptr("v"),
		AddReplicaRegions: []store.ReplicaRegionType{{Region: "eu-west-1"}}})
	if err != nil || len(out.ReplicationStatus) != 1 || out.ReplicationStatus[0].Status != "InSync" {
		t.Fatalf("CreateSecret(AddReplicaRegions) = %+v, %v", out, err)
	}
	west := in(t, st, store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	if got, err := west.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil || *got.SecretString != "v" {
		t.Errorf("the replica = %v, %v", got, err)
	}
	_, err = st.CreateSecret(store.CreateSecretInput{Name: "own", ClientRequestToken: tok(1), AddReplicaRegions: []store.ReplicaRegionType{{Region: "us-east-1"}}})
	check.Err(t, err, stagelabel.ErrInvalidParameter, "Invalid replica region.")
	if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "own"}); err == nil {
		t.Error("a refused CreateSecret made the secret")
	}
}

// TestReplicasFollow is a property: whatever the primary goes through,
// after every step each replica has its versions and labels.
func TestReplicasFollow(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var b storetest.Memory
		st, err := store.Open(&b, store.WithClock(func() time.Time { return t0 }))
		if err != nil {
			rt.Fatal(err)
		}
		create(t, st, "db", 0)
		regions := []string{"eu-west-1", "ap-south-1"}
		if _, err := st.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: "db",
			AddReplicaRegions: []store.ReplicaRegionType{{Region: regions[0]}, {Region: regions[1]}}}); err != nil {
			rt.Fatal(err)
		}
		labels := []string{"AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "X"}
		for i := 1; i <= rapid.IntRange(1, 30).Draw(rt, "steps"); i++ {
			ids := versionIDs(t, st, "db")
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0:
				st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(i), SecretString: ptr(fmt.Sprint(i))})
			case 1:
				st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: rapid.SampledFrom(labels).Draw(rt, "label"),
					RemoveFromVersionId: rapid.SampledFrom(append(ids, "")).Draw(rt, "from"), MoveToVersionId: rapid.SampledFrom(append(ids, "")).Draw(rt, "to")})
			case 2:
				st.RotateSecret(store.RotateSecretInput{RotationLambdaARN: fn, SecretId: "db", ClientRequestToken: tok(i)})
			case 3:
				st.TagResource(store.TagResourceInput{SecretId: "db", Tags: []store.Tag{{Key: "k", Value: fmt.Sprint(i)}}})
			case 4:
				st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
			}
			for _, r := range regions {
				replica := in(t, st, store.Namespace{Account: "123456789012", Region: r})
				if diff := cmp.Diff(stages(t, st, "db"), stages(t, replica, "db")); diff != "" {
					rt.Fatalf("step %d: labels of the replica in %s (-primary +replica):\n%s", i, r, diff)
				}
				if diff := cmp.Diff(versionIDs(t, st, "db"), versionIDs(t, replica, "db")); diff != "" {
					rt.Fatalf("step %d: versions of the replica in %s (-primary +replica):\n%s", i, r, diff)
				}
			}
		}
	})
}

// TestSettleAtOpen holds that opening a store brings replicas in line with
// their primaries, as a crash between their commits leaves them: a replica
// missing is made, one its primary no longer lists is removed [M].
func TestSettleAtOpen(t *testing.T) {
	var b storetest.Memory
	st, err := store.Open(&b, store.WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	create(t, st, "db", 1)
	create(t, st, "gone", 1)
	for _, name := range []string{"db", "gone"} {
		if _, err := st.ReplicateSecretToRegions(store.ReplicateSecretToRegionsInput{SecretId: name, AddReplicaRegions: []store.ReplicaRegionType{{Region: "eu-west-1"}}}); err != nil {
			t.Fatal(err)
		}
	}
	revs := map[string]store.Revision{}
	var primaryOfGone store.SecretSnapshot
	b.Load(func(s store.SecretSnapshot, rev store.Revision) error {
		revs[s.ARN] = rev
		if s.Name == "gone" && s.PrimaryRegion == "" {
			primaryOfGone = s
		}
		return nil
	})
	// As a crash could leave it: db's replica not written, gone's primary
	// without its replica in its list.
	west := in(t, st, store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	replica, err := west.Export("db")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(store.Change{Prev: revs[replica.ARN], Secret: replica, Removed: true}); err != nil {
		t.Fatal(err)
	}
	primaryOfGone.ReplicationStatus = nil
	if _, err := b.Commit(store.Change{Prev: revs[primaryOfGone.ARN], Secret: primaryOfGone}); err != nil {
		t.Fatal(err)
	}

	reopened, err := store.Open(&b, store.WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	west = in(t, reopened, store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	if d, err := west.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); err != nil || d.PrimaryRegion != "us-east-1" {
		t.Errorf("db's replica after opening = %v, %v; want it made again", d.ARN, err)
	}
	_, err = west.DescribeSecret(store.DescribeSecretInput{SecretId: "gone"})
	check.Err(t, err, stagelabel.ErrResourceNotFound, notFound)
}
