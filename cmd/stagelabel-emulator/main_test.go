package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the emulator built for the tests that run it as a process.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stagelabel-emulator-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var build struct {
	once sync.Once
	path string
	err  error
}

// emulatorBinary returns the path of the emulator built from this
// package's source, building it on the first call.
func emulatorBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		path := filepath.Join(binDir, "stagelabel-emulator")
		if out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput(); err != nil {
			build.err = fmt.Errorf("building the emulator: %v\n%s", err, out)
			return
		}
		build.path = path
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// emulator runs the command in this process until the returned stop is
// called, and returns its address and its log.
func emulator(t testing.TB, args ...string) (addr string, log *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log = &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, log, func(a string) { ready <- a })
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

// call posts one request, signed (unchecked) for us-east-1, and returns
// the status and the decoded answer. It does not fail the test, so that
// any goroutine may call it.
func call(client *http.Client, addr, op, body string) (int, map[string]any, error) {
	return callAs(client, addr, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/secretsmanager/aws4_request, Signature=deadbeef", op, body)
}

// callAs is call with the Authorization header auth, none when "".
func callAs(client *http.Client, addr, auth, op, body string) (int, map[string]any, error) {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Amz-Target", "secretsmanager."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s: answer %q: %v", op, raw, err)
	}
	return resp.StatusCode, m, nil
}

