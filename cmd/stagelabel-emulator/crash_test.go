package main

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of the crash test.
const (
	crashKills   = 24 // SIGKILLs, at least 20
	crashWriters = 4  // concurrent writers, each on its own secret
	crashEpoch   = 250 * time.Millisecond
)

// crashRand returns the random source of a crash test, seeded by
// CRASH_SEED when it is set, else by the time; the seed is logged, to
// replay a run.
func crashRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("CRASH_SEED=%d", seed)
	return rand.New(rand.NewPCG(seed, 0))
}

// TestCrash kills the emulator with SIGKILL at random moments while
// writers change secrets through it, and restarts it on the same state
// each time. After each restart every acknowledged write must be there
// and whole; the write each writer had in flight may or may not be, but
// whole or not at all; the labels of each secret must be those after its
// last acknowledged write, or after the one in flight; and nothing but the
// database stays in the directory. Set CRASH_SEED to replay a run.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills the emulator many times")
	}
	rnd := crashRand(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	writers := make([]*writer, crashWriters)
	for w := range writers {
		writers[w] = &writer{id: w, name: fmt.Sprintf("w%d", w), labels: map[string]string{}, values: map[string]string{},
			created: map[string]string{}, rnd: rand.New(rand.NewPCG(rnd.Uint64(), uint64(w)+1))}
	}
	began := time.Now()
	acked, kills, startKills := 0, 0, 0
	for kills < crashKills {
		if rnd.IntN(5) == 0 {
			// Killed while starting: opening or loading the state.
			p := spawn(t, "-state", state)
			time.Sleep(time.Duration(rnd.IntN(int(20 * time.Millisecond))))
			p.cmd.Process.Signal(syscall.SIGKILL)
			p.wait()
			kills++
			startKills++
			continue
		}
		p := startProcess(t, "-state", state)
		if names := dirNames(t, dir); !slices.Equal(names, []string{"state.db"}) {
			t.Fatalf("after restart %d the directory holds %v, want only state.db", kills, names)
		}
		client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
		for _, w := range writers {
			w.check(t, client, p.addr)
		}
		if t.Failed() {
			p.cmd.Process.Kill()
			t.Fatalf("after restart %d:\n%s", kills, p.log)
		}

		var wg sync.WaitGroup
		for _, w := range writers {
			wg.Go(func() { w.write(t, client, p.addr) })
		}
		time.Sleep(time.Duration(rnd.Int64N(int64(crashEpoch))))
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait()
		wg.Wait()
		kills++
		if names := dirNames(t, dir); !slices.Equal(names, []string{"state.db"}) {
			t.Fatalf("after kill %d the directory holds %v, want only state.db", kills, names)
		}
		client.CloseIdleConnections()
	}

	p := startProcess(t, "-state", state)
	defer p.stop(t)
	client := &http.Client{Timeout: 10 * time.Second}
	for _, w := range writers {
		w.check(t, client, p.addr)
		acked += w.acked
	}
	t.Logf("%d SIGKILLs (%d while starting), %d writes acknowledged, in %v", kills, startKills, acked, time.Since(began).Round(time.Millisecond))
	if acked < 10*crashWriters {
		t.Errorf("only %d writes were acknowledged: the test tested little", acked)
	}
}

// writer changes its own secret through the emulator, one request at a
// time, and keeps a model of what the emulator acknowledged.
type writer struct {
	id   int
	name string // its secret
	rnd  *rand.Rand
	n    int // requests made: the last part of their tokens

	exists  bool
	labels  map[string]string // label → version id, as acknowledged
	values  map[string]string // version id → value, as acknowledged
	created map[string]string // name of each other secret it created → the value of its one version
	acked   int

	pending *op      // the request that got no answer, if any
	fresh   []string // version ids and secrets acknowledged since the last check
}

// op is one request of a writer and what it does to the model.
type op struct {
	name, body string
	apply      func(w *writer) // changes the model as the request does
	secret     string          // a secret it creates, if any
	version    string          // a version of w.name it creates, if any
}

