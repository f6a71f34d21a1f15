package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/sigv4"
)

// adminRequest sends one request to the emulator at addr, with the given
// headers (a "Host" among them sets the Host), signed by key when it is
// not the zero Key, and returns the status and the decoded JSON answer.
func adminRequest(t *testing.T, addr, method, path string, headers map[string]string, key sigv4.Key) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if key.ID() != "" {
		sigv4.Sign(req, nil, key, "us-east-1", "secretsmanager", time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s: answer %q: %v", method, path, raw, err)
	}
	return resp.StatusCode, m
}

// namespaces returns the namespaces of a health answer as "region/account:
// secrets".
func namespaces(h map[string]any) []string {
	var out []string
	list, _ := h["namespaces"].([]any)
	for _, n := range list {
		m := n.(map[string]any)
		out = append(out, m["region"].(string)+"/"+m["account"].(string)+": "+jsonNumber(m["secrets"]))
	}
	return out
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// euWest signs a request as a caller in eu-west-1 (unchecked).
const euWest = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=deadbeef"

// TestHealth checks GET /_stagelabel/health: the build, the uptime, the
// state's backend and the secrets of each namespace.
func TestHealth(t *testing.T) {
	addr, _, stop := emulator(t)
	defer stop()
	mustSend(t, addr, "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)
	mustSend(t, addr, "CreateSecret", `{"Name":"b","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)
	if status, out, err := callAs(http.DefaultClient, addr, euWest, "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"v"}`); err != nil || status != 200 {
		t.Fatalf("CreateSecret in eu-west-1 = %d %v %v", status, out, err)
	}
	status, h := adminRequest(t, addr, http.MethodGet, "/_stagelabel/health", nil, sigv4.Key{})
	if status != 200 || h["status"] != "ok" {
		t.Fatalf("GET /_stagelabel/health = %d %v", status, h)
	}
	build, _ := h["build"].(map[string]any)
	if build["version"] == "" || !strings.HasPrefix(build["go"].(string), "go") {
		t.Errorf("health's build = %v, want a version and a Go version", build)
	}
	if up, ok := h["uptimeSeconds"].(float64); !ok || up < 0 || up > 60 {
		t.Errorf("health's uptimeSeconds = %v", h["uptimeSeconds"])
	}
	if diff := cmp.Diff(map[string]any{"backend": "memory"}, h["state"]); diff != "" {
		t.Errorf("health's state mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"eu-west-1/123456789012: 1", "us-east-1/123456789012: 2"}, namespaces(h)); diff != "" {
		t.Errorf("health's namespaces mismatch (-want +got):\n%s", diff)
	}

	state := filepath.Join(t.TempDir(), "state.db")
	addr, _, stop = emulator(t, "-state", state)
	defer stop()
	_, h = adminRequest(t, addr, http.MethodGet, "/_stagelabel/health", nil, sigv4.Key{})
	if diff := cmp.Diff(map[string]any{"backend": "bbolt", "path": state}, h["state"]); diff != "" {
		t.Errorf("health's state with -state mismatch (-want +got):\n%s", diff)
	}
}

// TestReset checks POST /_stagelabel/reset: it empties every namespace of
// an emulator in memory, and of one with -state only with -allow-reset,
// for good.
func TestReset(t *testing.T) {
	addr, _, stop := emulator(t)
	mustSend(t, addr, "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)
	callAs(http.DefaultClient, addr, euWest, "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)
	status, out := adminRequest(t, addr, http.MethodPost, "/_stagelabel/reset", nil, sigv4.Key{})
	if status != 200 || out["removed"] != 2.0 {
		t.Errorf("POST /_stagelabel/reset = %d %v, want 200 and 2 removed", status, out)
	}
	if list := mustSend(t, addr, "ListSecrets", `{}`); len(list["SecretList"].([]any)) != 0 {
		t.Errorf("ListSecrets after the reset = %v", list)
	}
	mustSend(t, addr, "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"again"}`) // the name is free
	stop()

	state := filepath.Join(t.TempDir(), "state.db")
	addr, _, stop = emulator(t, "-state", state)
	mustSend(t, addr, "CreateSecret", `{"Name":"kept","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)
	status, out = adminRequest(t, addr, http.MethodPost, "/_stagelabel/reset", nil, sigv4.Key{})
	if msg, _ := out["error"].(string); status != 403 || !strings.Contains(msg, "-allow-reset") || !strings.Contains(msg, state) {
		t.Errorf("POST /_stagelabel/reset with -state = %d %v, want 403 naming the state and -allow-reset", status, out)
	}
	if status, _ := send(t, addr, "DescribeSecret", `{"SecretId":"kept"}`); status != 200 {
		t.Errorf("a refused reset removed a secret: DescribeSecret = %d", status)
	}
	stop()

	addr, _, stop = emulator(t, "-state", state, "-allow-reset")
	status, out = adminRequest(t, addr, http.MethodPost, "/_stagelabel/reset", nil, sigv4.Key{})
	if status != 200 || out["removed"] != 1.0 {
		t.Errorf("POST /_stagelabel/reset with -allow-reset = %d %v, want 200 and 1 removed", status, out)
	}
	stop()
	addr, _, stop = emulator(t, "-state", state)
	defer stop()
	if status, _ := send(t, addr, "DescribeSecret", `{"SecretId":"kept"}`); status != 400 {
		t.Errorf("after a reset and a restart, DescribeSecret = %d, want the secret gone (400)", status)
	}
}

// TestAdminRefusals checks that the endpoints refuse what the protocol
// refuses (another Host) and more (a web page's request, a protocol
// request sent to them), and that no other path reaches them.
func TestAdminRefusals(t *testing.T) {
	addr, _, stop := emulator(t)
	defer stop()
	mustSend(t, addr, "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)
	tests := []struct {
		name         string
		method, path string
		headers      map[string]string
		want         int
		reason       string
	}{
		{"another host", "POST", "/_stagelabel/reset", map[string]string{"Host": "attacker.example"}, 421, "DNS rebinding: as the protocol"},
		{"another host's health", "GET", "/_stagelabel/health", map[string]string{"Host": "attacker.example:4566"}, 421, "as the protocol"},
		{"a web page", "POST", "/_stagelabel/reset", map[string]string{"Origin": "https://attacker.example"}, 403, "a browser sends a page's simple POST to localhost unasked"},
		{"a protocol request", "POST", "/_stagelabel/reset", map[string]string{"X-Amz-Target": "secretsmanager.ListSecrets"}, 400, "not to be taken for the protocol"},
		{"an unknown endpoint", "GET", "/_stagelabel/nothing", nil, 404, "only the endpoints"},
		{"reset by GET", "GET", "/_stagelabel/reset", nil, 405, "a link or a prefetch must not reset"},
		{"health by POST", "POST", "/_stagelabel/health", nil, 405, "GET only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := adminRequest(t, addr, tt.method, tt.path, tt.headers, sigv4.Key{})
			if msg, _ := out["error"].(string); status != tt.want || msg == "" {
				t.Errorf("%s %s %v = %d %v, want %d and an error: %s", tt.method, tt.path, tt.headers, status, out, tt.want, tt.reason)
			}
		})
	}
	// Paths beside the endpoints' are the protocol's, which needs a target.
	for _, path := range []string{"//_stagelabel/reset", "/_stagelabel", "/./_stagelabel/reset", "/_STAGELABEL/reset", "/x/_stagelabel/reset"} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, nil) // sent as it is, not cleaned
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "UnknownOperationException" {
			t.Errorf("POST %s = %s %s, want the protocol's UnknownOperationException", path, resp.Status, resp.Header.Get("X-Amzn-Errortype"))
		}
	}
	if status, _ := send(t, addr, "DescribeSecret", `{"SecretId":"a"}`); status != 200 {
		t.Errorf("a refused request removed a secret: DescribeSecret = %d", status)
	}
}

// TestAdminCredentials checks that with -credentials a reset must be
// signed by one of its keys, and the health of an unsigned request says
// only that the emulator serves.
func TestAdminCredentials(t *testing.T) {
	addr, _, stop := emulator(t, "-credentials", writeFile(t, "credentials", credentialsFile))
	defer stop()
	good := sigv4.NewKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	signedCall(t, addr, "", good, time.Now(), "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)

	_, h := adminRequest(t, addr, http.MethodGet, "/_stagelabel/health", nil, sigv4.Key{})
	if h["status"] != "ok" || h["state"] != nil || h["namespaces"] != nil {
		t.Errorf("unsigned health with -credentials = %v, want the status without state or namespaces", h)
	}
	_, h = adminRequest(t, addr, http.MethodGet, "/_stagelabel/health", nil, good)
	if diff := cmp.Diff([]string{"us-east-1/123456789012: 1"}, namespaces(h)); diff != "" {
		t.Errorf("signed health's namespaces mismatch (-want +got):\n%s", diff)
	}

	for _, key := range []sigv4.Key{{}, sigv4.NewKey("AKIDEXAMPLE", "guess"), sigv4.NewKey("AKIDNOBODY", "x")} {
		status, out := adminRequest(t, addr, http.MethodPost, "/_stagelabel/reset", nil, key)
		if msg, _ := out["error"].(string); status != 403 || !strings.Contains(msg, "-credentials") {
			t.Errorf("reset signed by %v = %d %v, want 403", key, status, out)
		}
	}
	status, out := adminRequest(t, addr, http.MethodPost, "/_stagelabel/reset", nil, good)
	if status != 200 || out["removed"] != 1.0 {
		t.Errorf("signed reset = %d %v, want 200 and 1 removed", status, out)
	}
}

// seedFile is a seed of the tests: two secrets, one in eu-west-1.
const seedFile = `{"Secrets": [
	{"Name": "prod/db", "SecretString": "seeded", "Tags": [{"Key": "team", "Value": "payments"}]},
	{"Name": "prod/api-key", "Region": "eu-west-1", "Versions": [
		{"SecretString": "old", "VersionStages": ["AWSPREVIOUS"]},
		{"SecretString": "new", "VersionStages": ["AWSCURRENT"]}
	]}
]}`

// TestSeed checks -seed: its secrets are there at start, a restart on a
// state keeps the changes made since, the file is never written, and a
// file that does not apply stops the emulator at start.
func TestSeed(t *testing.T) {
	path := writeFile(t, "seed.json", seedFile)
	info, _ := os.Stat(path)
	state := filepath.Join(t.TempDir(), "state.db")
	addr, log, stop := emulator(t, "-state", state, "-seed", path)
	if got := mustSend(t, addr, "GetSecretValue", `{"SecretId":"prod/db"}`); got["SecretString"] != "seeded" {
		t.Errorf("GetSecretValue(prod/db) = %v, want the seed's", got)
	}
	status, got, _ := callAs(http.DefaultClient, addr, euWest, "GetSecretValue", `{"SecretId":"prod/api-key","VersionStage":"AWSPREVIOUS"}`)
	if status != 200 || got["SecretString"] != "old" {
		t.Errorf("GetSecretValue(prod/api-key, AWSPREVIOUS) in eu-west-1 = %d %v, want old", status, got)
	}
	if !strings.Contains(log.String(), "msg=seeded") || !strings.Contains(log.String(), "created=2") {
		t.Errorf("no seeded line in the log:\n%s", log)
	}
	mustSend(t, addr, "PutSecretValue", `{"SecretId":"prod/db","ClientRequestToken":"`+token(1, 2, 3)+`","SecretString":"changed"}`)
	stop()

	addr, log, stop = emulator(t, "-state", state, "-seed", path)
	defer stop()
	if got := mustSend(t, addr, "GetSecretValue", `{"SecretId":"prod/db"}`); got["SecretString"] != "changed" {
		t.Errorf("after a restart with the seed, GetSecretValue(prod/db) = %v, want the change made since", got)
	}
	if !strings.Contains(log.String(), "kept=2") {
		t.Errorf("the log does not say the secrets were kept:\n%s", log)
	}
	if after, _ := os.Stat(path); after.ModTime() != info.ModTime() || after.Size() != info.Size() {
		t.Error("the seed file was written")
	}
	if data, _ := os.ReadFile(path); string(data) != seedFile {
		t.Error("the seed file changed")
	}
}

// TestSeedErrors checks that a seed file that cannot be read or applied
// stops the emulator at start, exit 1, saying why, and adds nothing to its
// state.
func TestSeedErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file string
		want       string
	}{
		{"missing", "", "no such file"},
		{"not JSON", "{\n  \"Secrets\": [\n    {\"Name\": }\n]}", "line 3, column 14"},
		{"a member unknown", `{"Secrets": [{"Name": "a", "Value": "v"}]}`, `unknown field "Value"`},
		{"a name refused", `{"Secrets": [{"Name": "fine", "SecretString": "v"}, {"Name": "bad name"}]}`, `secret 2 ("bad name")`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "missing.json")
			if tt.file != "" {
				path = writeFile(t, "seed.json", tt.file)
			}
			state := filepath.Join(dir, strings.Repeat("s", i+1)+".db")
			code, _, stderr := runBinary(t, "-addr", "127.0.0.1:0", "-state", state, "-seed", path)
			if code != 1 || !strings.Contains(stderr, "-seed") || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and a message about -seed with %q", code, stderr, tt.want)
			}
			if _, err := os.Stat(state); err == nil {
				var out bytes.Buffer
				if err := run(context.Background(), []string{"-state", state, "-export", "-"}, &out, io.Discard, nil); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(out.String(), `"Name"`) {
					t.Errorf("the state holds secrets after a failed seed:\n%s", out.String())
				}
			}
		})
	}
}

// TestSeedExport checks that -seed with -export writes the seeded secrets:
// a seed file becomes a snapshot.
func TestSeedExport(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-seed", writeFile(t, "seed.json", seedFile), "-export", "-"}, &out, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Name": "prod/db"`, `"Name": "prod/api-key"`, `arn:aws:secretsmanager:eu-west-1:`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("export lacks %s:\n%s", want, out.String())
		}
	}
}

// TestLogFormat checks that -log-format json writes one JSON object a
// line, startup and requests included, and that another format is a
// usage error.
func TestLogFormat(t *testing.T) {
	addr, log, stop := emulator(t, "-log-format", "json")
	mustSend(t, addr, "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"s3cret"}`)
	adminRequest(t, addr, http.MethodGet, "/_stagelabel/health", nil, sigv4.Key{})
	stop()
	var msgs []string
	sc := bufio.NewScanner(strings.NewReader(log.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		msgs = append(msgs, line["msg"].(string))
		if line["msg"] == "request" && line["op"] == "CreateSecret" && line["secret"] != "a" {
			t.Errorf("request line %v lacks the secret", line)
		}
	}
	if diff := cmp.Diff([]string{"listening", "request", "request", "shutting down", "stopped"}, msgs); diff != "" {
		t.Errorf("log messages mismatch (-want +got):\n%s", diff)
	}
	if strings.Contains(log.String(), "s3cret") {
		t.Errorf("the log leaks a value:\n%s", log)
	}
	if code, _, stderr := runBinary(t, "-log-format", "xml"); code != 2 || !strings.Contains(stderr, `want "text" or "json"`) {
		t.Errorf("-log-format xml: exit %d, want 2\n%s", code, stderr)
	}
}

// TestVersion checks that -version prints the build's version and exits
// 0 without serving, and, for a binary built with VCS stamping from a
// checkout, names the revision.
func TestVersion(t *testing.T) {
	code, stdout, _ := runBinary(t, "-version", "-addr", "256.0.0.1:1")
	if code != 0 || !strings.HasPrefix(stdout, "stagelabel-emulator ") || !strings.Contains(stdout, " go1.") {
		t.Errorf("-version: exit %d, %q", code, stdout)
	}
	if testing.Short() {
		return
	}
	rev, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("no git checkout: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "stagelabel-emulator")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -buildvcs=true: %v\n%s", err, out)
	}
	if info, err := exec.Command("go", "version", "-m", bin).Output(); err != nil || !strings.Contains(string(info), "vcs.revision=") {
		t.Skipf("the go command recorded no VCS revision in this checkout (it does not recognize a git worktree, whose .git is a file): %v\n%s", err, info)
	}
	out, err := exec.Command(bin, "-version").Output()
	if err != nil || !strings.Contains(string(out), "revision "+strings.TrimSpace(string(rev))) {
		t.Errorf("-version of a build stamped with the VCS = %q, %v; want revision %s", out, err, rev)
	}
}

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"a checkout, no VCS", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "stagelabel-emulator (devel) go1.26.8"},
		{"a tagged module", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.0"}}, "stagelabel-emulator v0.1.0 go1.26.8"},
		{"a checkout with changes", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261126101604-d950c8936cde+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "d950c8936cde"}, {Key: "vcs.time", Value: "2026-11-26T10:16:04Z"}, {Key: "vcs.modified", Value: "true"}}},
			"stagelabel-emulator v0.0.0-20261126101604-d950c8936cde+dirty (revision d950c8936cde, 2026-11-26T10:16:04Z, modified) go1.26.8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromBuildInfo(&tt.bi).String(); got != tt.want {
				t.Errorf("fromBuildInfo().String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFlagsFromEnv checks that STAGELABEL_<NAME> gives a flag, that the
// command line overrides it, and that a bad value is a usage error naming
// the variable.
func TestFlagsFromEnv(t *testing.T) {
	t.Setenv("STAGELABEL_REGION", "eu-west-1")
	t.Setenv("STAGELABEL_ALLOW_HOST", "emulator")
	t.Setenv("STAGELABEL_LOG_FORMAT", "json")
	t.Setenv("STAGELABEL_ACCOUNT", "111122223333")
	addr, log, stop := emulator(t, "-account", "210987654321")
	out := mustSend(t, addr, "CreateSecret", `{"Name":"a","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)
	if arn := out["ARN"].(string); !strings.HasPrefix(arn, "arn:aws:secretsmanager:us-east-1:210987654321:") {
		t.Errorf("ARN %s: want the signature's region and the command line's account", arn)
	}
	status, _, _ := callAs(http.DefaultClient, addr, "", "ListSecrets", `{}`) // unsigned: the default region
	if status != 200 {
		t.Errorf("ListSecrets unsigned = %d", status)
	}
	if status, _ := adminRequest(t, addr, http.MethodGet, "/_stagelabel/health", map[string]string{"Host": "emulator:4566"}, sigv4.Key{}); status != 200 {
		t.Errorf("Host emulator:4566 (STAGELABEL_ALLOW_HOST) = %d, want 200", status)
	}
	_, h := adminRequest(t, addr, http.MethodGet, "/_stagelabel/health", nil, sigv4.Key{})
	stop()
	if diff := cmp.Diff([]string{"eu-west-1/210987654321: 0", "us-east-1/210987654321: 1"}, namespaces(h)); diff != "" {
		t.Errorf("namespaces mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(log.String(), "{") {
		t.Errorf("the log is not JSON (STAGELABEL_LOG_FORMAT):\n%s", log)
	}

	t.Setenv("STAGELABEL_LOG_FORMAT", "xml")
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // should it serve, it stops at once
	err := run(ctx, []string{"-addr", "127.0.0.1:0"}, io.Discard, &stderr, nil)
	if !errors.As(err, new(usageError)) || !strings.Contains(stderr.String(), `STAGELABEL_LOG_FORMAT="xml" (-log-format)`) {
		t.Errorf("run() with STAGELABEL_LOG_FORMAT=xml = %v\n%s\nwant a usage error naming the variable", err, stderr.String())
	}
}
