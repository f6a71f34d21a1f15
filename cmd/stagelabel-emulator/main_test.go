package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// emulator runs the command until the returned stop is called, and
// returns its address and its log.
func emulator(t *testing.T, args ...string) (addr string, log *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log = &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), log, func(a string) { ready <- a })
	}()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("emulator did not start: %v\n%s", err, log)
	}
	return addr, log, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("emulator stopped with %v", err)
		}
	}
}

// send posts one request and returns the status and the decoded answer.
func send(t *testing.T, addr, op, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "secretsmanager."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/secretsmanager/aws4_request, Signature=deadbeef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %q: %v", op, raw, err)
	}
	return resp.StatusCode, m
}

const tok1 = "00000001-0000-4000-8000-000000000000"

func TestStateSurvivesRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	addr, log, stop := emulator(t, "-state", state, "-region", "eu-west-1")
	status, out := send(t, addr, "CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"s3cret-value"}`)
	if status != 200 || !strings.HasPrefix(out["ARN"].(string), "arn:aws:secretsmanager:eu-west-1:") {
		t.Fatalf("CreateSecret = %d %v", status, out)
	}
	// Saved before the answer: the file holds the secret while the
	// emulator still runs, as it would after a crash.
	saved, err := os.ReadFile(state)
	if err != nil || !bytes.Contains(saved, []byte(`"Name": "db"`)) {
		t.Fatalf("state file after the change: %v\n%s", err, saved)
	}
	if info, _ := os.Stat(state); info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", info.Mode().Perm())
	}
	send(t, addr, "GetSecretValue", `{"SecretId":"db"}`)
	stop()

	if strings.Contains(log.String(), "s3cret-value") || strings.Contains(log.String(), "deadbeef") {
		t.Errorf("the log leaks a value or a credential:\n%s", log)
	}
	if !strings.Contains(log.String(), "op=CreateSecret secret=db status=200") {
		t.Errorf("no request line in the log:\n%s", log)
	}
	leftovers, _ := filepath.Glob(state + ".*")
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	addr, _, stop = emulator(t, "-state", state, "-region", "eu-west-1")
	defer stop()
	status, got := send(t, addr, "GetSecretValue", `{"SecretId":"db"}`)
	if status != 200 || got["SecretString"] != "s3cret-value" || got["VersionId"] != tok1 {
		t.Errorf("after restart GetSecretValue = %d %v", status, got)
	}
}

// TestUnsavedChangeIsNotAcknowledged removes the state file's folder under
// the running emulator: the change it cannot save is answered 500.
func TestUnsavedChangeIsNotAcknowledged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	os.Mkdir(dir, 0o700)
	addr, _, stop := emulator(t, "-state", filepath.Join(dir, "state.json"))
	defer stop()
	if status, out := send(t, addr, "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"x"}`); status != 200 {
		t.Fatalf("CreateSecret = %d %v", status, out)
	}
	os.RemoveAll(dir)
	status, out := send(t, addr, "CreateSecret", `{"Name":"b","ClientRequestToken":"`+tok1+`","SecretString":"x"}`)
	if status != 500 || out["__type"] != "InternalServiceError" {
		t.Errorf("CreateSecret with no place to save = %d %v, want 500 InternalServiceError", status, out)
	}
	os.Mkdir(dir, 0o700) // so that the save at shutdown works again
}

func TestRefusesCorruptState(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(state, []byte(`{"Format":1,"Secrets":[{"Name":`), 0o600)
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-state", state}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "loading snapshot") {
		t.Errorf("run with a truncated state file = %v, want a load error", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the emulator's and the test's
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
