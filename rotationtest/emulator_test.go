package rotationtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the emulator binary the tests build.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stagelabel-rotationtest")
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

// emulatorBinary returns the path of the emulator built from
// ../cmd/stagelabel-emulator, building it on the first call.
func emulatorBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		path := filepath.Join(binDir, "stagelabel-emulator")
		cmd := exec.Command("go", "build", "-o", path, ".")
		cmd.Dir = filepath.Join("..", "cmd", "stagelabel-emulator")
		if out, err := cmd.CombinedOutput(); err != nil {
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

var listening = regexp.MustCompile(`msg=listening addr=(127\.0\.0\.1:\d+)`)

// startEmulator runs the emulator binary on 127.0.0.1:0 with args until
// the test ends, and returns its address and its log (standard error).
func startEmulator(t *testing.T, args ...string) (addr string, log *syncBuffer) {
	t.Helper()
	log = &syncBuffer{}
	cmd := exec.Command(emulatorBinary(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		r := bufio.NewReader(stderr)
		for {
			line, err := r.ReadBytes('\n')
			log.Write(line)
			if err != nil {
				break
			}
		}
		cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("the emulator's log:\n%s", log)
		}
	})
	deadline := time.After(10 * time.Second)
	for {
		if m := listening.FindStringSubmatch(log.String()); m != nil {
			return m[1], log
		}
		select {
		case <-done:
			t.Fatalf("the emulator exited before listening: %v\n%s", cmd.ProcessState, log)
		case <-deadline:
			t.Fatalf("the emulator did not listen within 10 s:\n%s", log)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
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
