package awsjson_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/store"
)

// TestReplicationWire sends the replication operations through a handler
// that serves each request from its signature's region, as the emulator
// does, and checks their answers on the wire (docs/semantics.md §RP).
func TestReplicationWire(t *testing.T) {
	st := store.New()
	h := awsjson.New(st, awsjson.WithIdentity(awsjson.Identity{Account: "123456789012", Region: "us-east-1"},
		func(id awsjson.Identity) (*store.Store, error) {
			return st.In(store.Namespace{Account: id.Account, Region: id.Region})
		}))
	as := func(region string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/"+region+"/secretsmanager/aws4_request, SignedHeaders=host, Signature=0")
			h.ServeHTTP(w, r)
		})
	}
	_, out, _ := call(t, as("us-east-1"), "secretsmanager.CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"v","AddReplicaRegions":[{"Region":"eu-west-1"}]}`)
	arn, _ := out["ARN"].(string)
	if want := []any{map[string]any{"Region": "eu-west-1", "Status": "InSync", "StatusMessage": "Replication succeeded"}}; !cmp.Equal(want, out["ReplicationStatus"]) {
		t.Errorf("CreateSecret with AddReplicaRegions = %v", out)
	}
	_, out, _ = call(t, as("eu-west-1"), "secretsmanager.DescribeSecret", `{"SecretId":"db"}`)
	if out["ARN"] != strings.Replace(arn, "us-east-1", "eu-west-1", 1) || out["PrimaryRegion"] != "us-east-1" {
		t.Errorf("DescribeSecret of the replica = %v", out)
	}
	status, out, _ := call(t, as("eu-west-1"), "secretsmanager.PutSecretValue", `{"SecretId":"db","ClientRequestToken":"`+tok2+`","SecretString":"w"}`)
	if status != 400 || out["__type"] != "InvalidParameterException" || out["Message"] != "Operation not permitted on a replica secret. Call must be made in primary secret's region." {
		t.Errorf("PutSecretValue on the replica = %d %v", status, out)
	}
	_, out, _ = call(t, as("us-east-1"), "secretsmanager.RemoveRegionsFromReplication", `{"SecretId":"db","RemoveReplicaRegions":["eu-west-1"]}`)
	if want := map[string]any{"ARN": arn, "ReplicationStatus": []any{}}; !cmp.Equal(want, out) {
		t.Errorf("RemoveRegionsFromReplication = %v, want %v", out, want)
	}
	_, out, _ = call(t, as("us-east-1"), "secretsmanager.ReplicateSecretToRegions", `{"SecretId":"db","AddReplicaRegions":[{"Region":"eu-west-1"}]}`)
	if out["ARN"] != arn {
		t.Errorf("ReplicateSecretToRegions = %v", out)
	}
	_, out, _ = call(t, as("eu-west-1"), "secretsmanager.StopReplicationToReplica", `{"SecretId":"db"}`)
	if out["ARN"] != strings.Replace(arn, "us-east-1", "eu-west-1", 1) {
		t.Errorf("StopReplicationToReplica = %v", out)
	}
}
