package store_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/store"
)

// populated returns a store with secrets in every state a snapshot must
// keep: values of both kinds, deprecated and pruned versions, custom
// labels, an unfilled rotation, a read, a scheduled deletion, a secret
// without versions.
func populated(t *testing.T) (*store.Store, *clock) {
	t.Helper()
	st, c := newStore()
	create(t, st, "db", 1)
	for n := 2; n <= 102; n++ {
		put(t, st, "db", n)
	}
	c.Advance(25 * time.Hour)
	put(t, st, "db", 103, "AWSCURRENT", "custom")
	if _, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "bin", ClientRequestToken: tok(1), SecretBinary: []byte{0, 255}, Description: "binary",
		Tags: []store.Tag{{"env", "prod"}, {"empty", ""}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RotateSecret(store.RotateSecretInput{RotationLambdaARN: fn, SecretId: "bin", ClientRequestToken: tok(2), RotationRules: &store.RotationRules{ScheduleExpression: "rate(10 days)"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "empty", ClientRequestToken: tok(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutResourcePolicy(store.PutResourcePolicyInput{SecretId: "bin", ResourcePolicy: `{"Version":"2012-10-17"}`}); err != nil {
		t.Fatal(err)
	}
	create(t, st, "gone", 1)
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "gone", RecoveryWindowInDays: ptr(int64(7))}); err != nil {
		t.Fatal(err)
	}
	return st, c
}

func TestSnapshotRoundTrip(t *testing.T) {
	st, c := populated(t)
	var first bytes.Buffer
	if err := st.Save(&first); err != nil {
		t.Fatal(err)
	}
	loaded, err := store.Load(bytes.NewReader(first.Bytes()), store.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	if err := loaded.Save(&second); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first.String(), second.String()); diff != "" {
		t.Errorf("Save(Load(Save())) mismatch (-want +got):\n%s", diff)
	}
	for _, name := range []string{"db", "bin", "empty", "gone"} {
		want, err := st.Export(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := loaded.Export(name)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Export(%s) mismatch (-want +got):\n%s", name, diff)
		}
	}
	// Behaviour comes back too: the pruned version, the scheduled deletion,
	// the unfilled rotation.
	_, err = loaded.GetSecretValue(store.GetSecretValueInput{SecretId: "db", VersionId: tok(1)})
	if err == nil || !strings.Contains(err.Error(), "because it was deleted") {
		t.Errorf("pruned version after Load: %v", err)
	}
	if _, err := loaded.GetSecretValue(store.GetSecretValueInput{SecretId: "gone"}); err == nil {
		t.Error("secret scheduled for deletion readable after Load")
	}
	if _, err := loaded.PutSecretValue(store.PutSecretValueInput{SecretId: "bin", ClientRequestToken: tok(2), SecretString: ptr("filled"), VersionStages: []string{"AWSPENDING"}}); err != nil {
		t.Errorf("filling the rotation after Load: %v", err)
	}
	if strings.Contains(first.String(), `"SecretString": "value 103"`) == false {
		t.Error("snapshot lacks the current value")
	}
}

func TestLoadRefuses(t *testing.T) {
	st, _ := populated(t)
	var buf bytes.Buffer
	if err := st.Save(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	var snap map[string]any
	if err := json.Unmarshal(buf.Bytes(), &snap); err != nil {
		t.Fatal(err)
	}
	edit := func(f func(secrets []any)) string {
		var s map[string]any
		json.Unmarshal([]byte(good), &s)
		f(s["Secrets"].([]any))
		b, _ := json.Marshal(s)
		return string(b)
	}
	first := func(secrets []any) map[string]any { return secrets[0].(map[string]any) }
	tests := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"truncated", good[:len(good)/2]},
		{"not JSON", "hello"},
		{"another format", strings.Replace(good, `"Format": 1`, `"Format": 2`, 1)},
		{"an unknown member", strings.Replace(good, `"Format": 1`, `"Format": 1, "Extra": true`, 1)},
		{"trailing data", good + "{}"},
		{"a trailing brace", good + "}"},
		{"a trailing bracket", good + "]"},
		{"an empty SecretBinary", edit(func(s []any) { first(s)["Versions"].([]any)[0].(map[string]any)["SecretBinary"] = "" })},
		{"a description too long", edit(func(s []any) { first(s)["Description"] = strings.Repeat("d", 2049) })},
		{"a description too long in characters", edit(func(s []any) { first(s)["Description"] = strings.Repeat("é", 2049) })},
		{"an ARN without region and account", edit(func(s []any) {
			first(s)["ARN"] = "arn:aws:secretsmanager:secret:" + first(s)["Name"].(string) + "-abcdef"
		})},
		{"an ARN of another service", edit(func(s []any) {
			first(s)["ARN"] = "arn:aws:ssm:us-east-1:123456789012:secret:" + first(s)["Name"].(string) + "-abcdef"
		})},
		{"an invalid name", edit(func(s []any) { first(s)["Name"] = "bad name" })},
		{"a tag key given twice", edit(func(s []any) {
			first(s)["Tags"] = []any{map[string]any{"Key": "k", "Value": "1"}, map[string]any{"Key": "k", "Value": "2"}}
		})},
		{"a malformed policy", edit(func(s []any) { first(s)["ResourcePolicy"] = "[]" })},
		{"a tag key too long", edit(func(s []any) { first(s)["Tags"] = []any{map[string]any{"Key": strings.Repeat("k", 129)}} })},
		{"an ARN of another name", edit(func(s []any) { first(s)["ARN"] = "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-abcdef" })},
		{"an ARN without suffix", edit(func(s []any) {
			first(s)["ARN"] = "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + first(s)["Name"].(string)
		})},
		{"a label on no version", edit(func(s []any) { first(s)["Labels"].(map[string]any)["X"] = tok(999) })},
		{"no AWSCURRENT", edit(func(s []any) { delete(first(s)["Labels"].(map[string]any), "AWSCURRENT") })},
		{"a version twice", edit(func(s []any) {
			vs := first(s)["Versions"].([]any)
			first(s)["Versions"] = append(vs, vs[0])
		})},
		{"a short version id", edit(func(s []any) { first(s)["Versions"].([]any)[0].(map[string]any)["VersionId"] = "x" })},
		{"both values", edit(func(s []any) { first(s)["Versions"].([]any)[0].(map[string]any)["SecretString"] = "x" })},
		{"a name twice", edit(func(s []any) { s[1] = s[0] })},
		{"a deletion date without its end", edit(func(s []any) {
			for _, x := range s {
				delete(x.(map[string]any), "DeleteAt")
			}
		})},
		{"a rotation schedule out of range", edit(func(s []any) { first(s)["RotationRules"] = map[string]any{"AutomaticallyAfterDays": 0} })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := store.Load(strings.NewReader(tt.data))
			if err == nil || got != nil {
				t.Fatalf("Load() = %v, %v; want an error and no store", got, err)
			}
			if !strings.HasPrefix(err.Error(), "store: loading snapshot: ") {
				t.Errorf("error %q does not say what failed", err)
			}
		})
	}
}

// TestLoadKeepsLimitsAsTheAPICountsThem checks that what the API accepts at
// its limits loads: a description of 2,048 two-byte characters (4,096
// bytes) once made a saved state unloadable.
func TestLoadKeepsLimitsAsTheAPICountsThem(t *testing.T) {
	st, _ := newStore()
	description := strings.Repeat("é", 2048)
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), Description: description}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := st.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := store.Load(&buf)
	if err != nil {
		t.Fatalf("Load() of an accepted description: %v", err)
	}
	if d, _ := loaded.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); d.Description != description {
		t.Errorf("description after Load has %d bytes, want %d", len(d.Description), len(description))
	}
}

