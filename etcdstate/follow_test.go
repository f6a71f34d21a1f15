package etcdstate_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/etcdstate"
	"github.com/stagelabel/stagelabel/store"
)

// storeOn returns a store on a DB of its own client of endpoints, as an
// emulator process is, with the DB's options; both closed when the test
// ends.
func storeOn(t testing.TB, endpoints []string, prefix string, opts ...etcdstate.Option) *store.Store {
	t.Helper()
	return storeWith(t, endpoints, prefix, nil, opts...)
}

// storeWith is storeOn with the store's options.
func storeWith(t testing.TB, endpoints []string, prefix string, storeOpts []store.Option, opts ...etcdstate.Option) *store.Store {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	db, err := etcdstate.Open(ctx(t), cli, prefix, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := store.Open(db, storeOpts...)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// versions returns the labels of each version of secret name in st, by
// version id, failing the test on an error.
func versions(t testing.TB, st *store.Store, name string) map[string][]string {
	t.Helper()
	d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: name})
	if err != nil {
		t.Fatalf("DescribeSecret(%s): %v", name, err)
	}
	return d.VersionIdsToStages
}

func token(n int) string { return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n) }

// TestReadOthersWrites checks that a store on the cluster answers at once
// what another store, on its own client, did (docs/semantics.md §ST8): a
// creation, a put, a label move, a deletion scheduled and cancelled, a
// removal, and a creation again, each read by the other store right after
// the first answered, ListSecrets included.
func TestReadOthersWrites(t *testing.T) {
	t.Parallel()
	endpoint := startEtcd(t)
	a, b := storeOn(t, []string{endpoint}, "others/"), storeOn(t, []string{endpoint}, "others/")
	value := "v"
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: token(0), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, b, "db"); len(got) != 1 {
		t.Errorf("versions on b after a's CreateSecret = %v; want one", got)
	}
	if _, err := b.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: token(1), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, a, "db"); len(got[token(1)]) != 1 || got[token(1)][0] != "AWSCURRENT" {
		t.Errorf("versions on a after b's PutSecretValue = %v; want %s current", got, token(1))
	}
	if _, err := a.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "X", MoveToVersionId: token(0)}); err != nil {
		t.Fatal(err)
	}
	if got, err := b.GetSecretValue(store.GetSecretValueInput{SecretId: "db", VersionStage: "X"}); err != nil || got.VersionId != token(0) {
		t.Errorf("GetSecretValue(X) on b after a moved X = %+v, %v; want %s", got.VersionId, err, token(0))
	}
	if _, err := b.DeleteSecret(store.DeleteSecretInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); !errors.Is(err, stagelabel.ErrInvalidRequest) {
		t.Errorf("GetSecretValue on a after b's DeleteSecret = %v; want InvalidRequestException", err)
	}
	if _, err := a.RestoreSecret(store.RestoreSecretInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	if l, err := b.ListSecrets(store.ListSecretsInput{}); err != nil || len(l.SecretList) != 1 {
		t.Errorf("ListSecrets on b after a's RestoreSecret = %d secrets, %v; want 1", len(l.SecretList), err)
	}
	if _, err := a.DeleteSecret(store.DeleteSecretInput{SecretId: "db", ForceDeleteWithoutRecovery: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !errors.Is(err, stagelabel.ErrResourceNotFound) {
		t.Errorf("DescribeSecret on b after a removed it = %v; want ResourceNotFoundException", err)
	}
	if _, err := b.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: token(2), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: token(3), SecretString: &value}); !errors.Is(err, stagelabel.ErrResourceExists) {
		t.Errorf("CreateSecret on a of the name b created again = %v; want ResourceExistsException", err)
	}
	if got := versions(t, a, "db"); len(got) != 1 || got[token(2)] == nil {
		t.Errorf("versions on a of the secret b created again = %v; want %s only", got, token(2))
	}
}

