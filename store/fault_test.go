package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// faulty returns a store on a backend that fails on demand, holding the
// secrets of populated (pruned versions, reads, rotation, tags, a policy,
// a scheduled deletion), and the events it reports.
func faulty(t *testing.T) (*store.Store, *storetest.Faulty, *storetest.Memory, *clock, *[]store.Event) {
	t.Helper()
	src, c := populated(t)
	mem := &storetest.Memory{}
	f := &storetest.Faulty{Backend: mem}
	var events []store.Event
	st, err := store.Open(f, store.WithClock(c.Now), store.WithManualRotation(), store.WithObserver(func(e store.Event) { events = append(events, e) }))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range src.Snapshot().Secrets {
		if err := st.Import(s); err != nil {
			t.Fatal(err)
		}
	}
	return st, f, mem, c, &events
}

// noARNs leaves out what a retry draws anew: the random suffix of a new
// secret's ARN.
var noARNs = cmpopts.IgnoreFields(store.SecretSnapshot{}, "ARN")

// TestFailedCommitLeavesNoTrace checks, for every operation that changes
// state, that a change the backend refuses is InternalServiceError and
// leaves no trace (in the store, in the backend, in the events), and that
// the same request retried then succeeds and does what it would have done
// the first time.
func TestFailedCommitLeavesNoTrace(t *testing.T) {
	value := "new value"
	days := int64(7)
	tests := []struct {
		name string
		op   func(st *store.Store) error
	}{
		{"CreateSecret", func(st *store.Store) error {
			_, err := st.CreateSecret(store.CreateSecretInput{Name: "fresh", ClientRequestToken: tok(9), SecretString: &value, Tags: []store.Tag{{"k", "v"}}})
			return err
		}},
		{"CreateSecret without value", func(st *store.Store) error {
			_, err := st.CreateSecret(store.CreateSecretInput{Name: "fresh", ClientRequestToken: tok(9)})
			return err
		}},
		{"PutSecretValue", func(st *store.Store) error {
			_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(200), SecretString: &value})
			return err
		}},
		{"PutSecretValue that prunes", func(st *store.Store) error {
			_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(201), SecretString: &value, VersionStages: []string{"X"}})
			return err
		}},
		{"PutSecretValue filling a rotation", func(st *store.Store) error {
			_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "bin", ClientRequestToken: tok(2), SecretString: &value, VersionStages: []string{"AWSPENDING"}})
			return err
		}},
		{"UpdateSecret value", func(st *store.Store) error {
			_, err := st.UpdateSecret(store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(202), SecretString: &value})
			return err
		}},
		{"UpdateSecret description", func(st *store.Store) error {
			_, err := st.UpdateSecret(store.UpdateSecretInput{SecretId: "db", ClientRequestToken: tok(202), Description: ptr("described")})
			return err
		}},
		{"UpdateSecretVersionStage", func(st *store.Store) error {
			_, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSCURRENT", RemoveFromVersionId: tok(103), MoveToVersionId: tok(102)})
			return err
		}},
		{"RotateSecret", func(st *store.Store) error {
			_, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(203), RotationLambdaARN: "arn:aws:lambda:us-east-1:123456789012:function:r"})
			return err
		}},
		{"CancelRotateSecret", func(st *store.Store) error {
			_, err := st.CancelRotateSecret(store.CancelRotateSecretInput{SecretId: "bin"})
			return err
		}},
		{"DeleteSecret with a window", func(st *store.Store) error {
			_, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "db", RecoveryWindowInDays: &days})
			return err
		}},
		{"DeleteSecret forced", func(st *store.Store) error {
			_, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "db", ForceDeleteWithoutRecovery: true})
			return err
		}},
		{"RestoreSecret", func(st *store.Store) error {
			_, err := st.RestoreSecret(store.RestoreSecretInput{SecretId: "gone"})
			return err
		}},
		{"TagResource", func(st *store.Store) error {
			_, err := st.TagResource(store.TagResourceInput{SecretId: "db", Tags: []store.Tag{{"team", "x"}}})
			return err
		}},
		{"UntagResource", func(st *store.Store) error {
			_, err := st.UntagResource(store.UntagResourceInput{SecretId: "bin", TagKeys: []string{"env"}})
			return err
		}},
		{"PutResourcePolicy", func(st *store.Store) error {
			_, err := st.PutResourcePolicy(store.PutResourcePolicyInput{SecretId: "db", ResourcePolicy: `{"Version":"2012-10-17"}`})
			return err
		}},
		{"DeleteResourcePolicy", func(st *store.Store) error {
			_, err := st.DeleteResourcePolicy(store.DeleteResourcePolicyInput{SecretId: "bin"})
			return err
		}},
		{"Import", func(st *store.Store) error {
			s, err := st.Export("db")
			if err != nil {
				return err
			}
			s.Name, s.ARN = "copy", "arn:aws:secretsmanager:us-east-1:123456789012:secret:copy-AbCdEf"
			return st.Import(s)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, f, mem, c, events := faulty(t)
			twin, _, _, _, _ := faulty(t)
			before, stored := st.Snapshot(), reopened(t, mem, c)
			*events = nil

			f.Fail(true)
			err := tt.op(st)
			var e *stagelabel.Error
			if !errors.As(err, &e) || e.Code != stagelabel.ErrInternalService || !errors.Is(err, storetest.ErrInjected) {
				t.Fatalf("with the backend failing: %v; want InternalServiceError caused by the backend", err)
			}
			if diff := cmp.Diff(before, st.Snapshot(), exact); diff != "" {
				t.Errorf("store changed by a failed commit (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(stored, reopened(t, mem, c), exact); diff != "" {
				t.Errorf("backend changed by a failed commit (-before +after):\n%s", diff)
			}
			if len(*events) != 0 {
				t.Errorf("events of a failed commit: %v", *events)
			}

			f.Fail(false)
			if err := tt.op(st); err != nil {
				t.Fatalf("retried: %v", err)
			}
			if err := tt.op(twin); err != nil {
				t.Fatalf("on a store that never failed: %v", err)
			}
			if diff := cmp.Diff(twin.Snapshot(), st.Snapshot(), exact, noARNs); diff != "" {
				t.Errorf("retry differs from a first try (-first +retry):\n%s", diff)
			}
			if diff := cmp.Diff(st.Snapshot(), reopened(t, mem, c), exact); diff != "" {
				t.Errorf("backend differs from the store (-store +backend):\n%s", diff)
			}
			want := 1
			if tt.name == "Import" {
				want = 0 // not an AWS operation: not reported
			}
			if len(*events) != want {
				t.Errorf("retry reported %d events, want %d", len(*events), want)
			}
		})
	}
}