// TestLoadInAnotherRegion checks that a store of another region or account
// loads secrets saved by the first, each keeping its ARN, into the
// namespace its ARN names, whatever region and account the first was
// given.
func TestLoadInAnotherRegion(t *testing.T) {
	for _, first := range []store.Namespace{{"123456789012", "us-east-1"}, {"1234", "é"}, {"210987654321", "eu-west-1"}} {
		st, _ := newStore(store.WithRegion(first.Region), store.WithAccount(first.Account))
		out := create(t, st, "db", 1)
		var buf bytes.Buffer
		if err := st.Save(&buf); err != nil {
			t.Fatal(err)
		}
		loaded, err := store.Load(&buf, store.WithRegion("eu-west-1"), store.WithAccount("210987654321"))
		if err != nil {
			t.Fatalf("Load() of a state made in %v: %v", first, err)
		}
		home, err := loaded.In(first)
		if err != nil {
			t.Fatal(err)
		}
		if d, err := home.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); err != nil || d.ARN != out.ARN {
			t.Errorf("DescribeSecret in %v after Load = %v, %v; want ARN %s", first, d.ARN, err, out.ARN)
		}
		if first != loaded.Namespace() {
			if _, err := loaded.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); err == nil {
				t.Errorf("a secret of %v is found by name in %v", first, loaded.Namespace())
			}
		}
	}
}