// next returns a request that the emulator, in the state of the model,
// must acknowledge.
func (w *writer) next() op {
	w.n++
	tok := token(w.id, 0, w.n)
	value := fmt.Sprintf("value %d/%d ünïcode", w.id, w.n)
	name := w.name
	if !w.exists {
		return op{name: "CreateSecret", body: fmt.Sprintf(`{"Name":%q,"ClientRequestToken":%q,"SecretString":%q}`, name, tok, value), version: tok,
			apply: func(w *writer) {
				w.exists = true
				w.labels["AWSCURRENT"] = tok
				w.values[tok] = value
			}}
	}
	ids := slices.Sorted(maps.Keys(w.values))
	switch r := w.rnd.IntN(10); {
	case r < 2 && len(ids) > 1:
		to := ids[w.rnd.IntN(len(ids))]
		from := w.labels["L"]
		if to == from {
			break
		}
		body := fmt.Sprintf(`{"SecretId":%q,"VersionStage":"L","MoveToVersionId":%q}`, name, to)
		if from != "" {
			body = fmt.Sprintf(`{"SecretId":%q,"VersionStage":"L","MoveToVersionId":%q,"RemoveFromVersionId":%q}`, name, to, from)
		}
		return op{name: "UpdateSecretVersionStage", body: body,
			apply: func(w *writer) { w.labels["L"] = to }}
	case r < 3:
		other := fmt.Sprintf("%s-c%d", name, w.n)
		return op{name: "CreateSecret", body: fmt.Sprintf(`{"Name":%q,"ClientRequestToken":%q,"SecretString":%q}`, other, tok, value), secret: other,
			apply: func(w *writer) { w.created[other] = value }}
	}
	return op{name: "PutSecretValue", body: fmt.Sprintf(`{"SecretId":%q,"ClientRequestToken":%q,"SecretString":%q}`, name, tok, value), version: tok,
		apply: func(w *writer) {
			w.labels["AWSPREVIOUS"] = w.labels["AWSCURRENT"]
			w.labels["AWSCURRENT"] = tok
			w.values[tok] = value
		}}
}

// write sends requests until one gets no answer, which it keeps as
// pending.
func (w *writer) write(t *testing.T, client *http.Client, addr string) {
	for {
		o := w.next()
		status, out, err := call(client, addr, o.name, o.body)
		if err != nil {
			w.pending = &o
			return
		}
		if status != http.StatusOK {
			t.Errorf("%s %s = %d %v", o.name, o.body, status, out)
			return
		}
		o.apply(w)
		w.acked++
		w.fresh = append(w.fresh, o.version, o.secret)
	}
}

// check compares what the emulator holds with the model: the labels of
// the writer's secret, the presence of every acknowledged version and
// secret, and the values of those acknowledged since the last check (a
// value never changes once read right). It settles the pending request:
// if the emulator holds its effect, whole, the model takes it.
func (w *writer) check(t *testing.T, client *http.Client, addr string) {
	t.Helper()
	get := func(op, body string) (int, map[string]any) {
		t.Helper()
		status, out, err := call(client, addr, op, body)
		if err != nil {
			t.Fatal(err)
		}
		return status, out
	}
	if o := w.pending; o != nil {
		w.pending = nil
		// Whole or not at all: what it creates exists exactly when the
		// labels show it.
		after := w.clone()
		o.apply(after)
		status, out := get("DescribeSecret", fmt.Sprintf(`{"SecretId":%q}`, w.name))
		got := holders(status, out)
		if o.secret != "" {
			status, out := get("GetSecretValue", fmt.Sprintf(`{"SecretId":%q}`, o.secret))
			switch {
			case status == http.StatusOK && out["SecretString"] == after.created[o.secret]:
				*w = *after
				w.fresh = append(w.fresh, o.secret)
			case status != http.StatusBadRequest || out["__type"] != "ResourceNotFoundException":
				t.Errorf("%s, unacknowledged: GetSecretValue(%s) = %d %v, want its value or not found", o.name, o.secret, status, out)
			}
		} else if maps.Equal(got, after.labels) && !maps.Equal(got, w.labels) {
			*w = *after
			w.fresh = append(w.fresh, o.version)
		} else if o.version != "" {
			status, out := get("GetSecretValue", fmt.Sprintf(`{"SecretId":%q,"VersionId":%q}`, w.name, o.version))
			if status == http.StatusOK {
				t.Errorf("%s %s, unacknowledged: its version is there but the labels are %v", o.name, o.body, got)
			} else if out["__type"] != "ResourceNotFoundException" {
				t.Errorf("%s, unacknowledged: GetSecretValue of its version = %d %v, want not found", o.name, status, out)
			}
		}
	}
	if !w.exists {
		return
	}

	status, out := get("DescribeSecret", fmt.Sprintf(`{"SecretId":%q}`, w.name))
	got := holders(status, out)
	if !maps.Equal(got, w.labels) {
		t.Errorf("%s: labels %v, want %v (DescribeSecret %d)", w.name, got, w.labels, status)
	}
	// Every acknowledged version is listed.
	listed := map[string]bool{}
	for token := ""; ; {
		body := fmt.Sprintf(`{"SecretId":%q,"IncludeDeprecated":true,"MaxResults":100}`, w.name)
		if token != "" {
			body = fmt.Sprintf(`{"SecretId":%q,"IncludeDeprecated":true,"MaxResults":100,"NextToken":%q}`, w.name, token)
		}
		status, out := get("ListSecretVersionIds", body)
		if status != http.StatusOK {
			t.Fatalf("ListSecretVersionIds = %d %v", status, out)
		}
		for _, v := range out["Versions"].([]any) {
			listed[v.(map[string]any)["VersionId"].(string)] = true
		}
		next, _ := out["NextToken"].(string)
		if next == "" {
			break
		}
		token = next
	}
	if len(listed) != len(w.values) {
		t.Errorf("%s: %d versions listed, want %d", w.name, len(listed), len(w.values))
	}
	for id := range w.values {
		if !listed[id] {
			t.Errorf("%s: acknowledged version %s is gone", w.name, id)
		}
	}
	if n := w.countCreated(t, client, addr); n != len(w.created) {
		t.Errorf("%s: %d secrets it created listed, want %d", w.name, n, len(w.created))
	}
	// Values: those acknowledged since the last check.
	for _, x := range w.fresh {
		if x == "" {
			continue
		}
		want, body := w.values[x], fmt.Sprintf(`{"SecretId":%q,"VersionId":%q}`, w.name, x)
		if v, ok := w.created[x]; ok {
			want, body = v, fmt.Sprintf(`{"SecretId":%q}`, x)
		}
		status, out := get("GetSecretValue", body)
		if status != http.StatusOK || out["SecretString"] != want {
			t.Errorf("acknowledged %s: GetSecretValue %s = %d %v, want value %q", x, body, status, out, want)
		}
	}
	w.fresh = w.fresh[:0]
}

