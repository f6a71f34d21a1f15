package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// TestConcurrentLifecycle races creation, deletion, restoration and use of
// the same names from many goroutines: nothing panics, every failure is an
// AWS error, and every secret listed afterwards is found by its ARN.
// With a backend, the backend holds afterwards what the store does.
func TestConcurrentLifecycle(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		st, _ := newStore()
		raceLifecycle(t, st)
	})
	t.Run("backend", func(t *testing.T) {
		mem := &storetest.Memory{}
		st, c := openStore(t, mem)
		raceLifecycle(t, st)
		if diff := cmp.Diff(st.Snapshot(), reopened(t, mem, c), exact); diff != "" {
			t.Errorf("backend differs from the store (-store +backend):\n%s", diff)
		}
	})
}

// openStore returns a store on backend b, on a test clock starting at t0.
func openStore(t *testing.T, b store.Backend) (*store.Store, *clock) {
	t.Helper()
	c := &clock{now: t0}
	st, err := store.Open(b, store.WithClock(c.Now), store.WithRandom(rand.NewChaCha8([32]byte{})))
	if err != nil {
		t.Fatal(err)
	}
	return st, c
}

func raceLifecycle(t *testing.T, st *store.Store) {
	names := []string{"a", "b"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range 300 {
				name := names[r.IntN(len(names))]
				var err error
				switch r.IntN(6) {
				case 0:
					_, err = st.CreateSecret(store.CreateSecretInput{Name: name, ClientRequestToken: tok(g*1000 + i), SecretString: ptr("v")})
				case 1:
					_, err = st.DeleteSecret(store.DeleteSecretInput{SecretId: name, ForceDeleteWithoutRecovery: r.IntN(2) == 0})
				case 2:
					_, err = st.RestoreSecret(store.RestoreSecretInput{SecretId: name})
				case 3:
					_, err = st.PutSecretValue(store.PutSecretValueInput{SecretId: name, ClientRequestToken: tok(g*1000 + i), SecretString: ptr(fmt.Sprint(i))})
				case 4:
					_, err = st.GetSecretValue(store.GetSecretValueInput{SecretId: name})
				case 5:
					_, err = st.ListSecrets(store.ListSecretsInput{IncludePlannedDeletion: true})
				}
				var e *stagelabel.Error
				if err != nil && !errors.As(err, &e) {
					t.Errorf("untyped error %v", err)
				}
			}
		})
	}
	wg.Wait()
	l, err := st.ListSecrets(store.ListSecretsInput{IncludePlannedDeletion: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range l.SecretList {
		if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: e.ARN}); err != nil {
			t.Errorf("listed secret %s not found by its ARN: %v", e.ARN, err)
		}
	}
}

// steppedClock answers before until it is stepped, then after to the
// first call and to every later one.
type steppedClock struct {
	stepped       atomic.Bool
	calls         atomic.Int64
	before, after time.Time
}

func (c *steppedClock) Now() time.Time {
	if !c.stepped.Load() || c.calls.Add(1) == 1 {
		return c.before
	}
	return c.after
}

// TestRestoreRacesExpiry races a RestoreSecret and a CreateSecret of the
// same name across the end of the recovery window: the clock's first
// reading after the step is still inside the window, every later one past
// it. Whatever the order, an acknowledged restore must not be lost: the
// secret the name holds afterwards is the one the restore answered with.
func TestRestoreRacesExpiry(t *testing.T) {
	for i := range 300 {
		c := &steppedClock{before: t0}
		st := store.New(store.WithClock(c.Now))
		if i%2 == 1 {
			var err error
			if st, err = store.Open(&storetest.Memory{}, store.WithClock(c.Now)); err != nil {
				t.Fatal(err)
			}
		}
		create(t, st, "db", 1)
		del, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "db", RecoveryWindowInDays: ptr(int64(7))})
		if err != nil {
			t.Fatal(err)
		}
		c.before, c.after = del.DeletionDate.Add(-time.Nanosecond), del.DeletionDate.Time
		c.stepped.Store(true)
		var restored store.RestoreSecretOutput
		var restoreErr error
		var wg sync.WaitGroup
		wg.Go(func() { restored, restoreErr = st.RestoreSecret(store.RestoreSecretInput{SecretId: "db"}) })
		wg.Go(func() {
			st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(2), SecretString: ptr("new")})
		})
		wg.Wait()
		if restoreErr != nil {
			continue
		}
		d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
		if err != nil || d.ARN != restored.ARN {
			t.Fatalf("RestoreSecret answered %s, but the name holds %q (%v): the restore was lost", restored.ARN, d.ARN, err)
		}
	}
}

