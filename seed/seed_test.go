package seed_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/seed"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
)

var t0 = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

// opts are the options of the stores of these tests: a fixed clock and
// random source.
func opts() []store.Option {
	return []store.Option{store.WithClock(func() time.Time { return t0 }), store.WithRandom(rand.NewChaCha8([32]byte{}))}
}

// docFile is the file of the package's doc.
const docFile = `{
  "Secrets": [
    {"Name": "prod/db", "SecretString": "{\"user\":\"app\",\"password\":\"s3cret\"}",
     "Description": "the app's database", "Tags": [{"Key": "team", "Value": "payments"}]},
    {"Name": "prod/tls-key", "SecretBinary": "AAECAwQ="},
    {"Name": "prod/api-key", "Region": "eu-west-1", "Account": "111122223333",
     "Versions": [
       {"SecretString": "old", "VersionStages": ["AWSPREVIOUS"]},
       {"VersionId": "b3c1e0a2-0000-4000-8000-000000000002", "SecretString": "new", "VersionStages": ["AWSCURRENT"]},
       {"SecretString": "next", "VersionStages": ["AWSPENDING"]}
     ]}
  ]
}`

func read(t *testing.T, text string) seed.File {
	t.Helper()
	f, err := seed.Read(strings.NewReader(text))
	if err != nil {
		t.Fatalf("Read() = %v", err)
	}
	return f
}

func TestApply(t *testing.T) {
	st := store.New(opts()...)
	res, err := seed.Apply(st, read(t, docFile), opts()...)
	if err != nil {
		t.Fatalf("Apply() = %v", err)
	}
	if len(res.Created) != 3 || len(res.Kept) != 0 {
		t.Errorf("Apply() = %+v, want 3 created", res)
	}

	db, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "prod/db"})
	if err != nil || *db.SecretString != `{"user":"app","password":"s3cret"}` {
		t.Errorf("GetSecretValue(prod/db) = %v, %v", db, err)
	}
	d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "prod/db"})
	if d.Description != "the app's database" || !cmp.Equal(d.Tags, []store.Tag{{Key: "team", Value: "payments"}}) || !d.CreatedDate.Equal(t0) {
		t.Errorf("DescribeSecret(prod/db) = %+v", d)
	}
	key, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "prod/tls-key"})
	if err != nil || string(key.SecretBinary) != "\x00\x01\x02\x03\x04" {
		t.Errorf("GetSecretValue(prod/tls-key) = %v, %v; want its binary", key.SecretBinary, err)
	}

	west, _ := st.In(store.Namespace{Account: "111122223333", Region: "eu-west-1"})
	api, err := west.DescribeSecret(store.DescribeSecretInput{SecretId: "prod/api-key"})
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{}
	for id, ls := range api.VersionIdsToStages {
		for _, l := range ls {
			v, err := west.GetSecretValue(store.GetSecretValueInput{SecretId: "prod/api-key", VersionId: id})
			if err != nil {
				t.Fatal(err)
			}
			labels[l] = *v.SecretString
		}
	}
	if diff := cmp.Diff(map[string]string{"AWSPREVIOUS": "old", "AWSCURRENT": "new", "AWSPENDING": "next"}, labels); diff != "" {
		t.Errorf("prod/api-key's labels mismatch (-want +got):\n%s", diff)
	}
	if _, ok := api.VersionIdsToStages["b3c1e0a2-0000-4000-8000-000000000002"]; !ok {
		t.Errorf("prod/api-key's versions %v: want the file's VersionId", api.VersionIdsToStages)
	}

	// The same file gives the same version ids in another store.
	again := store.New()
	if _, err := seed.Apply(again, read(t, docFile)); err != nil {
		t.Fatal(err)
	}
	a, _ := st.Export("prod/db")
	b, _ := again.Export("prod/db")
	if a.Versions[0].VersionId != b.Versions[0].VersionId {
		t.Errorf("version ids of one file in two stores: %s and %s, want one", a.Versions[0].VersionId, b.Versions[0].VersionId)
	}
}