// TestFailedReadRecordStandsUnrecorded checks that a GetSecretValue whose
// record of the read the backend refuses still answers, and records
// nothing; the next read records it.
func TestFailedReadRecordStandsUnrecorded(t *testing.T) {
	st, f, mem, c, _ := faulty(t)
	c.Advance(48 * time.Hour) // a new day: the read is recorded
	before := st.Snapshot()
	f.Fail(true)
	out, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
	if err != nil || *out.SecretString != "value 103" {
		t.Fatalf("GetSecretValue with the backend failing = %v, %v; want value 103", out, err)
	}
	if diff := cmp.Diff(before, st.Snapshot(), exact); diff != "" {
		t.Errorf("store changed by an unrecorded read (-before +after):\n%s", diff)
	}
	f.Fail(false)
	if _, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	s, _ := st.Export("db")
	if want := c.Now().Truncate(24 * time.Hour); !s.LastAccessed.Equal(want) {
		t.Errorf("LastAccessed = %v, want %v", s.LastAccessed, want)
	}
	if diff := cmp.Diff(st.Snapshot(), reopened(t, mem, c), exact); diff != "" {
		t.Errorf("backend differs from the store (-store +backend):\n%s", diff)
	}
}

// TestFailedExpiryKeepsTheName checks that a secret past its recovery
// window is gone for readers even when the backend cannot remove it, and
// that its name is free again only once the backend has.
func TestFailedExpiryKeepsTheName(t *testing.T) {
	st, f, mem, c, _ := faulty(t)
	c.Advance(8 * 24 * time.Hour) // past "gone"'s 7-day window
	f.Fail(true)
	if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "gone"}); !errors.Is(err, stagelabel.ErrResourceNotFound) {
		t.Errorf("DescribeSecret of an expired secret: %v; want ResourceNotFoundException", err)
	}
	_, err := st.CreateSecret(store.CreateSecretInput{Name: "gone", ClientRequestToken: tok(1)})
	if !errors.Is(err, stagelabel.ErrInternalService) {
		t.Fatalf("CreateSecret over an expired secret the backend still holds: %v; want InternalServiceError", err)
	}
	f.Fail(false)
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "gone", ClientRequestToken: tok(1)}); err != nil {
		t.Fatalf("CreateSecret once the backend works: %v", err)
	}
	if diff := cmp.Diff(st.Snapshot(), reopened(t, mem, c), exact); diff != "" {
		t.Errorf("backend differs from the store (-store +backend):\n%s", diff)
	}
}

// reopened returns the snapshot of a store opened on what mem holds.
func reopened(t *testing.T, mem *storetest.Memory, c *clock) store.Snapshot {
	t.Helper()
	st, err := store.Open(mem, store.WithClock(c.Now), store.WithManualRotation())
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	return st.Snapshot()
}

// exact compares byte slices telling nil from empty.
var exact = cmp.Comparer(func(a, b []byte) bool { return string(a) == string(b) && (a == nil) == (b == nil) })
