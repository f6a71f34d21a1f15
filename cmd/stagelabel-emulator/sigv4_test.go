package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/sigv4"
)

const credentialsFile = `# keys of the tests
[default]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY

[other]
aws_access_key_id = AKIDOTHER
aws_secret_access_key = other-secret
aws_account_id = 111122223333
`

// writeFile writes content to a new file of the test and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// signedCall posts one request to addr with Host host, signed with key at
// at unless key is the zero Key, and returns the status and the decoded
// answer.
func signedCall(t *testing.T, addr, host string, key sigv4.Key, at time.Time, op, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	req.Header.Set("X-Amz-Target", "secretsmanager."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if key.ID() != "" {
		sigv4.Sign(req, []byte(body), key, "us-east-1", "secretsmanager", at)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: answer %q: %v", op, raw, err)
	}
	return resp.StatusCode, m
}

// TestCredentials runs the emulator with -credentials: a request signed
// by a key of the file is served, and one unsigned, signed by an unknown
// key, with a wrong secret key or too long ago is refused with AWS's
// error.
func TestCredentials(t *testing.T) {
	addr, log, stop := emulator(t, "-credentials", writeFile(t, "credentials", credentialsFile))
	defer stop()
	now := time.Now()
	good := sigv4.NewKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	tests := []struct {
		name   string
		key    sigv4.Key
		at     time.Time
		status int
		code   string
	}{
		{"signed by a key of the file", good, now, 200, ""},
		{"signed by another key of the file", sigv4.NewKey("AKIDOTHER", "other-secret"), now, 200, ""},
		{"unsigned", sigv4.Key{}, now, 400, "MissingAuthenticationTokenException"},
		{"an unknown key", sigv4.NewKey("AKIDNOBODY", "x"), now, 400, "UnrecognizedClientException"},
		{"a wrong secret key", sigv4.NewKey("AKIDEXAMPLE", "guessed"), now, 400, "InvalidSignatureException"},
		{"signed 10 minutes ago", good, now.Add(-10 * time.Minute), 400, "InvalidSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := signedCall(t, addr, "", tt.key, tt.at, "ListSecrets", "{}")
			if status != tt.status || tt.code != "" && out["__type"] != tt.code {
				t.Errorf("%d %v, want %d %s", status, out, tt.status, tt.code)
			}
		})
	}
	if strings.Contains(log.String(), "wJalrXUtnFEMI") || strings.Contains(log.String(), "Signature=") {
		t.Errorf("the log shows a secret or a signature:\n%s", log)
	}
	if strings.Contains(log.String(), "level=WARN") {
		t.Errorf("a warning on loopback:\n%s", log)
	}
}

// TestCredentialsErrors checks that a credentials file the emulator cannot
// use stops it at start, saying why, without a secret.
func TestCredentialsErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"no secret key", "[a]\naws_access_key_id = AKIDA\n", "profile a: aws_access_key_id AKIDA without aws_secret_access_key"},
		{"a key in two profiles", "[a]\naws_access_key_id = AKIDA\naws_secret_access_key = s3cr3t\n[b]\naws_access_key_id = AKIDA\naws_secret_access_key = s3cr3t\n",
			"access key AKIDA appears twice (profile a and profile b)"},
		{"no key", "[default]\nregion = us-east-1\n", "no profile holds an aws_access_key_id and an aws_secret_access_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "credentials", tt.file)
			code, _, stderr := runBinary(t, "-addr", "127.0.0.1:0", "-credentials", path)
			if code != 1 || !strings.Contains(stderr, "stagelabel-emulator: -credentials "+path+": "+tt.want) || strings.Contains(stderr, "s3cr3t") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr, tt.want)
			}
		})
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if code, _, stderr := runBinary(t, "-addr", "127.0.0.1:0", "-credentials", missing); code != 1 || !strings.Contains(stderr, missing) {
		t.Errorf("a missing file: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestHostCheck checks that a request for a host the emulator does not
// answer for, as a page rebinding its own name to 127.0.0.1 would send, is
// refused with 421, and that -allow-host names are answered.
func TestHostCheck(t *testing.T) {
	addr, _, stop := emulator(t, "-allow-host", "emulator, emulator.internal", "-allow-host", "other")
	defer stop()
	tests := []struct {
		host   string
		status int
	}{
		{"", 200}, // the listen address
		{"localhost:4566", 200},
		{"emulator:4566", 200},
		{"Emulator.Internal", 200},
		{"other", 200},
		{"attacker.example", 421},
		{"attacker.example:4566", 421},
	}
	for _, tt := range tests {
		status, out := signedCall(t, addr, tt.host, sigv4.Key{}, time.Time{}, "ListSecrets", "{}")
		if status != tt.status || status == 421 && out["__type"] != "MisdirectedRequestException" {
			t.Errorf("Host %q: %d %v, want %d", tt.host, status, out, tt.status)
		}
	}
}

// TestBeyondLoopback checks the warning of an emulator listening on every
// address without -credentials, and its absence with them.
func TestBeyondLoopback(t *testing.T) {
	_, log, stop := emulator(t, "-addr", "0.0.0.0:0")
	stop()
	if !strings.Contains(log.String(), "level=WARN msg=\"LISTENING BEYOND LOOPBACK WITHOUT -credentials") {
		t.Errorf("no warning:\n%s", log)
	}
	_, log, stop = emulator(t, "-addr", "0.0.0.0:0", "-credentials", writeFile(t, "credentials", credentialsFile))
	stop()
	if strings.Contains(log.String(), "level=WARN") {
		t.Errorf("a warning with -credentials:\n%s", log)
	}
}