// send posts one request and returns the status and the decoded answer.
func send(t *testing.T, addr, op, body string) (int, map[string]any) {
	t.Helper()
	status, out, err := call(http.DefaultClient, addr, op, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, out
}

// mustSend posts one request that must succeed.
func mustSend(t *testing.T, addr, op, body string) map[string]any {
	t.Helper()
	status, out := send(t, addr, op, body)
	if status != http.StatusOK {
		t.Fatalf("%s %s = %d %v", op, body, status, out)
	}
	return out
}

const tok1 = "00000001-0000-4000-8000-000000000000"

func TestStateSurvivesRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	addr, log, stop := emulator(t, "-state", state, "-region", "eu-west-1")
	status, out := send(t, addr, "CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"s3cret-value"}`)
	if status != 200 || !strings.HasPrefix(out["ARN"].(string), "arn:aws:secretsmanager:us-east-1:") { // the signature's region
		t.Fatalf("CreateSecret = %d %v", status, out)
	}
	if info, err := os.Stat(state); err != nil {
		t.Error(err)
	} else if info.Mode().Perm()&0o077 != 0 {
		t.Errorf("state file mode %v: want it readable by its owner only", info.Mode().Perm())
	}
	send(t, addr, "GetSecretValue", `{"SecretId":"db"}`)
	stop()

	if strings.Contains(log.String(), "s3cret-value") || strings.Contains(log.String(), "deadbeef") {
		t.Errorf("the log leaks a value or a credential:\n%s", log)
	}
	if !strings.Contains(log.String(), "op=CreateSecret secret=db status=200") {
		t.Errorf("no request line in the log:\n%s", log)
	}
	if names := dirNames(t, filepath.Dir(state)); !slices.Equal(names, []string{"state.db"}) {
		t.Errorf("files beside the state: %v, want only state.db", names)
	}

	addr, _, stop = emulator(t, "-state", state, "-region", "eu-west-1")
	defer stop()
	status, got := send(t, addr, "GetSecretValue", `{"SecretId":"db"}`)
	if status != 200 || got["SecretString"] != "s3cret-value" || got["VersionId"] != tok1 {
		t.Errorf("after restart GetSecretValue = %d %v", status, got)
	}
}

// TestNamespacesFromRequests checks that the emulator serves each request
// from the namespace of the region its signature is scoped to and the
// account its 12-digit access key names, -region and -account serving the
// requests that carry none (docs/semantics.md §N13), and that a restart
// keeps every namespace.
func TestNamespacesFromRequests(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	as := func(key, region string) string {
		return "AWS4-HMAC-SHA256 Credential=" + key + "/20261122/" + region + "/secretsmanager/aws4_request, SignedHeaders=host, Signature=deadbeef"
	}
	callers := map[string]string{ // the ARN prefix each caller's secret gets
		as("AKIDEXAMPLE", "us-east-1"):  "arn:aws:secretsmanager:us-east-1:210987654321:secret:db-",
		as("AKIDEXAMPLE", "eu-west-1"):  "arn:aws:secretsmanager:eu-west-1:210987654321:secret:db-",
		as("111122223333", "eu-west-1"): "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-",
		"":                              "arn:aws:secretsmanager:ap-south-1:210987654321:secret:db-",
	}
	addr, _, stop := emulator(t, "-state", state, "-region", "ap-south-1", "-account", "210987654321")
	for auth, want := range callers {
		status, out, err := callAs(http.DefaultClient, addr, auth, "CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"v"}`)
		if err != nil || status != 200 || !strings.HasPrefix(out["ARN"].(string), want) {
			t.Errorf("CreateSecret as %q = %d %v %v; want ARN %s…", auth, status, out, err, want)
		}
	}
	stop()
	addr, _, stop = emulator(t, "-state", state, "-region", "ap-south-1", "-account", "210987654321")
	defer stop()
	for auth, want := range callers {
		status, out, err := callAs(http.DefaultClient, addr, auth, "ListSecrets", `{}`)
		list, _ := out["SecretList"].([]any)
		if err != nil || status != 200 || len(list) != 1 || !strings.HasPrefix(list[0].(map[string]any)["ARN"].(string), want) {
			t.Errorf("after a restart, ListSecrets as %q = %d %v %v; want its own secret alone, %s…", auth, status, out, err, want)
		}
	}
	if code, _, stderr := runBinary(t, "-region", "not a region"); code == 0 || !strings.Contains(stderr, "a region is such a name as eu-west-1") {
		t.Errorf("-region 'not a region': exit %d, %s", code, stderr)
	}
}

// TestEmptyFile checks that an empty file at the state's path (made by
// touch, say) becomes the database.
func TestEmptyFile(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	os.WriteFile(state, nil, 0o600)
	addr, _, stop := emulator(t, "-state", state)
	mustSend(t, addr, "CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"x"}`)
	stop()
	if k, err := kindOf(state); k != boltState || err != nil {
		t.Errorf("kindOf(state) = %v, %v, want a database", k, err)
	}
}

// TestInMemory checks that without -state nothing is written and the
// emulator serves.
func TestInMemory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	addr, _, stop := emulator(t)
	mustSend(t, addr, "CreateSecret", `{"Name":"db","ClientRequestToken":"`+tok1+`","SecretString":"x"}`)
	stop()
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("files written without -state: %v", names)
	}
}

// TestStalledConnection checks that a connection that sends part of its
// headers and then nothing is closed after readHeaderTimeout.
func TestStalledConnection(t *testing.T) {
	t.Parallel()
	addr, _, stop := emulator(t)
	defer stop()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\n")
	// The server's clock starts at its accept, which may come a little
	// before start or, on a busy machine, well after it: the bounds are
	// loose, and the point is that the server closes the connection, near
	// its timeout, rather than keep it.
	conn.SetReadDeadline(time.Now().Add(3 * readHeaderTimeout))
	n, err := conn.Read(make([]byte, 1))
	if took := time.Since(start); err != io.EOF || took < readHeaderTimeout/2 {
		t.Errorf("a stalled connection: read %d bytes, %v, after %v; want EOF after about %v", n, err, took, readHeaderTimeout)
	}
}

// TestHelp checks that -h prints the usage, flags and their documentation
// included, and is not an error; and that a bad flag is a usage error.
func TestHelp(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-h"}, io.Discard, &out, nil)
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("run(-h) = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-state PATH", "-export FILE", "-import FILE", "-addr", "-region", "-account", "migrated", "-credentials FILE", "-allow-host NAME"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
	code, stdout, stderr := runBinary(t, "-h")
	if code != 0 || !strings.Contains(stdout+stderr, "-export FILE") {
		t.Errorf("stagelabel-emulator -h: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := runBinary(t, "-no-such-flag"); code != 2 || !strings.Contains(stderr, "no-such-flag") {
		t.Errorf("stagelabel-emulator -no-such-flag: exit %d, want 2\n%s", code, stderr)
	}
}

// TestStartErrors checks that an unusable state location is reported at
// start, with exit status 1 and a message that names the fault, and that
// the file found there is left as it was.
func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "regular-file")
	os.WriteFile(file, []byte("x"), 0o600)
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 1000), 0o600)
	small := filepath.Join(dir, "small.db")
	os.WriteFile(small, []byte("\x00\x01"), 0o600)
	blank := filepath.Join(dir, "blank.json")
	os.WriteFile(blank, []byte(" \n\t"), 0o600)
	truncated := filepath.Join(dir, "truncated.json")
	os.WriteFile(truncated, []byte(` {"Format":1,"Secrets":[{"Name":`), 0o600)
	os.WriteFile(truncated+".1234", []byte("left by a crash"), 0o600)
	locked := filepath.Join(dir, "locked.db")
	p := startProcess(t, "-state", locked)
	defer p.stop(t)

	tests := []struct {
		name  string
		state string
		want  string // in the message
	}{
		{"the directory is missing", filepath.Join(dir, "missing", "state.db"), "does not exist"},
		{"the parent is a regular file", filepath.Join(file, "state.db"), "is not a directory"},
		{"the state is a directory", dir, "it is a directory"},
		{"the state is neither JSON nor a database", garbage, "it is neither a bbolt database nor a JSON state file"},
		{"the state is two bytes", small, "it is neither a bbolt database nor a JSON state file"},
		{"the state is white space", blank, "it is neither a bbolt database nor a JSON state file"},
		{"the JSON state does not load", truncated, "loading snapshot"},
		{"another emulator holds the state", locked, locked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.state)
			start := time.Now()
			code, _, stderr := runBinary(t, "-addr", "127.0.0.1:0", "-state", tt.state)
			if code != 1 || !strings.Contains(stderr, "stagelabel-emulator: state "+tt.state) || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and a message about the state with %q", code, stderr, tt.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to fail", d)
			}
			if after, _ := os.ReadFile(tt.state); !bytes.Equal(before, after) {
				t.Errorf("the state file changed")
			}
		})
	}
	if _, err := os.Stat(truncated + ".1234"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old emulator's temporary file is still there: %v", err)
	}
	if _, err := os.Stat(truncated + migrationSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the failed migration left its database: %v", err)
	}
}

