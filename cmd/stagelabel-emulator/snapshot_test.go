package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/store"
)

// oldState returns the JSON state file an older emulator would have
// written for a store holding secrets of every kind: several versions and
// labels, a binary value, a description in characters beyond ASCII (2,048
// of them, the limit), tags, a resource policy, a rotation, a deleted
// secret awaiting its deletion date.
func oldState(t *testing.T, n int) []byte {
	t.Helper()
	now := time.Now().Add(-time.Hour).Truncate(time.Second) // the deleted secret's date of deletion is a month later
	st := store.New(store.WithClock(func() time.Time { now = now.Add(time.Second); return now }), store.WithManualRotation())
	str := func(s string) *string { return &s }
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		name := fmt.Sprintf("app/db-%03d", i)
		must(st.CreateSecret(store.CreateSecretInput{Name: name, ClientRequestToken: token(i, 1, 0), SecretString: str(fmt.Sprintf("value %d é", i)),
			Description: strings.Repeat("é", 2048), Tags: []store.Tag{{Key: "team", Value: "ünïcode"}, {Key: "empty", Value: ""}}}))
		must(st.PutSecretValue(store.PutSecretValueInput{SecretId: name, ClientRequestToken: token(i, 2, 0), SecretBinary: []byte{0, 1, 2, byte(i)}}))
		must(st.PutSecretValue(store.PutSecretValueInput{SecretId: name, ClientRequestToken: token(i, 3, 0), SecretString: str("third"), VersionStages: []string{"BLUE"}}))
		must(st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: name, VersionStage: "GREEN", MoveToVersionId: token(i, 1, 0)}))
	}
	must(st.CreateSecret(store.CreateSecretInput{Name: "no-value", ClientRequestToken: token(99, 0, 0)}))
	must(st.PutResourcePolicy(store.PutResourcePolicyInput{SecretId: "app/db-000", ResourcePolicy: `{"Version":"2012-10-17","Statement":[]}`}))
	must(st.RotateSecret(store.RotateSecretInput{SecretId: "app/db-001", ClientRequestToken: token(1, 4, 0),
		RotationLambdaARN: "arn:aws:lambda:us-east-1:123456789012:function:rotate"}))
	must(st.GetSecretValue(store.GetSecretValueInput{SecretId: "app/db-002"}))
	must(st.DeleteSecret(store.DeleteSecretInput{SecretId: "app/db-003"}))
	var b bytes.Buffer
	if err := st.Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMigration starts the emulator on a JSON state file of an older
// emulator, with the temporary files a crash of it left: the file becomes a
// database holding every secret as it was, and nothing else stays.
func TestMigration(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	old := oldState(t, 5)
	os.WriteFile(state, old, 0o600)
	os.WriteFile(state+".2849301", old[:100], 0o600)           // an older emulator's crash
	os.WriteFile(state+migrationSuffix, []byte("half"), 0o600) // a crash of a migration
	os.WriteFile(filepath.Join(dir, "other.json.12"), nil, 0o600)

	exported := filepath.Join(t.TempDir(), "export.json")
	code, _, stderr := runBinary(t, "-state", state, "-export", exported)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{"migrated the JSON state file to a database", "secrets=6", "removed a temporary file left by a crash"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the log lacks %q:\n%s", want, stderr)
		}
	}
	if got, _ := os.ReadFile(exported); !bytes.Equal(got, old) {
		t.Errorf("the migrated state exports as\n%.2000s\nwant the JSON state file\n%.2000s", got, old)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"other.json.12", "state.json"}) {
		t.Errorf("files in the state's directory: %v, want [other.json.12 state.json]", names)
	}
	if k, err := kindOf(state); k != boltState || err != nil {
		t.Errorf("kindOf(state after migration) = %v, %v, want a database", k, err)
	}

	// Served from the database, as it was.
	addr, _, stop := emulator(t, "-state", state)
	defer stop()
	out := mustSend(t, addr, "GetSecretValue", `{"SecretId":"app/db-004","VersionStage":"GREEN"}`)
	if out["SecretString"] != "value 4 é" || out["VersionId"] != token(4, 1, 0) {
		t.Errorf("GetSecretValue(GREEN) after migration = %v", out)
	}
	if status, out := send(t, addr, "GetSecretValue", `{"SecretId":"app/db-003"}`); status != 400 {
		t.Errorf("GetSecretValue of the deleted secret = %d %v, want 400", status, out)
	}
}

// TestExportImport exports a state, imports the export into another, and
// checks that the two export alike; an import that names a secret the
// state holds, or does not load, imports nothing.
func TestExportImport(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	seed := filepath.Join(dir, "seed.json")
	os.WriteFile(seed, oldState(t, 4), 0o600)
	addr, _, stop := emulator(t, "-state", a, "-import", seed)
	mustSend(t, addr, "CreateSecret", `{"Name":"added","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)
	stop()

	exportA := filepath.Join(dir, "a.json")
	if code, _, stderr := runBinary(t, "-state", a, "-export", exportA); code != 0 {
		t.Fatalf("-export: exit %d\n%s", code, stderr)
	}
	if info, err := os.Stat(exportA); err != nil {
		t.Error(err)
	} else if info.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", info.Mode().Perm())
	}
	code, stdout, stderr := runBinary(t, "-state", b, "-import", exportA, "-export", "-")
	if code != 0 {
		t.Fatalf("-import -export -: exit %d\n%s", code, stderr)
	}
	wantA, _ := os.ReadFile(exportA)
	if stdout != string(wantA) || !strings.Contains(string(wantA), `"Name": "added"`) {
		t.Errorf("the import exports as\n%.1000s\nwant\n%.1000s", stdout, wantA)
	}

	// Refused whole: one secret of the file is new, one is taken.
	partial := filepath.Join(dir, "partial.json")
	withNew := strings.ReplaceAll(string(oldState(t, 4)), "app/db-000", "fresh/db-000")
	os.WriteFile(partial, []byte(withNew), 0o600)
	code, _, stderr = runBinary(t, "-state", b, "-import", partial)
	if code != 1 || !strings.Contains(stderr, `nothing imported: the state holds "app/db-001", "app/db-002", "app/db-003", "no-value" already`) {
		t.Errorf("-import of a taken name: exit %d, want 1 naming app/db-001\n%s", code, stderr)
	}
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(withNew[:len(withNew)/2]), 0o600)
	code, _, stderr = runBinary(t, "-state", b, "-import", broken)
	if code != 1 || !strings.Contains(stderr, "nothing imported") || !strings.Contains(stderr, "loading snapshot") {
		t.Errorf("-import of a truncated file: exit %d, want 1\n%s", code, stderr)
	}
	if _, stdout, _ := runBinary(t, "-state", b, "-export", "-"); stdout != string(wantA) {
		t.Errorf("refused imports changed the state: it exports as\n%.1000s", stdout)
	}

	if code, _, stderr := runBinary(t, "-state", b, "-export", b); code != 1 || !strings.Contains(stderr, "the state itself") {
		t.Errorf("-export over the state: exit %d, want 1\n%s", code, stderr)
	}
	missing := filepath.Join(dir, "missing.db")
	if code, _, stderr := runBinary(t, "-state", missing, "-export", "-"); code != 1 || !strings.Contains(stderr, "nothing to export") {
		t.Errorf("-export of a missing state: exit %d, want 1\n%s", code, stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("-export of a missing state created it")
	}
}
