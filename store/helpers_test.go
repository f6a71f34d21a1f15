package store_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/store"
)

// tok returns the ClientRequestToken (and version id) number n.
func tok(n int) string { return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n) }

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
// ARNs drawn from a seeded source, whose rotations are left to the test
// (WithManualRotation) unless opts give an invoker.
func newStore(opts ...store.Option) (*store.Store, *clock) {
	c := &clock{now: t0}
	base := []store.Option{store.WithClock(c.Now), store.WithRandom(rand.NewChaCha8([32]byte{})), store.WithManualRotation()}
	return store.New(append(base, opts...)...), c
}

// fn is the ARN of a rotation function.
const fn = "arn:aws:lambda:us-east-1:123456789012:function:rotate"

func ptr[T any](v T) *T { return &v }

// fataler is what the helpers use of *testing.T and *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// create makes secret name with the string value of token n, failing t on
// error.
func create(t testing.TB, st *store.Store, name string, n int) store.CreateSecretOutput {
	t.Helper()
	out, err := st.CreateSecret(store.CreateSecretInput{Name: name, ClientRequestToken: tok(n), SecretString: ptr(fmt.Sprint("value ", n))})
	if err != nil {
		t.Fatalf("CreateSecret(%s): %v", name, err)
	}
	return out
}

// put adds version n with the string value "value n" and the given stages.
func put(t testing.TB, st *store.Store, id string, n int, stages ...string) store.PutSecretValueOutput {
	t.Helper()
	out, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: id, ClientRequestToken: tok(n),
		SecretString: ptr(fmt.Sprint("value ", n)), VersionStages: stages})
	if err != nil {
		t.Fatalf("PutSecretValue(%s, %d): %v", id, n, err)
	}
	return out
}

// stages returns DescribeSecret's VersionIdsToStages of id.
func stages(t testing.TB, st *store.Store, id string) map[string][]string {
	t.Helper()
	d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: id})
	if err != nil {
		t.Fatalf("DescribeSecret(%s): %v", id, err)
	}
	return d.VersionIdsToStages
}

// versionIDs lists every version id of secret id, deprecated ones
// included, through all pages.
func versionIDs(t fataler, st *store.Store, id string) []string {
	t.Helper()
	var ids []string
	token := ""
	for {
		p, err := st.ListSecretVersionIds(store.ListSecretVersionIdsInput{SecretId: id, IncludeDeprecated: true, NextToken: token})
		if err != nil {
			t.Fatalf("ListSecretVersionIds(%s): %v", id, err)
		}
		for _, v := range p.Versions {
			ids = append(ids, v.VersionId)
		}
		if token = p.NextToken; token == "" {
			return ids
		}
	}
}

// listed returns the names ListSecrets gives for in, through all pages.
func listed(t fataler, st *store.Store, in store.ListSecretsInput) []string {
	t.Helper()
	names := []string{}
	for {
		out, err := st.ListSecrets(in)
		if err != nil {
			t.Fatalf("ListSecrets(%+v): %v", in, err)
		}
		for _, e := range out.SecretList {
			names = append(names, e.Name)
		}
		if in.NextToken = out.NextToken; in.NextToken == "" {
			return names
		}
	}
}
