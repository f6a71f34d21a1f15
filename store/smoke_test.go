package store_test

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/store"
)

// clock is a settable clock for tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var t0 = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

// newStore returns an empty store on a test clock starting at t0, with
// ARNs drawn from a seeded source.
func newStore(opts ...store.Option) (*store.Store, *clock) {
	c := &clock{now: t0}
	base := []store.Option{store.WithClock(c.Now), store.WithRandom(rand.NewChaCha8([32]byte{}))}
	return store.New(append(base, opts...)...), c
}

func ptr[T any](v T) *T { return &v }

func TestSmoke(t *testing.T) {
	st, _ := newStore()
	out, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), SecretString: ptr("one")})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out)
	get, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: out.ARN})
	if err != nil || *get.SecretString != "one" {
		t.Fatal(get, err)
	}
}
