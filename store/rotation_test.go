package store_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
)

// recorder is a rotation function that records the events it is invoked
// with, performs the steps as AWS's rotation template does (through
// rotateStep), and fails at the steps in failAt.
type recorder struct {
	st *store.Store

	mu     sync.Mutex
	events []store.RotationEvent
	failAt map[string]bool
}

func (r *recorder) invoke(ctx context.Context, e store.RotationEvent) error {
	r.mu.Lock()
	r.events = append(r.events, e)
	fail := r.failAt[e.Step]
	r.mu.Unlock()
	if fail {
		return errors.New("failing at " + e.Step)
	}
	return rotateStep(r.st, e)
}

// steps returns the steps invoked so far, and forgets them.
func (r *recorder) steps() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Step)
	}
	r.events = nil
	return out
}

// rotateStep performs step e.Step of a rotation of AWS's template
// (SecretsManagerRotationTemplate) against st, with the new value
// "rotated <token>".
func rotateStep(st *store.Store, e store.RotationEvent) error {
	d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: e.SecretId})
	if err != nil {
		return err
	}
	if d.RotationEnabled == nil || !*d.RotationEnabled {
		return errors.New("rotation is not enabled")
	}
	ls := d.VersionIdsToStages[e.ClientRequestToken]
	switch {
	case slices.Contains(ls, "AWSCURRENT"):
		return nil
	case !slices.Contains(ls, "AWSPENDING"):
		return errors.New("the version is not AWSPENDING")
	}
	switch e.Step {
	case store.StepCreate:
		_, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: e.SecretId, VersionId: e.ClientRequestToken, VersionStage: "AWSPENDING"})
		if errors.Is(err, stagelabel.ErrResourceNotFound) {
			_, err = st.PutSecretValue(store.PutSecretValueInput{SecretId: e.SecretId, ClientRequestToken: e.ClientRequestToken,
				SecretString: ptr("rotated " + e.ClientRequestToken), VersionStages: []string{"AWSPENDING"}})
		}
		return err
	case store.StepTest:
		_, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: e.SecretId, VersionId: e.ClientRequestToken, VersionStage: "AWSPENDING"})
		return err
	case store.StepFinish:
		current := ""
		for id, ls := range d.VersionIdsToStages {
			if slices.Contains(ls, "AWSCURRENT") {
				current = id
			}
		}
		_, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: e.SecretId, VersionStage: "AWSCURRENT",
			RemoveFromVersionId: current, MoveToVersionId: e.ClientRequestToken})
		return err
	}
	return nil
}

// newRotating returns a store on a test clock that invokes r as the
// function fn, and the secret "db" with version 1.
func newRotating(t *testing.T, failAt ...string) (*store.Store, *recorder, string) {
	t.Helper()
	r := &recorder{failAt: map[string]bool{}}
	for _, s := range failAt {
		r.failAt[s] = true
	}
	c := &clock{now: t0}
	r.st = store.New(store.WithClock(c.Now), store.WithRandom(rand.NewChaCha8([32]byte{})), store.WithInvoker(store.Functions{fn: r.invoke}))
	return r.st, r, create(t, r.st, "db", 1).ARN
}

var allSteps = []string{store.StepCreate, store.StepSet, store.StepTest, store.StepFinish}

func TestRotateSecretInvokesTheFunction(t *testing.T) {
	st, r, arn := newRotating(t)
	out, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationLambdaARN: fn})
	check.Err(t, err, "", "")
	if out.VersionId != tok(2) {
		t.Errorf("RotateSecret().VersionId = %q, want %s", out.VersionId, tok(2))
	}
	st.Wait()
	r.mu.Lock()
	events := r.events
	r.mu.Unlock()
	// The four steps in order, each with the ARN and the token, and one
	// RotationToken for the whole rotation (§RT13).
	if len(events) != 4 || events[0].RotationToken == "" {
		t.Fatalf("events = %+v, want the four steps with a RotationToken", events)
	}
	var want []store.RotationEvent
	for _, step := range allSteps {
		want = append(want, store.RotationEvent{Step: step, SecretId: arn, ClientRequestToken: tok(2), RotationToken: events[0].RotationToken})
	}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	// After finishSecret, which moves AWSCURRENT only, the new version
	// carries AWSCURRENT and AWSPENDING (§RT8); LastRotatedDate is set
	// (§RT11).
	wantStages := map[string][]string{tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSCURRENT", "AWSPENDING"}}
	if diff := cmp.Diff(wantStages, stages(t, st, "db")); diff != "" {
		t.Errorf("stages after the rotation mismatch (-want +got):\n%s", diff)
	}
	d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	if !d.LastRotatedDate.Equal(t0) || d.RotationLambdaARN != fn || d.RotationEnabled == nil || !*d.RotationEnabled {
		t.Errorf("DescribeSecret() after the rotation: LastRotatedDate %v, function %q, enabled %v", d.LastRotatedDate, d.RotationLambdaARN, d.RotationEnabled)
	}
	got, _ := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
	if *got.SecretString != "rotated "+tok(2) {
		t.Errorf("GetSecretValue() after the rotation = %q", *got.SecretString)
	}
	// A second rotation follows the first: AWSPENDING on the current
	// version is no rotation under way.
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(3)}); err != nil {
		t.Fatalf("second RotateSecret() = %v", err)
	}
	st.Wait()
	wantStages = map[string][]string{tok(2): {"AWSPREVIOUS"}, tok(3): {"AWSCURRENT", "AWSPENDING"}}
	if diff := cmp.Diff(wantStages, stages(t, st, "db")); diff != "" {
		t.Errorf("stages after the second rotation mismatch (-want +got):\n%s", diff)
	}
}