// TestLabels checks that the versions of a file carry exactly its labels,
// whatever the moves that make them.
func TestLabels(t *testing.T) {
	type v struct {
		value  string
		labels []string
	}
	tests := []struct {
		name     string
		versions []v
	}{
		{"current only", []v{{"a", []string{"AWSCURRENT"}}}},
		{"previous and current", []v{{"a", []string{"AWSPREVIOUS"}}, {"b", []string{"AWSCURRENT"}}}},
		{"mid-rotation: current then pending", []v{{"a", []string{"AWSCURRENT"}}, {"b", []string{"AWSPENDING"}}}},
		{"current on the oldest", []v{{"a", []string{"AWSCURRENT", "AWSPENDING"}}, {"b", nil}, {"c", []string{"AWSPREVIOUS"}}}},
		{"deprecated versions, put with PutSecretValue's default", []v{{"a", nil}, {"b", nil}, {"c", []string{"AWSCURRENT"}}}},
		{"no AWSPREVIOUS though current moved", []v{{"a", nil}, {"b", []string{"AWSCURRENT"}}}},
		{"labels of one's own", []v{{"a", []string{"blue"}}, {"b", []string{"AWSCURRENT", "green"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := seed.Secret{Name: "s"}
			want := map[string]string{}
			for i, x := range tt.versions {
				id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i+1)
				s.Versions = append(s.Versions, seed.Version{VersionId: id, SecretString: &x.value, VersionStages: x.labels})
				for _, l := range x.labels {
					want[l] = id
				}
			}
			st := store.New()
			if _, err := seed.Apply(st, seed.File{Secrets: []seed.Secret{s}}); err != nil {
				t.Fatalf("Apply() = %v", err)
			}
			snap, _ := st.Export("s")
			if diff := cmp.Diff(want, snap.Labels); diff != "" {
				t.Errorf("labels mismatch (-want +got):\n%s", diff)
			}
			if len(snap.Versions) != len(tt.versions) {
				t.Errorf("%d versions, want %d", len(snap.Versions), len(tt.versions))
			}
		})
	}
}

// TestApplyKeeps checks that a secret the store holds is left as it is,
// a change made since included, and the others are created.
func TestApplyKeeps(t *testing.T) {
	st := store.New()
	f := read(t, `{"Secrets": [{"Name": "a", "SecretString": "seeded"}]}`)
	if _, err := seed.Apply(st, f); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "a", ClientRequestToken: "22222222-2222-4222-8222-222222222222", SecretString: new("changed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "a"}); err != nil { // scheduled: still held
		t.Fatal(err)
	}
	f = read(t, `{"Secrets": [{"Name": "a", "SecretString": "seeded"}, {"Name": "b"}]}`)
	res, err := seed.Apply(st, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Kept) != 1 || !strings.Contains(res.Kept[0], ":secret:a-") || len(res.Created) != 1 || !strings.Contains(res.Created[0], ":secret:b-") {
		t.Errorf("Apply() = %+v, want a kept and b created", res)
	}
	if _, err := st.RestoreSecret(store.RestoreSecretInput{SecretId: "a"}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.GetSecretValue(store.GetSecretValueInput{SecretId: "a"})
	if *got.SecretString != "changed" {
		t.Errorf("a = %q after a second Apply(), want the change made since", *got.SecretString)
	}
	b, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "b"})
	if err != nil || b.VersionIdsToStages != nil {
		t.Errorf("DescribeSecret(b) = %v, %v; want a secret without versions", b, err)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, file string
		want       string // in the error
	}{
		{"empty", ``, "empty"},
		{"not JSON", "{\n  \"Secrets\": [\n    {\"Name\": }\n  ]\n}", "line 3, column 14"},
		{"a member the format does not know", `{"Secrets": [{"Name": "a", "Value": "v"}]}`, `unknown field "Value"`},
		{"a member's type", `{"Secrets": [{"Name": 1}]}`, "line 1, column 23"},
		{"binary not base64", `{"Secrets": [{"Name": "a", "SecretBinary": "%%%"}]}`, "base64"},
		{"more after the object", `{"Secrets": []} {}`, "more after"},
		{"no name", `{"Secrets": [{"SecretString": "v"}]}`, "secret 1: no Name"},
		{"a region not shaped as AWS's", `{"Secrets": [{"Name": "a", "Region": "Mars"}]}`, `secret 1 ("a"): member Region "Mars"`},
		{"an account not of 12 digits", `{"Secrets": [{"Name": "a", "Account": "123"}]}`, `Account "123"`},
		{"two values", `{"Secrets": [{"Name": "a", "SecretString": "v", "SecretBinary": "AA=="}]}`, "both SecretString and SecretBinary"},
		{"a value and versions", `{"Secrets": [{"Name": "a", "SecretString": "v", "Versions": [{"SecretString": "w", "VersionStages": ["AWSCURRENT"]}]}]}`, "both a value and Versions"},
		{"a version without a value", `{"Secrets": [{"Name": "a", "Versions": [{"VersionStages": ["AWSCURRENT"]}]}]}`, "version 1: no SecretString"},
		{"a version with two values", `{"Secrets": [{"Name": "a", "Versions": [{"SecretString": "v", "SecretBinary": "AA==", "VersionStages": ["AWSCURRENT"]}]}]}`, "version 1: both"},
		{"no AWSCURRENT", `{"Secrets": [{"Name": "a", "Versions": [{"SecretString": "v", "VersionStages": ["AWSPREVIOUS"]}]}]}`, "no version carries AWSCURRENT"},
		{"a label twice", `{"Secrets": [{"Name": "a", "Versions": [{"SecretString": "v", "VersionStages": ["AWSCURRENT"]}, {"SecretString": "w", "VersionStages": ["AWSCURRENT"]}]}]}`, "versions 1 and 2: both carry AWSCURRENT"},
		{"a version id twice", `{"Secrets": [{"Name": "b"}, {"Name": "a", "Versions": [{"VersionId": "11111111-1111-4111-8111-111111111111", "SecretString": "v", "VersionStages": ["AWSCURRENT"]}, {"VersionId": "11111111-1111-4111-8111-111111111111", "SecretString": "w"}]}]}`, `secret 2 ("a"): versions 1 and 2: one VersionId`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seed.Read(strings.NewReader(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read() = %v, want an error holding %q", err, tt.want)
			}
		})
	}
}