// countCreated returns the number of secrets the emulator lists among
// those the writer may have created.
func (w *writer) countCreated(t *testing.T, client *http.Client, addr string) int {
	t.Helper()
	n := 0
	for token := ""; ; {
		body := fmt.Sprintf(`{"MaxResults":100,"Filters":[{"Key":"name","Values":[%q]}]}`, w.name+"-c")
		if token != "" {
			body = fmt.Sprintf(`{"MaxResults":100,"Filters":[{"Key":"name","Values":[%q]}],"NextToken":%q}`, w.name+"-c", token)
		}
		status, out, err := call(client, addr, "ListSecrets", body)
		if err != nil || status != http.StatusOK {
			t.Fatalf("ListSecrets = %d %v %v", status, out, err)
		}
		for _, s := range out["SecretList"].([]any) {
			if strings.HasPrefix(s.(map[string]any)["Name"].(string), w.name+"-c") {
				n++
			}
		}
		next, _ := out["NextToken"].(string)
		if next == "" {
			return n
		}
		token = next
	}
}

// clone returns a copy of the writer's model.
func (w *writer) clone() *writer {
	c := *w
	c.labels, c.values, c.created = maps.Clone(w.labels), maps.Clone(w.values), maps.Clone(w.created)
	c.fresh = slices.Clone(w.fresh)
	return &c
}

// TestCrashDuringMigration kills the emulator with SIGKILL at random
// moments of the migration of a JSON state file: the file must then be
// the JSON state, as it was, or a database, and the next start must serve
// every secret as it was and leave nothing beside the state.
func TestCrashDuringMigration(t *testing.T) {
	if testing.Short() {
		t.Skip("kills the emulator many times")
	}
	old := oldState(t, 600)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 0))

	// How long a start with a whole migration takes, to kill within it.
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	os.WriteFile(state, old, 0o600)
	emulatorBinary(t) // built before the clock starts
	began := time.Now()
	p := startProcess(t, "-state", state)
	whole := time.Since(began)
	p.stop(t)

	var kept, migrated, leftovers int
	const kills = 12
	for range kills {
		dir := t.TempDir()
		state := filepath.Join(dir, "state.json")
		os.WriteFile(state, old, 0o600)
		p := spawn(t, "-state", state)
		time.Sleep(time.Duration(rnd.Int64N(int64(whole * 3 / 2)))) // a third after it
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait()
		if len(dirNames(t, dir)) > 1 {
			leftovers++
		}
		if now, _ := os.ReadFile(state); bytes.Equal(now, old) {
			kept++
		} else if k, err := kindOf(state); err == nil && k == boltState {
			migrated++
		} else {
			t.Fatalf("after a kill the state is neither the JSON state nor a database: %v %.100q", err, now)
		}
		code, stdout, stderr := runBinary(t, "-state", state, "-export", "-")
		if code != 0 || stdout != string(old) {
			t.Fatalf("after a kill during the migration: exit %d, the state exports as\n%.1000s\n%s", code, stdout, stderr)
		}
		if names := dirNames(t, dir); !slices.Equal(names, []string{"state.json"}) {
			t.Errorf("files beside the state: %v", names)
		}
	}
	t.Logf("a migration of %d bytes takes %v; killed in it %d times: JSON kept %d, database %d, temporary files left by the kill %d",
		len(old), whole.Round(time.Millisecond), kills, kept, migrated, leftovers)
}

// holders returns the version each label is on, from a DescribeSecret
// answer: none when it failed.
func holders(status int, out map[string]any) map[string]string {
	got := map[string]string{}
	if status == http.StatusOK {
		for id, ls := range out["VersionIdsToStages"].(map[string]any) {
			for _, l := range ls.([]any) {
				got[l.(string)] = id
			}
		}
	}
	return got
}