// eventually calls f until it returns nil, for at most d, and returns its
// last error.
func eventually(d time.Duration, f func() error) error {
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCompactedWhileAway checks a store whose watch breaks (its only
// member stopped) while the others change secrets and the cluster
// compacts its history: when the member is back, the watch cannot resume
// where it was, so the DB reads the prefix again and feeds every
// difference: a secret created, one changed, one removed.
func TestCompactedWhileAway(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a three-member cluster")
	}
	members, endpoints := startCluster(t)
	const prefix = "compacted/"
	a := storeOn(t, endpoints[1:], prefix)
	value := "v"
	for _, name := range []string{"kept", "gone"} {
		if _, err := a.CreateSecret(store.CreateSecretInput{Name: name, ClientRequestToken: token(0), SecretString: &value}); err != nil {
			t.Fatal(err)
		}
	}
	b := storeOn(t, endpoints[:1], prefix, etcdstate.WithTimeout(time.Second))
	if got := versions(t, b, "gone"); len(got) != 1 {
		t.Fatalf("versions of gone on b = %v; want one", got)
	}

	members[0].stop()
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "new", ClientRequestToken: token(0), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PutSecretValue(store.PutSecretValueInput{SecretId: "kept", ClientRequestToken: token(1), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DeleteSecret(store.DeleteSecretInput{SecretId: "gone", ForceDeleteWithoutRecovery: true}); err != nil {
		t.Fatal(err)
	}
	cli := client(t, endpoints[1])
	resp, err := cli.Get(ctx(t), "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Compact(ctx(t), resp.Header.Revision); err != nil {
		t.Fatal(err)
	}
	members[0].restart(t)

	err = eventually(15*time.Second, func() error {
		_, err := b.DescribeSecret(store.DescribeSecretInput{SecretId: "new"})
		return err
	})
	if err != nil {
		t.Fatalf("DescribeSecret on b of the secret created while it was away: %v", err)
	}
	if got := versions(t, b, "kept"); len(got) != 2 {
		t.Errorf("versions of kept on b = %v; want two", got)
	}
	if _, err := b.DescribeSecret(store.DescribeSecretInput{SecretId: "gone"}); !errors.Is(err, stagelabel.ErrResourceNotFound) {
		t.Errorf("DescribeSecret on b of the secret removed while it was away = %v; want ResourceNotFoundException", err)
	}
	if l, err := b.ListSecrets(store.ListSecretsInput{}); err != nil || len(l.SecretList) != 2 {
		t.Errorf("ListSecrets on b = %d secrets, %v; want 2", len(l.SecretList), err)
	}
}

// TestQuorumLost checks a store on a three-member cluster with two
// members stopped: a change and a read are refused, InternalServiceError,
// within the DB's timeout and a little, and nothing is written; once the
// members are back, both work again (docs/semantics.md §ST9).
func TestQuorumLost(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a three-member cluster")
	}
	members, endpoints := startCluster(t)
	const timeout = time.Second
	st := storeOn(t, endpoints, "quorum/", etcdstate.WithTimeout(timeout))
	value := "v"
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: token(0), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	members[1].stop()
	members[2].stop()

	start := time.Now()
	_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: token(1), SecretString: &value})
	if took := time.Since(start); !errors.Is(err, stagelabel.ErrInternalService) || took > 3*timeout {
		t.Errorf("PutSecretValue without quorum = %v after %v; want InternalServiceError within %v", err, took, 3*timeout)
	}
	if _, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); !errors.Is(err, stagelabel.ErrInternalService) {
		t.Errorf("GetSecretValue without quorum = %v; want InternalServiceError", err)
	}

	members[1].restart(t)
	members[2].restart(t)
	err = eventually(15*time.Second, func() error {
		_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: token(2), SecretString: &value})
		return err
	})
	if err != nil {
		t.Fatalf("PutSecretValue once quorum is back: %v", err)
	}
	got := versions(t, st, "db")
	if _, ok := got[token(1)]; ok || got[token(2)] == nil {
		t.Errorf("versions once quorum is back = %v; want %s, not the refused %s", got, token(2), token(1))
	}
}

// TestLocalReads checks a store with store.WithLocalReads: its reads,
// answered from its copy, see another store's change once the watch has
// passed it, without an operation of its own to sync
// (docs/semantics.md §ST10).
func TestLocalReads(t *testing.T) {
	t.Parallel()
	endpoint := startEtcd(t)
	a := storeOn(t, []string{endpoint}, "local/")
	b := storeWith(t, []string{endpoint}, "local/", []store.Option{store.WithLocalReads()})
	value := "v"
	if _, err := a.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: token(0), SecretString: &value}); err != nil {
		t.Fatal(err)
	}
	err := eventually(5*time.Second, func() error {
		_, err := b.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
		return err
	})
	if err != nil {
		t.Errorf("DescribeSecret with local reads of another's secret, within 5 s: %v", err)
	}
}