// TestRotationIsAsynchronous checks that RotateSecret returns before the
// function runs, which can then call the store (§RT13).
func TestRotationIsAsynchronous(t *testing.T) {
	release := make(chan struct{})
	var st *store.Store
	c := &clock{now: t0}
	st = store.New(store.WithClock(c.Now), store.WithInvoker(store.Functions{fn: func(ctx context.Context, e store.RotationEvent) error {
		<-release
		return rotateStep(st, e)
	}}))
	create(t, st, "db", 1)
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationLambdaARN: fn}); err != nil {
		t.Fatal(err)
	}
	// During the rotation: AWSPENDING on the new version, without a value;
	// no LastRotatedDate yet.
	want := map[string][]string{tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING"}}
	if diff := cmp.Diff(want, stages(t, st, "db")); diff != "" {
		t.Errorf("stages during the rotation mismatch (-want +got):\n%s", diff)
	}
	if d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !d.LastRotatedDate.IsZero() {
		t.Errorf("LastRotatedDate = %v during the rotation, want none", d.LastRotatedDate)
	}
	close(release)
	st.Wait()
	want = map[string][]string{tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSCURRENT", "AWSPENDING"}}
	if diff := cmp.Diff(want, stages(t, st, "db")); diff != "" {
		t.Errorf("stages after the rotation mismatch (-want +got):\n%s", diff)
	}
}

// TestRotationFailures fails the function at each step in turn and checks
// the secret after the failure: the rotation stays unfinished (§RT14), the
// next RotateSecret is refused and reattempts it (§RT2).
func TestRotationFailures(t *testing.T) {
	tests := []struct {
		failAt  string
		invoked []string            // the steps invoked
		stages  map[string][]string // after the failure
		pending bool                // the AWSPENDING version holds a value
	}{
		{store.StepCreate, allSteps[:1], map[string][]string{tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING"}}, false},
		{store.StepSet, allSteps[:2], map[string][]string{tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING"}}, true},
		{store.StepTest, allSteps[:3], map[string][]string{tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING"}}, true},
		{store.StepFinish, allSteps, map[string][]string{tok(1): {"AWSCURRENT"}, tok(2): {"AWSPENDING"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.failAt, func(t *testing.T) {
			st, r, _ := newRotating(t, tt.failAt)
			if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationLambdaARN: fn}); err != nil {
				t.Fatalf("RotateSecret() = %v; the function's failure is not the call's", err)
			}
			st.Wait()
			if diff := cmp.Diff(tt.invoked, r.steps()); diff != "" {
				t.Errorf("steps invoked mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.stages, stages(t, st, "db")); diff != "" {
				t.Errorf("stages after the failure mismatch (-want +got):\n%s", diff)
			}
			_, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db", VersionStage: "AWSPENDING"})
			if (err == nil) != tt.pending {
				t.Errorf("GetSecretValue(AWSPENDING) = %v; want a value: %v", err, tt.pending)
			}
			d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
			if !d.LastRotatedDate.IsZero() || d.RotationEnabled == nil || !*d.RotationEnabled {
				t.Errorf("DescribeSecret() after the failure: LastRotatedDate %v, RotationEnabled %v; want none, true", d.LastRotatedDate, d.RotationEnabled)
			}

			// The next rotation is refused, and the unfinished one runs again,
			// now with a function that succeeds.
			r.mu.Lock()
			r.failAt = nil
			r.mu.Unlock()
			_, err = st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(3)})
			check.Err(t, err, stagelabel.ErrInvalidRequest, "A previous rotation isn't complete. That rotation will be reattempted.")
			st.Wait()
			r.mu.Lock()
			events := r.events
			r.mu.Unlock()
			if len(events) != 4 || events[0].ClientRequestToken != tok(2) {
				t.Errorf("reattempt events = %+v, want the four steps for %s", events, tok(2))
			}
			want := map[string][]string{tok(1): {"AWSPREVIOUS"}, tok(2): {"AWSCURRENT", "AWSPENDING"}}
			if diff := cmp.Diff(want, stages(t, st, "db")); diff != "" {
				t.Errorf("stages after the reattempt mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRotateSecretRefusals checks the two recorded refusals and that
// nothing is stored after either (§RT5, §RT6).
func TestRotateSecretRefusals(t *testing.T) {
	const (
		noFunction   = "No Lambda rotation function ARN is associated with this secret."
		cannotInvoke = "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com."
	)
	days := &store.RotationRules{AutomaticallyAfterDays: ptr(int64(1))}
	tests := []struct {
		name string
		opts []store.Option
		in   store.RotateSecretInput
		code stagelabel.Code
		msg  string
	}{
		{"no function given nor configured", []store.Option{store.WithInvoker(store.Functions{fn: nil})},
			store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationRules: days}, stagelabel.ErrInvalidRequest, noFunction},
		{"no function, without rotating", []store.Option{store.WithInvoker(store.Functions{fn: nil})},
			store.RotateSecretInput{SecretId: "db", RotateImmediately: ptr(false), RotationRules: days}, stagelabel.ErrInvalidRequest, noFunction},
		{"no function, manual rotation", []store.Option{store.WithManualRotation()},
			store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2)}, stagelabel.ErrInvalidRequest, noFunction},
		{"a function the invoker does not have", []store.Option{store.WithInvoker(store.Functions{fn: nil})},
			store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationLambdaARN: fn + "-other", RotationRules: days}, stagelabel.ErrAccessDenied, cannotInvoke},
		{"no invoker", nil,
			store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationLambdaARN: fn, RotationRules: days}, stagelabel.ErrAccessDenied, cannotInvoke},
		{"no invoker, without rotating", nil,
			store.RotateSecretInput{SecretId: "db", RotateImmediately: ptr(false), RotationLambdaARN: fn, RotationRules: days}, stagelabel.ErrAccessDenied, cannotInvoke},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{now: t0}
			st := store.New(append([]store.Option{store.WithClock(c.Now)}, tt.opts...)...)
			create(t, st, "db", 1)
			before := st.Snapshot()
			_, err := st.RotateSecret(tt.in)
			check.Err(t, err, tt.code, tt.msg)
			st.Wait()
			if diff := cmp.Diff(before, st.Snapshot()); diff != "" {
				t.Errorf("a refused RotateSecret changed the store (-before +after):\n%s", diff)
			}
			d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
			if d.RotationEnabled != nil || d.RotationRules != nil || d.RotationLambdaARN != "" {
				t.Errorf("DescribeSecret() after a refused RotateSecret: RotationEnabled %v, RotationRules %v, RotationLambdaARN %q; want none",
					d.RotationEnabled, d.RotationRules, d.RotationLambdaARN)
			}
		})
	}
}

// TestRotateNotImmediately checks that RotateImmediately false invokes
// testSecret alone, on a version that holds the current value and carries
// AWSPENDING during the test, and nothing after (§RT9).
func TestRotateNotImmediately(t *testing.T) {
	var seen []string // the labels of the tested version, and its value, during the test
	var st *store.Store
	c := &clock{now: t0}
	st = store.New(store.WithClock(c.Now), store.WithInvoker(store.Functions{fn: func(ctx context.Context, e store.RotationEvent) error {
		v, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: e.SecretId, VersionId: e.ClientRequestToken, VersionStage: "AWSPENDING"})
		if err != nil {
			return err
		}
		seen = append([]string{e.Step, *v.SecretString}, v.VersionStages...)
		return nil
	}}))
	create(t, st, "db", 1)
	out, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationLambdaARN: fn, RotateImmediately: ptr(false)})
	check.Err(t, err, "", "")
	if out.VersionId != "" {
		t.Errorf("RotateSecret(RotateImmediately false).VersionId = %q, want none", out.VersionId)
	}
	st.Wait()
	if diff := cmp.Diff([]string{store.StepTest, "value 1", "AWSPENDING"}, seen); diff != "" {
		t.Errorf("what testSecret saw mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{tok(1): {"AWSCURRENT"}}, stages(t, st, "db")); diff != "" {
		t.Errorf("stages after the test mismatch (-want +got):\n%s", diff)
	}
	d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	if d.RotationEnabled == nil || !*d.RotationEnabled || !d.LastRotatedDate.IsZero() {
		t.Errorf("DescribeSecret(): RotationEnabled %v, LastRotatedDate %v; want true, none", d.RotationEnabled, d.LastRotatedDate)
	}
}

// TestManualRotation checks the manual mode: RotateSecret makes the
// AWSPENDING version and invokes nothing; the caller's steps end the
// rotation (§RT7, §RT11).
func TestManualRotation(t *testing.T) {
	st, c := newStore()
	create(t, st, "db", 1)
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationLambdaARN: fn}); err != nil {
		t.Fatal(err)
	}
	st.Wait() // nothing runs
	c.Advance(time.Hour)
	put(t, st, "db", 2, "AWSPENDING")
	if _, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSCURRENT", RemoveFromVersionId: tok(1), MoveToVersionId: tok(2)}); err != nil {
		t.Fatal(err)
	}
	if d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !d.LastRotatedDate.Equal(t0.Add(time.Hour)) {
		t.Errorf("LastRotatedDate = %v, want %v, when AWSCURRENT moved", d.LastRotatedDate, t0.Add(time.Hour))
	}
}