// TestWritersOfOneSecret races writers of one secret on a store with a
// backend: they take turns, so none meets a conflict in the backend (which
// would be InternalServiceError), every write is kept, and the backend
// holds what the store does.
func TestWritersOfOneSecret(t *testing.T) {
	mem := &storetest.Memory{}
	st, c := openStore(t, mem)
	create(t, st, "db", 0)
	const writers, writes = 8, 40
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range writes {
				n := 1 + w*writes + i
				_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(n), SecretString: ptr("v")})
				if err == nil && i%2 == 1 {
					_, err = st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: fmt.Sprint("W", w), MoveToVersionId: tok(n),
						RemoveFromVersionId: func() string {
							if i == 1 {
								return ""
							}
							return tok(n - 2)
						}()})
				}
				if err != nil {
					t.Errorf("writer %d, write %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	s, err := st.Export("db")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.Versions)+len(s.Pruned), 1+writers*writes; got != want {
		t.Errorf("%d versions kept, want %d", got, want)
	}
	if diff := cmp.Diff(st.Snapshot(), reopened(t, mem, c), exact); diff != "" {
		t.Errorf("backend differs from the store (-store +backend):\n%s", diff)
	}
}

// gated is a backend whose commits of a new secret wait at the gate: it
// signals entered, then returns what release gives (nil: commit).
type gated struct {
	storetest.Memory
	entered chan struct{}
	release chan error
}

func (g *gated) Commit(c store.Change) (store.Revision, error) {
	if c.Prev == 0 {
		g.entered <- struct{}{}
		if err := <-g.release; err != nil {
			return 0, err
		}
	}
	return g.Memory.Commit(c)
}

// TestCreationInFlight checks a secret whose creation the backend has not
// committed yet: readers do not find it, and a CreateSecret of the same
// name waits for the outcome rather than answer before it: when the first
// creation fails, the second creates the secret.
func TestCreationInFlight(t *testing.T) {
	g := &gated{entered: make(chan struct{}), release: make(chan error)}
	st, _ := openStore(t, g)
	first := make(chan error, 1)
	go func() {
		_, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), SecretString: ptr("first")})
		first <- err
	}()
	<-g.entered
	if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !errors.Is(err, stagelabel.ErrResourceNotFound) {
		t.Errorf("DescribeSecret of a secret whose creation is not committed: %v; want ResourceNotFoundException", err)
	}
	if l, _ := st.ListSecrets(store.ListSecretsInput{}); len(l.SecretList) != 0 {
		t.Errorf("ListSecrets lists a secret whose creation is not committed: %v", l.SecretList)
	}
	second := make(chan error, 1)
	go func() {
		_, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(2), SecretString: ptr("second")})
		second <- err
	}()
	time.Sleep(20 * time.Millisecond) // time for the second to meet the first (if it does not, the test proves less, never fails)
	select {
	case err := <-second:
		t.Fatalf("CreateSecret answered %v while the same name's creation was in flight", err)
	default:
	}
	g.release <- errors.New("disk full")
	if err := <-first; !errors.Is(err, stagelabel.ErrInternalService) {
		t.Fatalf("first CreateSecret: %v; want InternalServiceError", err)
	}
	<-g.entered
	g.release <- nil
	if err := <-second; err != nil {
		t.Fatalf("second CreateSecret, after the first failed: %v", err)
	}
	out, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
	if err != nil || *out.SecretString != "second" {
		t.Errorf("GetSecretValue = %v, %v; want the second's value", out, err)
	}
}
