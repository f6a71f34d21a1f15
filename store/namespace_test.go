package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

// TestNamespaces holds that each account and region keeps its own secrets
// (docs/semantics.md §N): one name is a secret in each, each ARN names its
// namespace, ListSecrets sees its own, and the state of every namespace
// survives a restart on one backend.
func TestNamespaces(t *testing.T) {
	var b storetest.Memory
	first, err := store.Open(&b, store.WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	west := in(t, first, store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	other := in(t, first, store.Namespace{Account: "210987654321", Region: "us-east-1"})
	if again := in(t, first, west.Namespace()); again != west {
		t.Error("In() of one namespace twice gave two stores")
	}
	arns := map[*store.Store]string{}
	for i, st := range []*store.Store{first, west, other} {
		arns[st] = create(t, st, "db", i+1).ARN
	}
	for st, arn := range arns {
		ns := st.Namespace()
		if want := "arn:aws:secretsmanager:" + ns.Region + ":" + ns.Account + ":secret:db-"; !strings.HasPrefix(arn, want) {
			t.Errorf("ARN in %v = %s, want %s…", ns, arn, want)
		}
		got, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
		if err != nil || got.ARN != arn {
			t.Errorf("GetSecretValue(db) in %v = %v, %v; want its own secret %s", ns, got.ARN, err, arn)
		}
		list, _ := st.ListSecrets(store.ListSecretsInput{})
		if len(list.SecretList) != 1 || list.SecretList[0].ARN != arn {
			t.Errorf("ListSecrets in %v = %v, want its own secret alone", ns, list.SecretList)
		}
	}
	if n := len(first.Snapshot().Secrets); n != 3 {
		t.Errorf("Snapshot() holds %d secrets, want those of every namespace: 3", n)
	}

	// A full ARN of another account of the region is looked up there, as
	// AWS resolves a caller's ARN of another account [D]; of another
	// region, it is not found [M].
	if got, err := first.DescribeSecret(store.DescribeSecretInput{SecretId: arns[other]}); err != nil || got.ARN != arns[other] {
		t.Errorf("DescribeSecret(ARN of another account) = %v, %v; want that secret", got.ARN, err)
	}
	_, err = first.DescribeSecret(store.DescribeSecretInput{SecretId: arns[west]})
	check.Err(t, err, stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret.")

	// A restart on the same backend finds each secret in its namespace.
	reopened, err := store.Open(&b, store.WithRegion("ap-south-1"))
	if err != nil {
		t.Fatal(err)
	}
	for st, arn := range arns {
		home := in(t, reopened, st.Namespace())
		if got, err := home.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); err != nil || got.ARN != arn {
			t.Errorf("after a restart, DescribeSecret(db) in %v = %v, %v; want %s", st.Namespace(), got.ARN, err, arn)
		}
	}
	if _, err := reopened.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); err == nil {
		t.Error("a namespace with no secret found one")
	}

	for _, bad := range []store.Namespace{{"", "us-east-1"}, {"123456789012", ""}, {"1:2", "us-east-1"}, {"123456789012", "us:east"}} {
		if _, err := first.In(bad); err == nil {
			t.Errorf("In(%v) = nil error, want one", bad)
		}
	}
}

// in returns the store of namespace ns beside st.
func in(t *testing.T, st *store.Store, ns store.Namespace) *store.Store {
	t.Helper()
	s, err := st.In(ns)
	if err != nil {
		t.Fatalf("In(%v): %v", ns, err)
	}
	return s
}
