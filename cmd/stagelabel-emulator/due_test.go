package main

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/store"
)

// TestRunDue checks that schedules run as the clock runs on by itself, not
// only when it is moved: runDue starts a rotation that has fallen due.
func TestRunDue(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC).UnixNano())
	var mu sync.Mutex
	var steps []string
	st := store.New(store.WithClock(func() time.Time { return time.Unix(0, now.Load()).UTC() }),
		store.WithInvoker(store.Functions{fn: func(_ context.Context, e store.RotationEvent) error {
			mu.Lock()
			defer mu.Unlock()
			steps = append(steps, e.Step)
			return nil
		}}))
	value := "v"
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: "00000001-0000-4000-8000-000000000000", SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	days := int64(1)
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", RotationLambdaARN: fn, RotationRules: &store.RotationRules{AutomaticallyAfterDays: &days},
		RotateImmediately: new(bool)}); err != nil {
		t.Fatal(err)
	}
	st.Wait()
	mu.Lock()
	steps = nil // the testSecret of RotateImmediately false
	mu.Unlock()
	now.Add(int64(49 * time.Hour)) // past the next window's opening
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go runDue(ctx, st, time.Millisecond)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		started := len(steps) > 0 && steps[0] == store.StepCreate
		mu.Unlock()
		if started {
			cancel()
			st.Wait()
			return
		}
	}
	t.Fatal("runDue started no rotation of a secret whose window had opened")
}
