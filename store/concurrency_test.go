package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/store"
)

// TestConcurrentLifecycle races creation, deletion, restoration and use of
// the same names from many goroutines: nothing panics, every failure is an
// AWS error, and a name never ends up holding two secrets.
func TestConcurrentLifecycle(t *testing.T) {
	st, _ := newStore()
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
	seen := map[string]bool{}
	for _, e := range l.SecretList {
		if seen[e.Name] {
			t.Errorf("two secrets named %s", e.Name)
		}
		seen[e.Name] = true
		if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: e.ARN}); err != nil {
			t.Errorf("listed secret %s not found by its ARN: %v", e.ARN, err)
		}
	}
}