// TestImportKeepsItsOwnCopy checks that changing a snapshot after Import
// changes nothing in the store.
func TestImportKeepsItsOwnCopy(t *testing.T) {
	st, _ := populated(t)
	snap, err := st.Export("bin")
	if err != nil {
		t.Fatal(err)
	}
	snap.Name, snap.ARN = "copy", strings.Replace(snap.ARN, ":bin-", ":copy-", 1)
	snap.RotationRules = &store.RotationRules{AutomaticallyAfterDays: ptr(int64(5))}
	other, _ := newStore()
	if err := other.Import(snap); err != nil {
		t.Fatal(err)
	}
	*snap.RotationRules.AutomaticallyAfterDays = 6
	snap.Versions[0].SecretBinary[0] = 9
	got, _ := other.Export("copy")
	if *got.RotationRules.AutomaticallyAfterDays != 5 || got.Versions[0].SecretBinary[0] != 0 {
		t.Errorf("Import kept the caller's memory: rules %d, first byte %d", *got.RotationRules.AutomaticallyAfterDays, got.Versions[0].SecretBinary[0])
	}
	if err := other.Import(snap); err == nil {
		t.Error("Import of a name already taken succeeded")
	}
}

func FuzzLoad(f *testing.F) {
	st, _ := newStore()
	create(f, st, "db", 1)
	put(f, st, "db", 2, "X")
	var buf bytes.Buffer
	if err := st.Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add(`{"Format":1,"Secrets":[]}`)
	f.Add(`{"Format":1,"Secrets":[{"Name":"a"}]}`)
	f.Fuzz(func(t *testing.T, data string) {
		st, err := store.Load(strings.NewReader(data))
		if err != nil {
			if st != nil {
				t.Fatal("Load returned a store with an error")
			}
			return
		}
		// What loads saves and loads again to the same.
		var a, b bytes.Buffer
		if err := st.Save(&a); err != nil {
			t.Fatal(err)
		}
		again, err := store.Load(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatalf("Load(Save(Load(data))): %v", err)
		}
		if err := again.Save(&b); err != nil || a.String() != b.String() {
			t.Fatalf("snapshot not stable: %v\n%s\n%s", err, a.String(), b.String())
		}
	})
}

// TestLoadKeepsOldRotationSettings checks that a state an older emulator
// saved, whose rotation schedule and function it kept unchecked, still
// loads with them as saved.
func TestLoadKeepsOldRotationSettings(t *testing.T) {
	st, _ := populated(t)
	snap, err := st.Export("bin")
	if err != nil {
		t.Fatal(err)
	}
	snap.RotationLambdaARN = strings.Repeat("a", 3000)
	snap.RotationRules = &store.RotationRules{Duration: "10 days", ScheduleExpression: "every day, please"}
	fresh, _ := newStore()
	if err := fresh.Import(snap); err != nil {
		t.Fatalf("Import() of old rotation settings: %v", err)
	}
	got, err := fresh.Export("bin")
	if err != nil || got.RotationLambdaARN != snap.RotationLambdaARN || got.RotationRules.Duration != "10 days" {
		t.Errorf("Export() after Import = %v, %v; want the settings as saved", got.RotationRules, err)
	}
	// A schedule AWS refuses in days is refused still, as it always was.
	snap.RotationRules = &store.RotationRules{AutomaticallyAfterDays: ptr(int64(1001))}
	other, _ := newStore()
	if err := other.Import(snap); err == nil || !strings.Contains(err.Error(), "automaticallyAfterDays") {
		t.Errorf("Import() of AutomaticallyAfterDays 1001 = %v, want it refused", err)
	}
}

// TestImportChecksVersions checks that a snapshot's versions are held to
// the constraints the operations keep: a value of 1 to 65,536 bytes, text
// that is UTF-8, a KMS key of at most 2,048 characters.
func TestImportChecksVersions(t *testing.T) {
	st, _ := populated(t)
	snap, err := st.Export("bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*store.VersionSnapshot)
		ok   bool
	}{
		{"as exported", func(*store.VersionSnapshot) {}, true},
		{"text not UTF-8", func(v *store.VersionSnapshot) { v.SecretBinary, v.SecretString = nil, ptr("a\xffb") }, false},
		{"a value of 65,537 bytes", func(v *store.VersionSnapshot) { v.SecretBinary = make([]byte, 65537) }, false},
		{"a KMS key of 2,048 characters", func(v *store.VersionSnapshot) { v.KmsKeyId = strings.Repeat("é", 2048) }, true},
		{"a KMS key of 2,049 characters", func(v *store.VersionSnapshot) { v.KmsKeyId = strings.Repeat("é", 2049) }, false},
	} {
		s := snap
		s.Versions = slices.Clone(snap.Versions)
		c.edit(&s.Versions[0])
		fresh, _ := newStore()
		if err := fresh.Import(s); (err == nil) != c.ok {
			t.Errorf("Import() of a version with %s = %v, want ok %v", c.name, err, c.ok)
		}
	}
}
