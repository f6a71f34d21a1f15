package conformance_test

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/store"
)

// namespaces are the accounts and regions of TestNamespaces: two regions
// and two accounts, each account's access key id its own 12 digits, as
// the handler takes a 12-digit key id for the caller's account [M].
var namespaces = []awsjson.Identity{
	{Account: "111111111111", Region: "us-east-1"},
	{Account: "222222222222", Region: "us-east-1"},
	{Account: "111111111111", Region: "eu-west-1"},
	{Account: "222222222222", Region: "eu-west-1"},
}

// newNamespacedClients starts a server whose handler serves each request
// from the namespace of its signature's account and region, built as the
// emulator builds it (a default identity for requests without a
// signature, Store.In for each), and returns the store and an SDK client
// for each identity, signing with the account as its access key id.
func newNamespacedClients(t *testing.T) (*store.Store, map[awsjson.Identity]*secretsmanager.Client) {
	t.Helper()
	st := store.New(store.WithClock(func() time.Time { return t0 }))
	h := awsjson.New(st, awsjson.WithIdentity(awsjson.Identity{Account: "123456789012", Region: "us-east-1"},
		func(id awsjson.Identity) (*store.Store, error) {
			return st.In(store.Namespace{Account: id.Account, Region: id.Region})
		}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	clients := map[awsjson.Identity]*secretsmanager.Client{}
	for _, id := range namespaces {
		clients[id] = signedClient(srv.URL, id.Region, id.Account, "SECRET", "")
	}
	return st, clients
}

// TestNamespaces checks, through the SDK, that each account and region
// keeps its own secrets (§N13): one name created by clients of two
// regions and two accounts is four secrets, each ARN naming its
// namespace; ListSecrets and GetSecretValue by name see the caller's own;
// a full ARN of another account in the caller's region finds that
// account's secret, one of another region finds nothing (§N11); and
// BatchGetSecretValue reads each id as GetSecretValue does.
func TestNamespaces(t *testing.T) {
	t.Parallel()
	st, clients := newNamespacedClients(t)
	ctx := t.Context()

	arns := map[awsjson.Identity]string{}
	for _, id := range namespaces {
		arn := mustCreate(t, clients[id], "shared/db", v1, id.Region+"/"+id.Account)
		want := `^arn:aws:secretsmanager:` + regexp.QuoteMeta(id.Region+":"+id.Account) + `:secret:shared/db-[A-Za-z0-9]{6}$`
		if !regexp.MustCompile(want).MatchString(arn) {
			t.Errorf("CreateSecret(shared/db) as %v: ARN %s, want %s", id, arn, want)
		}
		arns[id] = arn
	}
	only := namespaces[0]
	onlyARN := mustCreate(t, clients[only], "only/here", v1, "alone")
	if n := len(st.Snapshot().Secrets); n != len(namespaces)+1 {
		t.Errorf("the store holds %d secrets, want one shared/db in each namespace and only/here: %d", n, len(namespaces)+1)
	}

	for _, id := range namespaces {
		c := clients[id]
		t.Run(fmt.Sprintf("%s/%s", id.Region, id.Account), func(t *testing.T) {
			out, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			if err != nil {
				t.Fatalf("ListSecrets() = %v", err)
			}
			var listed []string
			for _, e := range out.SecretList {
				listed = append(listed, aws.ToString(e.ARN))
			}
			want := []string{arns[id]}
			if id == only {
				want = append(want, onlyARN)
			}
			if diff := cmp.Diff(want, listed, cmpopts.SortSlices(strings.Compare)); diff != "" {
				t.Errorf("ListSecrets() lists other than its own namespace's (-want +got):\n%s", diff)
			}

			got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("shared/db")})
			if err != nil {
				t.Fatalf("GetSecretValue(shared/db) = %v", err)
			}
			if diff := cmp.Diff([]string{arns[id], id.Region + "/" + id.Account},
				[]string{aws.ToString(got.ARN), aws.ToString(got.SecretString)}); diff != "" {
				t.Errorf("GetSecretValue(shared/db) is not its own namespace's secret (-want +got):\n%s", diff)
			}
			if id != only {
				_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("only/here")})
				checkError(t, err, "ResourceNotFoundException", msgNoSecret)
			}

			for _, other := range namespaces {
				if other == id {
					continue
				}
				got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arns[other])})
				if other.Region != id.Region {
					checkError(t, err, "ResourceNotFoundException", msgNoSecret)
					continue
				}
				if err != nil {
					t.Errorf("GetSecretValue(ARN of account %s, same region) = %v, want that account's secret", other.Account, err)
					continue
				}
				if diff := cmp.Diff([]string{arns[other], other.Region + "/" + other.Account},
					[]string{aws.ToString(got.ARN), aws.ToString(got.SecretString)}); diff != "" {
					t.Errorf("GetSecretValue(ARN of account %s, same region) mismatch (-want +got):\n%s", other.Account, diff)
				}
			}
		})
	}

	// BatchGetSecretValue in one namespace: its own secret by name, another
	// account's of the region by ARN, another region's ARN an error entry;
	// by filters, its own secrets only.
	us2, eu1 := namespaces[1], namespaces[2]
	reads, errs := batch(t, clients[us2], &secretsmanager.BatchGetSecretValueInput{
		SecretIdList: []string{"shared/db", arns[only], arns[eu1], "only/here"},
	})
	wantReads := []read{
		{"shared/db", v1, "us-east-1/222222222222", []string{"AWSCURRENT"}},
		{"shared/db", v1, "us-east-1/111111111111", []string{"AWSCURRENT"}},
	}
	if diff := cmp.Diff(wantReads, reads); diff != "" {
		t.Errorf("BatchGetSecretValue(SecretIdList) SecretValues mismatch (-want +got):\n%s", diff)
	}
	wantErrs := []apiErrorEntry{
		{arns[eu1], "ResourceNotFoundException", msgNoSecret},
		{"only/here", "ResourceNotFoundException", msgNoSecret},
	}
	if diff := cmp.Diff(wantErrs, errs); diff != "" {
		t.Errorf("BatchGetSecretValue(SecretIdList) Errors mismatch (-want +got):\n%s", diff)
	}
	reads, errs = batch(t, clients[us2], &secretsmanager.BatchGetSecretValueInput{
		Filters: []types.Filter{{Key: types.FilterNameStringTypeAll, Values: []string{"db"}}},
	})
	if diff := cmp.Diff([]read{{"shared/db", v1, "us-east-1/222222222222", []string{"AWSCURRENT"}}}, reads); diff != "" {
		t.Errorf("BatchGetSecretValue(Filters) reads other than its own namespace's (-want +got):\n%s", diff)
	}
	if len(errs) != 0 {
		t.Errorf("BatchGetSecretValue(Filters) Errors = %v, want none", errs)
	}
}
