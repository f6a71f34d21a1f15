package conformance_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/awsjson"
)

// TestReplication checks, through the SDK, a primary in us-east-1 and its
// replica in eu-west-1 (docs/semantics.md §RP): the replica follows every
// new version and label move, refuses changes of its own with AWS's error
// as the SDK's typed error, and is promoted by StopReplicationToReplica.
func TestReplication(t *testing.T) {
	t.Parallel()
	_, clients := newNamespacedClients(t)
	east, west := clients[awsjson.Identity{Account: "111111111111", Region: "us-east-1"}], clients[awsjson.Identity{Account: "111111111111", Region: "eu-west-1"}]
	ctx := t.Context()
	created, err := east.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), ClientRequestToken: aws.String(v1),
		SecretString: aws.String("one"), AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("eu-west-1")}}})
	if err != nil || len(created.ReplicationStatus) != 1 || created.ReplicationStatus[0].Status != types.StatusTypeInSync {
		t.Fatalf("CreateSecret(AddReplicaRegions) = %+v, %v", created, err)
	}
	mustPut(t, east, "db", v2, "two")
	mustMove(t, east, "db", "X", "", v1)
	if diff := cmp.Diff(stages(t, east, "db"), stages(t, west, "db")); diff != "" {
		t.Errorf("labels of the replica (-primary +replica):\n%s", diff)
	}
	if got, _, _ := value(t, west, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")}); got != "two" {
		t.Errorf("GetSecretValue of the replica = %q, want two", got)
	}
	d, err := west.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
	if err != nil || aws.ToString(d.PrimaryRegion) != "us-east-1" || aws.ToString(d.ARN) != strings.Replace(aws.ToString(created.ARN), "us-east-1", "eu-west-1", 1) {
		t.Errorf("DescribeSecret of the replica = %v, %v, %v", aws.ToString(d.ARN), aws.ToString(d.PrimaryRegion), err)
	}
	_, err = west.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("db"), SecretString: aws.String("x")})
	checkError(t, err, "InvalidParameterException", "Operation not permitted on a replica secret. Call must be made in primary secret's region.")
	_, err = east.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("db")})
	checkError(t, err, "InvalidParameterException", "You can't delete secret "+aws.ToString(created.ARN)+" that still has replica regions [eu-west-1].")

	if _, err := west.StopReplicationToReplica(ctx, &secretsmanager.StopReplicationToReplicaInput{SecretId: aws.String("db")}); err != nil {
		t.Fatalf("StopReplicationToReplica() = %v", err)
	}
	mustPut(t, west, "db", v3, "its own")
	if d, err := east.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")}); err != nil || len(d.ReplicationStatus) != 0 {
		t.Errorf("the primary after the promotion: ReplicationStatus %v, %v", d.ReplicationStatus, err)
	}
	rep, err := east.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String("db"),
		AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("eu-west-1")}}})
	if err != nil || len(rep.ReplicationStatus) != 1 || rep.ReplicationStatus[0].Status != types.StatusTypeFailed {
		t.Errorf("ReplicateSecretToRegions onto the promoted secret = %+v, %v; want Failed", rep, err)
	}
	rm, err := east.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{SecretId: aws.String("db"), RemoveReplicaRegions: []string{"eu-west-1"}})
	if err != nil || rm.ReplicationStatus == nil || len(rm.ReplicationStatus) != 0 {
		t.Errorf("RemoveRegionsFromReplication() = %+v, %v; want ReplicationStatus []", rm, err)
	}
}