// TestLeftover checks which names are taken for temporary files of the
// state.
func TestLeftover(t *testing.T) {
	tests := []struct {
		name          string
		olderEmulator bool // the state file is still an older emulator's JSON
		want          bool
	}{
		{"state.json.123456789", true, true}, // os.CreateTemp(dir, "state.json.*")
		{"state.json.0", true, true},
		{"state.json.123456789", false, false}, // beside a database: the user's (a backup, say)
		{"state.json.20250101", false, false},
		{"state.json.migrating", true, true},
		{"state.json.migrating", false, true},
		{"state.json", true, false},
		{"state.json.", true, false},
		{"state.json.bak", true, false},
		{"state.json.12a", true, false},
		{"state.json.123.migrating", true, false},
		{"other.json.123", true, false},
		{"xstate.json.123", true, false},
	}
	for _, tt := range tests {
		if got := leftover("state.json", tt.name, tt.olderEmulator); got != tt.want {
			t.Errorf("leftover(state.json, %q, %v) = %v, want %v", tt.name, tt.olderEmulator, got, tt.want)
		}
	}
}

// TestSIGTERMUnderLoad sends SIGTERM to the emulator while writers keep
// it busy: it must drain, exit 0 within its shutdown timeout, and keep
// every write it acknowledged.
func TestSIGTERMUnderLoad(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	p := startProcess(t, "-state", state)
	const writers = 16
	for w := range writers {
		mustSend(t, p.addr, "CreateSecret", fmt.Sprintf(`{"Name":"s%d","ClientRequestToken":"%s","SecretString":"v0"}`, w, token(w, 0, 0)))
	}
	last := make([]int, writers) // the last acknowledged put of each writer
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			client := &http.Client{Timeout: 20 * time.Second}
			for i := 1; ; i++ {
				status, out, err := call(client, p.addr, "PutSecretValue",
					fmt.Sprintf(`{"SecretId":"s%d","ClientRequestToken":"%s","SecretString":"v%d"}`, w, token(w, 0, i), i))
				if err != nil {
					return // stopped
				}
				if status != http.StatusOK {
					t.Errorf("PutSecretValue = %d %v", status, out)
					return
				}
				last[w] = i
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	code := p.wait()
	took := time.Since(start)
	wg.Wait()
	total := 0
	for _, n := range last {
		total += n
	}
	t.Logf("SIGTERM under load (%d writers, %d writes acknowledged): exit %d after %v", writers, total, code, took)
	if code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0\n%s", code, p.log)
	}
	if took > shutdownTimeout {
		t.Errorf("shutdown took %v, more than %v", took, shutdownTimeout)
	}
	if !strings.Contains(p.log.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", p.log)
	}

	addr, _, stop := emulator(t, "-state", state)
	defer stop()
	for w, i := range last {
		out := mustSend(t, addr, "GetSecretValue", fmt.Sprintf(`{"SecretId":"s%d","VersionId":"%s"}`, w, token(w, 0, i)))
		if out["SecretString"] != fmt.Sprintf("v%d", i) {
			t.Errorf("s%d: acknowledged put %d reads %v", w, i, out)
		}
	}
}

