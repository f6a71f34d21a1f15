package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/store"
)

// TestRotationAfterFinish holds that a RotateSecret asked for once the
// previous rotation's finishSecret has moved AWSCURRENT, but before that
// rotation has ended, runs when it ends: it was answered with its
// VersionId, so its function is invoked (docs/semantics.md §RT15).
func TestRotationAfterFinish(t *testing.T) {
	finished := make(chan struct{})
	release := make(chan struct{})
	var st *store.Store
	c := &clock{now: t0}
	st = store.New(store.WithClock(c.Now), store.WithInvoker(store.Functions{fn: func(ctx context.Context, e store.RotationEvent) error {
		err := rotateStep(st, e)
		if e.Step == store.StepFinish && e.ClientRequestToken == tok(2) {
			close(finished)
			<-release // the function's answer still on its way
		}
		return err
	}}))
	create(t, st, "db", 1)
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationLambdaARN: fn}); err != nil {
		t.Fatal(err)
	}
	<-finished
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(3)}); err != nil {
		t.Fatalf("RotateSecret after finishSecret: %v", err)
	}
	close(release)
	st.Wait()
	want := map[string][]string{tok(2): {"AWSPREVIOUS"}, tok(3): {"AWSCURRENT", "AWSPENDING"}}
	if diff := cmp.Diff(want, stages(t, st, "db")); diff != "" {
		t.Errorf("stages after the second rotation mismatch (-want +got):\n%s", diff)
	}
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(4)}); err != nil {
		t.Errorf("a third RotateSecret: %v", err)
	}
	st.Wait()
}