// TestApplyErrors checks that a file with a secret the store refuses adds
// none of its secrets, and says which and why.
func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name, file string
		code       stagelabel.Code // "" for an error of the file's own
		want       string
	}{
		{"a name's characters", `{"Secrets": [{"Name": "fine"}, {"Name": "bad name"}]}`, stagelabel.ErrValidation, `secret 2 ("bad name") in us-east-1, 123456789012: CreateSecret: ValidationException: Invalid name.`},
		{"a reserved tag key", `{"Secrets": [{"Name": "a", "Tags": [{"Key": "aws:x", "Value": "y"}]}]}`, stagelabel.ErrInvalidParameter, "aws:"},
		{"a short version id", `{"Secrets": [{"Name": "a", "Versions": [{"VersionId": "short", "SecretString": "v", "VersionStages": ["AWSCURRENT"]}]}]}`, stagelabel.ErrValidation, "clientRequestToken"},
		{"one name twice in a namespace", `{"Secrets": [{"Name": "a"}, {"Name": "a", "Region": "us-east-1"}]}`, "", "secrets 1 and 2: one name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := store.New()
			_, err := seed.Apply(st, read(t, tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Apply() = %v, want an error holding %q", err, tt.want)
			}
			if tt.code != "" && !errors.Is(err, tt.code) {
				t.Errorf("Apply() = %v, want %s", err, tt.code)
			}
			if n := len(st.Snapshot().Secrets); n != 0 {
				t.Errorf("a failed Apply() added %d secrets", n)
			}
		})
	}
	// The same name in two namespaces is two secrets.
	if _, err := seed.Apply(store.New(), read(t, `{"Secrets": [{"Name": "a"}, {"Name": "a", "Region": "eu-west-1"}]}`)); err != nil {
		t.Errorf("Apply() of one name in two regions = %v", err)
	}
}

// TestApplyBackendFails checks that Apply returns the backend's refusal,
// and the secrets added before it.
func TestApplyBackendFails(t *testing.T) {
	b := &storetest.Faulty{Backend: &storetest.Memory{}}
	st, err := store.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	b.Fail(true)
	res, err := seed.Apply(st, read(t, `{"Secrets": [{"Name": "a", "SecretString": "v"}]}`))
	if !errors.Is(err, storetest.ErrInjected) || len(res.Created) != 0 {
		t.Errorf("Apply() on a failing backend = %+v, %v; want the injected failure", res, err)
	}
	b.Fail(false)
	if res, err := seed.Apply(st, read(t, `{"Secrets": [{"Name": "a", "SecretString": "v"}]}`)); err != nil || len(res.Created) != 1 {
		t.Errorf("Apply() = %+v, %v", res, err)
	}
	reopened, err := store.Open(b.Backend)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := reopened.GetSecretValue(store.GetSecretValueInput{SecretId: "a"}); err != nil || *got.SecretString != "v" {
		t.Errorf("after a restart, GetSecretValue(a) = %v, %v; want the seeded value committed", got, err)
	}
}

