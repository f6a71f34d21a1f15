package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/version"
)

func TestObserver(t *testing.T) {
	var mu sync.Mutex
	var events []store.Event
	st, c := newStore(store.WithObserver(func(e store.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}))
	take := func() []store.Event {
		mu.Lock()
		defer mu.Unlock()
		out := events
		events = nil
		for i := range out {
			out[i].ARN = "" // checked once below
		}
		return out
	}
	id := func(n int) version.ID { return version.ID(tok(n)) }

	out := create(t, st, "db", 1)
	put(t, st, "db", 2, "AWSPENDING")
	st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSCURRENT", RemoveFromVersionId: tok(1), MoveToVersionId: tok(2)})
	want := []store.Event{
		{Op: "CreateSecret", Name: "db", VersionID: id(1), Moves: []store.Move{{stage.Current, "", id(1)}}},
		{Op: "PutSecretValue", Name: "db", VersionID: id(2), Moves: []store.Move{{stage.Pending, "", id(2)}}},
		{Op: "UpdateSecretVersionStage", Name: "db", Moves: []store.Move{{stage.Current, id(1), id(2)}, {stage.Previous, "", id(1)}}},
	}
	mu.Lock()
	if len(events) > 0 && events[0].ARN != out.ARN {
		t.Errorf("event ARN = %q, want %q", events[0].ARN, out.ARN)
	}
	mu.Unlock()
	if diff := cmp.Diff(want, take()); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}

	// Failures and no-ops report nothing.
	st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSCURRENT", RemoveFromVersionId: tok(2)})
	put(t, st, "db", 2, "AWSPENDING")
	st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSCURRENT", MoveToVersionId: tok(2)})
	if got := take(); len(got) != 0 {
		t.Errorf("failed or empty calls reported %+v", got)
	}

	// A put that prunes reports the pruned versions: v1, and v2, which lost
	// AWSPENDING when the put of v3 took AWSCURRENT from it.
	for n := 3; n <= 101; n++ {
		put(t, st, "db", n)
	}
	take()
	c.Advance(25 * time.Hour)
	put(t, st, "db", 102)
	want = []store.Event{{Op: "PutSecretValue", Name: "db", VersionID: id(102),
		Moves:  []store.Move{{stage.Current, id(101), id(102)}, {stage.Previous, id(100), id(101)}},
		Pruned: []version.ID{id(1), id(2)}}}
	if diff := cmp.Diff(want, take()); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}

	st.DeleteSecret(store.DeleteSecretInput{SecretId: "db", ForceDeleteWithoutRecovery: true})
	if diff := cmp.Diff([]store.Event{{Op: "DeleteSecret", Name: "db"}}, take()); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
}
