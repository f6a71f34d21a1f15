package processes_test

import (
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// TestModel checks the model on small histories it must accept and
// reject: above all a stale read, a GetSecretValue that begins after a
// PutSecretValue was acknowledged and answers the version before it,
// which is what a second emulator that does not follow the first's
// changes serves.
func TestModel(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC123"
	v1, v2 := "00000001-0000-4000-8000-000000000000", "00000002-0000-4000-8000-000000000000"
	create := porcupine.Operation{ClientId: 0, Call: 0, Return: 1,
		Input: call{op: opCreate, name: "db", token: v1, value: "a"}, Output: reply{arn: arn, versionID: v1}}
	put := porcupine.Operation{ClientId: 0, Call: 2, Return: 3,
		Input: call{op: opPut, name: "db", token: v2, value: "b"}, Output: reply{arn: arn, versionID: v2, stages: current}}
	get := func(invoked, returned int64, id, value, stages string) porcupine.Operation {
		return porcupine.Operation{ClientId: 1, Call: invoked, Return: returned, Input: call2(opGet, "db"),
			Output: reply{arn: arn, versionID: id, value: value, stages: stages}}
	}
	unknownPut := put
	unknownPut.Output, unknownPut.Return = reply{code: errInternal, unknown: true}, 1<<62
	tests := []struct {
		name    string
		history []porcupine.Operation
		want    porcupine.CheckResult
	}{
		{"a read after the put sees it", []porcupine.Operation{create, put, get(4, 5, v2, "b", current)}, porcupine.Ok},
		{"a stale read: after the put, the version before it", []porcupine.Operation{create, put, get(4, 5, v1, "a", current)}, porcupine.Illegal},
		{"a read overlapping the put may see the version before it", []porcupine.Operation{create, put, get(1, 5, v1, "a", current)}, porcupine.Ok},
		{"the previous version's labels after the put", []porcupine.Operation{create, put,
			{ClientId: 1, Call: 4, Return: 5, Input: call{op: opGet, name: "db", token: v1},
				Output: reply{arn: arn, versionID: v1, value: "a", stages: previous}}}, porcupine.Ok},
		{"a put of unknown outcome may have been made", []porcupine.Operation{create, unknownPut, get(4, 5, v2, "b", current)}, porcupine.Ok},
		{"or not", []porcupine.Operation{create, unknownPut, get(4, 5, v1, "a", current)}, porcupine.Ok},
		{"but not both, in that order", []porcupine.Operation{create, unknownPut, get(4, 5, v2, "b", current), get(6, 7, v1, "a", current)}, porcupine.Illegal},
		{"a secret another emulator created is not found", []porcupine.Operation{create,
			{ClientId: 1, Call: 4, Return: 5, Input: call{op: opGet, name: "db", emulator: 1}, Output: reply{code: errNotFound}}}, porcupine.Illegal},
		{"a second create of the name", []porcupine.Operation{create,
			{ClientId: 1, Call: 4, Return: 5, Input: call{op: opCreate, name: "db", token: v2, value: "b", emulator: 1},
				Output: reply{arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-XyZ789", versionID: v2}}}, porcupine.Illegal},
		{"another ARN", []porcupine.Operation{create, put,
			{ClientId: 1, Call: 4, Return: 5, Input: call2(opGet, "db"),
				Output: reply{arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-XyZ789", versionID: v2, value: "b", stages: current}}}, porcupine.Illegal},
		{"AWSCURRENT moved back: AWSPREVIOUS follows", []porcupine.Operation{create, put,
			{ClientId: 1, Call: 4, Return: 5, Input: call{op: opUpdate, name: "db", label: current, from: v2, to: v1}, Output: reply{arn: arn}},
			{ClientId: 1, Call: 6, Return: 7, Input: call2(opDescribe, "db"), Output: reply{arn: arn, describe: v1 + ":AWSCURRENT " + v2 + ":AWSPREVIOUS"}}}, porcupine.Ok},
		{"a move from a version the label left", []porcupine.Operation{create, put,
			{ClientId: 1, Call: 4, Return: 5, Input: call{op: opUpdate, name: "db", label: current, from: v1, to: v2}, Output: reply{arn: arn}}}, porcupine.Illegal},
		{"a scheduled secret refuses a put", []porcupine.Operation{create,
			{ClientId: 1, Call: 2, Return: 3, Input: call2(opDelete, "db"), Output: reply{arn: arn}},
			{ClientId: 1, Call: 4, Return: 5, Input: call{op: opPut, name: "db", token: v2, value: "b"}, Output: reply{code: errInvalidReq}},
			{ClientId: 1, Call: 6, Return: 7, Input: call2(opDescribe, "db"), Output: reply{arn: arn, describe: v1 + ":AWSCURRENT", deleted: true}}}, porcupine.Ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := porcupine.CheckOperationsTimeout(model, tt.history, 10*time.Second); got != tt.want {
				t.Errorf("CheckOperations() = %s, want %s", got, tt.want)
			}
		})
	}
}

// call2 returns a call of op on the secret called name with no other member.
func call2(op, name string) call { return call{op: op, name: name} }