func TestStringHidesValues(t *testing.T) {
	f := read(t, `{"Secrets": [{"Name": "a", "SecretString": "s3cret"}, {"Name": "b", "Versions": [{"SecretString": "s3cret", "VersionStages": ["AWSCURRENT"]}]}]}`)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		if got := fmt.Sprintf(verb, f); strings.Contains(got, "s3cret") {
			t.Errorf("Sprintf(%q) = %s: holds a value", verb, got)
		}
	}
}

// FuzzRead holds that Read refuses or reads any input without panicking,
// and that what it reads either applies with the labels it gives, or
// fails adding nothing.
func FuzzRead(f *testing.F) {
	f.Add(docFile)
	f.Add(`{"Secrets": [{"Name": "a", "Versions": [{"SecretString": "v", "VersionStages": ["AWSPREVIOUS", "x"]}, {"SecretString": "w", "VersionStages": ["AWSCURRENT"]}]}]}`)
	f.Add(`{"Secrets": [{"Name": "a b"}]}`)
	f.Fuzz(func(t *testing.T, text string) {
		file, err := seed.Read(strings.NewReader(text))
		if err != nil {
			return
		}
		st := store.New()
		if _, err := seed.Apply(st, file); err != nil {
			if n := len(st.Snapshot().Secrets); n != 0 {
				t.Fatalf("a failed Apply() added %d secrets: %v", n, err)
			}
			return
		}
		for _, s := range file.Secrets {
			ns := st.Namespace()
			if s.Region != "" {
				ns.Region = s.Region
			}
			if s.Account != "" {
				ns.Account = s.Account
			}
			home, _ := st.In(ns)
			snap, err := home.Export(s.Name)
			if err != nil {
				t.Fatalf("secret %q not added: %v", s.Name, err)
			}
			labels := 0
			for _, v := range s.Versions {
				labels += len(v.VersionStages)
			}
			if len(s.Versions) > 0 && len(snap.Labels) != labels {
				t.Fatalf("secret %q: labels %v, want the file's %d", s.Name, snap.Labels, labels)
			}
		}
	})
}

// TestApplyOptions checks that the options given build each secret in its
// own namespace, whatever region and account they name.
func TestApplyOptions(t *testing.T) {
	st := store.New()
	_, err := seed.Apply(st, read(t, `{"Secrets": [{"Name": "a", "Region": "eu-west-1", "SecretString": "v"}]}`),
		store.WithRegion("us-east-1"), store.WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	west, _ := st.In(store.Namespace{Account: "123456789012", Region: "eu-west-1"})
	d, err := west.DescribeSecret(store.DescribeSecretInput{SecretId: "a"})
	if err != nil || !strings.HasPrefix(d.ARN, "arn:aws:secretsmanager:eu-west-1:") || !d.CreatedDate.Equal(t0) {
		t.Errorf("DescribeSecret(a) in eu-west-1 = %v, %v; want it created at %v by the clock given", d, err, t0)
	}
}

// TestREADME checks that the seed file the README shows reads and applies.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```json\n{\n  \"Secrets\"")
	if !ok {
		t.Fatal("README.md shows no seed file (a json block beginning with \"Secrets\")")
	}
	block, _, _ = strings.Cut(block, "```")
	f, err := seed.Read(strings.NewReader("{\n  \"Secrets\"" + block))
	if err != nil {
		t.Fatalf("the README's seed file: %v", err)
	}
	if res, err := seed.Apply(store.New(), f); err != nil || len(res.Created) != len(f.Secrets) {
		t.Errorf("Apply() of the README's seed file = %+v, %v", res, err)
	}
}

// TestReadFile checks that ReadFile reads a file as Read reads its
// content, and names the path of a file it cannot read or that is wrong.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	if err := os.WriteFile(good, []byte(`{"Secrets":[{"Name":"a","SecretString":"s"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"Secrets":[{}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := seed.ReadFile(good)
	if err != nil || len(f.Secrets) != 1 || f.Secrets[0].Name != "a" {
		t.Errorf("ReadFile(good) = %+v, %v; want one secret a", f, err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.json")} {
		if _, err := seed.ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("ReadFile(%s) error = %v; want one naming the path", path, err)
		}
	}
}