// token returns a ClientRequestToken (a UUID) made of its arguments.
func token(a, b, c int) string {
	return fmt.Sprintf("%08x-%04x-4000-8000-%012x", a, b, c)
}

// process is the emulator binary running.
type process struct {
	cmd  *exec.Cmd
	addr string
	log  *syncBuffer // its standard error
	done chan struct{}
}

var listening = regexp.MustCompile(`msg=listening addr=(127\.0\.0\.1:\d+)`)

// startProcess starts the emulator binary on 127.0.0.1:0 with args and
// waits until it listens.
func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	p := spawn(t, args...)
	deadline := time.After(10 * time.Second)
	for p.addr == "" {
		if m := listening.FindStringSubmatch(p.log.String()); m != nil {
			p.addr = m[1]
			break
		}
		select {
		case <-p.done:
			t.Fatalf("the emulator exited before listening: %v\n%s", p.cmd.ProcessState, p.log)
		case <-deadline:
			p.cmd.Process.Kill()
			t.Fatalf("the emulator did not listen within 10 s:\n%s", p.log)
		case <-time.After(2 * time.Millisecond):
		}
	}
	return p
}

// spawn starts the emulator binary on 127.0.0.1:0 with args.
func spawn(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(emulatorBinary(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r := bufio.NewReader(stderr)
		for {
			line, err := r.ReadBytes('\n')
			p.log.Write(line)
			if err != nil {
				break
			}
		}
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { // a test that failed early leaves no emulator running
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits for the process to exit and returns its exit status; -1 when
// a signal ended it.
func (p *process) wait() int {
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

// stop ends the process with SIGTERM and checks that it exits 0.
func (p *process) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(2 * shutdownTimeout):
		p.cmd.Process.Kill()
		<-p.done
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("the emulator exited %d after SIGTERM:\n%s", code, p.log)
	}
}

// runBinary runs the emulator binary to its end (for at most 30 s) and
// returns its exit status and output.
func runBinary(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, emulatorBinary(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// dirNames returns the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
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
