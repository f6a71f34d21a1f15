package processes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/store"
)

// The size of a run, each client's operations at least; with a restart,
// clients go on until each has done afterRestart operations after it, and
// wait for its end after maxPerClient (answers of InternalServiceError
// come fast); all for no longer than deadline. Each secret's history is checked for at
// most checkTime.
const (
	clients      = 6
	opsPerClient = 150
	afterRestart = 40
	maxPerClient = 600
	secretCount  = 6 // names the operations draw from; the first four are created before the clients start
	deadline     = 60 * time.Second
	checkTime    = 5 * time.Second
)

// never is the Return of an operation whose answer was lost or was
// InternalServiceError: it may take effect at any time after its call.
const never = int64(1) << 62

// emulator sends operations to the emulator at url.
type emulator struct {
	url  string
	http *http.Client
}

// do sends c to e and returns its answer.
func (e emulator) do(ctx context.Context, c call) reply {
	in := map[string]any{"SecretId": c.name}
	switch c.op {
	case opCreate:
		in = map[string]any{"Name": c.name, "ClientRequestToken": c.token, "SecretString": c.value}
	case opPut:
		in["ClientRequestToken"], in["SecretString"] = c.token, c.value
	case opGet:
		if c.token != "" {
			in["VersionId"] = c.token
		}
		if c.label != "" {
			in["VersionStage"] = c.label
		}
	case opUpdate:
		in["VersionStage"] = c.label
		if c.from != "" {
			in["RemoveFromVersionId"] = c.from
		}
		if c.to != "" {
			in["MoveToVersionId"] = c.to
		}
	case opDelete:
		in["RecoveryWindowInDays"] = 7
	}
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return reply{code: err.Error(), unknown: true}
	}
	req.Header.Set("X-Amz-Target", "secretsmanager."+c.op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := e.http.Do(req)
	if err != nil {
		return reply{code: "no answer", unknown: true}
	}
	defer resp.Body.Close()
	var out struct {
		Type               string `json:"__type"`
		ARN                string
		VersionId          string
		SecretString       string
		VersionStages      []string
		VersionIdsToStages map[string][]string
		DeletedDate        *float64
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return reply{code: fmt.Sprintf("HTTP %d, body not JSON", resp.StatusCode), unknown: true}
	}
	if resp.StatusCode != http.StatusOK {
		return reply{code: out.Type, unknown: resp.StatusCode >= 500 || out.Type == errInternal}
	}
	r := reply{arn: out.ARN, versionID: out.VersionId, value: out.SecretString, deleted: out.DeletedDate != nil}
	slices.Sort(out.VersionStages)
	r.stages = strings.Join(out.VersionStages, ",")
	if c.op == opDescribe {
		r.describe = state{exists: true, labels: labelsOf(out.VersionIdsToStages)}.describe()
	}
	return r
}

// labelsOf returns the label-to-version map of VersionIdsToStages.
func labelsOf(stages map[string][]string) map[string]string {
	m := map[string]string{}
	for id, ls := range stages {
		for _, l := range ls {
			m[l] = id
		}
	}
	return m
}

// client issues random operations to random emulators and records them.
type client struct {
	id        int
	run       string // begins every token and name of this run
	emulators []emulator
	clock     *atomic.Int64 // instants of invocation and answer, shared
	rand      *rand.Rand
	seen      map[string][]string          // version ids the client saw, by secret
	holders   map[string]map[string]string // the label-to-version map the client last described, by secret
	tokens    int
	// unknownReads holds the instants at which reads were invoked that
	// were answered InternalServiceError or not at all, left out of ops.
	unknownReads []int64
	ops          []porcupine.Operation
}

// name returns the name of secret i.
func name(run string, i int) string { return fmt.Sprintf("%s-%d", run, i) }

// token returns a ClientRequestToken used nowhere else.
func (cl *client) token() string {
	cl.tokens++
	return fmt.Sprintf("%s-%04x-4000-8000-%012x", cl.run, cl.id, cl.tokens)
}

// do sends c to the emulator it names and records it.
func (cl *client) do(ctx context.Context, c call) reply {
	start := cl.clock.Add(1)
	r := cl.emulators[c.emulator].do(ctx, c)
	end := cl.clock.Add(1)
	if r.unknown {
		if c.op == opGet || c.op == opDescribe {
			cl.unknownReads = append(cl.unknownReads, start) // they change nothing: the history has no need of them
			return r
		}
		end = never
	}
	cl.ops = append(cl.ops, porcupine.Operation{ClientId: cl.id, Input: c, Call: start, Output: r, Return: end})
	if r.versionID != "" {
		cl.saw(c.name, r.versionID)
	}
	if c.op == opDescribe && r.code == "" && cl.holders != nil {
		cl.holders[c.name] = map[string]string{}
		for _, part := range strings.Fields(r.describe) {
			id, ls, _ := strings.Cut(part, ":")
			for l := range strings.SplitSeq(ls, ",") {
				cl.holders[c.name][l] = id
			}
		}
	}
	if c.op == opDescribe && r.code == "" {
		for _, part := range strings.Fields(r.describe) {
			id, _, _ := strings.Cut(part, ":")
			cl.saw(c.name, id)
		}
	}
	return r
}

// saw notes that secret name has version id.
func (cl *client) saw(name, id string) {
	if !slices.Contains(cl.seen[name], id) {
		cl.seen[name] = append(cl.seen[name], id)
	}
}

// version returns a version id of secret name the client saw, or, one
// time in eight, one of no version, or "".
func (cl *client) version(name string) string {
	seen := cl.seen[name]
	switch n := cl.rand.IntN(8); {
	case n == 0:
		return ""
	case n == 1 || len(seen) == 0:
		return cl.run + "-ffff-4000-8000-000000000000"
	default:
		return seen[len(seen)-1-min(len(seen)-1, cl.rand.IntN(4))] // mostly recent ones
	}
}

// step issues one random operation to a random emulator.
func (cl *client) step(ctx context.Context) {
	r := cl.rand
	c := call{emulator: r.IntN(len(cl.emulators)), name: name(cl.run, r.IntN(secretCount))}
	labels := []string{current, previous, custom}
	switch n := r.IntN(100); {
	case n < 25:
		c.op, c.token, c.value = opPut, cl.token(), strconv.Itoa(r.IntN(1000))
	case n < 50:
		c.op = opGet
		switch r.IntN(3) {
		case 0:
			c.label = labels[r.IntN(len(labels))]
		case 1:
			c.token = cl.version(c.name)
		}
	case n < 75:
		c.op, c.label, c.from, c.to = opUpdate, labels[r.IntN(len(labels))], cl.version(c.name), cl.version(c.name)
		if r.IntN(2) == 0 {
			c.from = cl.holders[c.name][c.label] // informed: the move succeeds unless another got there first
		}
	case n < 88:
		c.op = opDescribe
	case n < 91:
		c.op = opDelete
	case n < 96:
		c.op = opRestore
	default:
		c.op, c.token, c.value = opCreate, cl.token(), strconv.Itoa(r.IntN(1000))
	}
	if out := cl.do(ctx, c); out.code == errInvalidReq && r.IntN(2) == 0 {
		cl.do(ctx, call{op: opRestore, emulator: r.IntN(len(cl.emulators)), name: c.name}) // as a client would, to go on
	}
}

// TestEmulators runs random operations from several clients, each sent to
// one of the emulators of STAGELABEL_EMULATORS at random, on a few secrets;
// runs STAGELABEL_ETCD_RESTART (a member's restart) while they run; then
// checks that the history is linearizable, as if one store had answered
// every operation, and that every write acknowledged is served by every
// emulator. An answer of InternalServiceError, or none, is an outcome
// unknown to the model (the change may have been made or not); it fails
// the test unless the operation began within a second of the restart
// (checkUnknown).
func TestEmulators(t *testing.T) {
	urls := os.Getenv("STAGELABEL_EMULATORS")
	if urls == "" {
		t.Skip("STAGELABEL_EMULATORS is not set: no emulators to test (tests/etcd.sh starts them)")
	}
	checkEmulators(t, strings.Split(urls, ","), os.Getenv("STAGELABEL_ETCD_RESTART"))
}

// TestOneStore runs TestEmulators' history against one store served in
// the test's process (awsjson over store.New), given as two emulators:
// the model and the clients' reading of the answers must agree with the
// store, which is linearizable (package linearize).
func TestOneStore(t *testing.T) {
	srv := httptest.NewServer(awsjson.New(store.New()))
	defer srv.Close()
	checkEmulators(t, []string{srv.URL + "/", srv.URL + "/"}, "")
}

// checkEmulators runs the history of TestEmulators against the emulators
// at urls, running the shell command restart, if any, while it runs.
func checkEmulators(t *testing.T, urls []string, restart string) {
	var emulators []emulator
	for _, u := range urls {
		emulators = append(emulators, emulator{url: strings.TrimSpace(u), http: &http.Client{Timeout: 10 * time.Second}})
	}
	ctx, cancel := context.WithTimeout(t.Context(), deadline+30*time.Second)
	defer cancel()
	run := fmt.Sprintf("%08x", rand.Uint32()) // a run's names and tokens are its own: runs may share a cluster
	var clock atomic.Int64

	// Client 0 creates the first secrets, each through another emulator,
	// and describes every secret through each emulator at the end.
	setup := &client{id: 0, run: run, emulators: emulators, clock: &clock, seen: map[string][]string{}}
	for i := range secretCount - 2 {
		c := call{op: opCreate, emulator: i % len(emulators), name: name(run, i), token: setup.token(), value: "first"}
		if out := setup.do(ctx, c); out.code != "" {
			t.Fatalf("%s(%+v) = %v, want success", c.op, c, out)
		}
	}

	var (
		done      atomic.Int64 // operations done by all clients
		restarted = make(chan struct{})
		// The instants between which the restart ran, from a second before
		// to a second after: an answer lost or InternalServiceError is
		// forgiven there only.
		window [2]int64
		total  = int64(clients * opsPerClient)
	)
	if restart == "" {
		close(restarted)
		t.Log("no restart")
	} else {
		go func() {
			defer close(restarted)
			for done.Load() < total/4 && ctx.Err() == nil {
				time.Sleep(10 * time.Millisecond)
			}
			window[0] = clock.Load()
			time.Sleep(time.Second) // so that what is in flight when the member stops began in the window
			began, at := time.Now(), done.Load()
			cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
			defer ccancel()
			out, err := exec.CommandContext(cctx, "bash", "-c", restart).CombinedOutput()
			if err != nil {
				t.Errorf("the restart (%s): %v\n%s", restart, err, out)
			}
			t.Logf("restart after %d operations, %d more during its %v: %s", at, done.Load()-at,
				time.Since(began).Round(time.Millisecond), strings.TrimSpace(string(out)))
			time.Sleep(time.Second)
			window[1] = clock.Load()
		}()
	}

	all := make([]*client, clients)
	stop := time.Now().Add(deadline)
	var wg sync.WaitGroup
	for i := range all {
		cl := &client{id: i + 1, run: run, emulators: emulators, clock: &clock,
			rand: rand.New(rand.NewPCG(rand.Uint64(), uint64(i))), seen: map[string][]string{}, holders: map[string]map[string]string{}}
		for name, ids := range setup.seen {
			cl.seen[name] = slices.Clone(ids)
		}
		all[i] = cl
		wg.Go(func() {
			after := -1 // operations done when the restart was seen over
			for n := 0; time.Now().Before(stop) && ctx.Err() == nil; n++ {
				if after < 0 && n >= maxPerClient {
					select { // enough until the restart is over
					case <-restarted:
					case <-ctx.Done():
						return
					}
				}
				if after < 0 {
					select {
					case <-restarted:
						after = n
					default:
					}
				}
				if n >= opsPerClient && after >= 0 && n-after >= afterRestart {
					return
				}
				cl.step(ctx)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	<-restarted
	for i := range secretCount {
		for e := range emulators {
			setup.do(ctx, call{op: opDescribe, emulator: e, name: name(run, i)})
		}
	}

	history := slices.Clone(setup.ops)
	for _, cl := range all {
		history = append(history, cl.ops...)
	}
	unknownReads := slices.Clone(setup.unknownReads)
	for _, cl := range all {
		unknownReads = append(unknownReads, cl.unknownReads...)
	}
	checkHistory(t, history, len(emulators))
	checkUnknown(t, history, unknownReads, window)
	checkWrites(t, ctx, emulators, history)
}

// checkHistory checks history with the model, secret by secret, and counts
// what the emulators answered.
func checkHistory(t *testing.T, history []porcupine.Operation, emulators int) {
	t.Helper()
	byName := map[string][]porcupine.Operation{}
	codes := map[string]int{}
	for _, o := range history {
		c, r := o.Input.(call), o.Output.(reply)
		byName[c.name] = append(byName[c.name], o)
		code := r.code
		if code == "" {
			code = "success"
		}
		codes[fmt.Sprintf("%s %s", c.op, code)]++
	}
	var summary []string
	for _, k := range slices.Sorted(maps.Keys(codes)) {
		summary = append(summary, fmt.Sprintf("%s: %d", k, codes[k]))
	}
	t.Logf("%d operations on %d secrets through %d emulators:\n\t%s", len(history), len(byName), emulators, strings.Join(summary, "\n\t"))

	var violations, unchecked []string
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		res, info := porcupine.CheckOperationsVerbose(model, byName[name], checkTime)
		switch res {
		case porcupine.Ok:
			continue
		case porcupine.Illegal:
			violations = append(violations, name)
		default: // the checker ran out of time: many outcomes unknown, most often
			unchecked = append(unchecked, name)
		}
		path := filepath.Join(t.ArtifactDir(), name+".html")
		if err := porcupine.VisualizePath(model, info, path); err != nil {
			t.Logf("visualization: %v", err)
		}
	}
	t.Logf("linearizability violations: %d of %d secrets; %d not checked within %v", len(violations), len(byName), len(unchecked), checkTime)
	if len(violations) > 0 {
		t.Errorf("the histories of %d of %d secrets are not linearizable: %s; visualizations in %s (kept with go test -artifacts)",
			len(violations), len(byName), strings.Join(violations, ", "), t.ArtifactDir())
	}
	if len(unchecked) > 0 {
		t.Errorf("the histories of %d of %d secrets could not be checked within %v: %s", len(unchecked), len(byName), checkTime, strings.Join(unchecked, ", "))
	}
}

// checkUnknown fails the test for every operation answered
// InternalServiceError, or not at all, that was invoked outside window:
// the instants from a second before a member's restart to a second after
// its end. Within it an answer may be lost: a request in flight to the
// member stopped is (and so the outcome of a change is unknown, which the
// model allows). Elsewhere one store would not give such an answer.
func checkUnknown(t *testing.T, history []porcupine.Operation, reads []int64, window [2]int64) {
	t.Helper()
	var in, out int
	count := func(at int64) {
		if window[0] < at && at < window[1] {
			in++
		} else {
			out++
		}
	}
	for _, at := range reads {
		count(at)
	}
	for _, o := range history {
		if o.Output.(reply).unknown {
			count(o.Call)
		}
	}
	t.Logf("answered InternalServiceError or not at all: %d operations during the restart, %d outside it", in, out)
	if out > 0 {
		t.Errorf("%d operations outside a restart answered InternalServiceError or not at all, which one store would not answer", out)
	}
}

// checkWrites checks that every version a CreateSecret or PutSecretValue
// acknowledged is served, with its value, by every emulator. Secrets are
// restored first, through each emulator.
func checkWrites(t *testing.T, ctx context.Context, emulators []emulator, history []porcupine.Operation) {
	t.Helper()
	names := map[string]bool{}
	for _, o := range history {
		names[o.Input.(call).name] = true
	}
	for name := range names {
		for i, e := range emulators {
			if r := e.do(ctx, call{op: opRestore, name: name}); r.code != "" && r.code != errNotFound {
				t.Logf("RestoreSecret(%s) through emulator %d: %v", name, i, r)
			}
		}
	}
	var acknowledged int
	missing := make([]int, len(emulators))
	for _, o := range history {
		c, r := o.Input.(call), o.Output.(reply)
		if c.op != opCreate && c.op != opPut || r.code != "" {
			continue
		}
		acknowledged++
		for i, e := range emulators {
			got := e.do(ctx, call{op: opGet, name: c.name, token: c.token})
			if got.code != "" || got.value != c.value {
				if missing[i]++; missing[i] <= 5 {
					t.Errorf("emulator %d: GetSecretValue(%s, VersionId %s) = %v after an acknowledged %s of %q", i, c.name, c.token, got, c.op, c.value)
				}
			}
		}
	}
	t.Logf("%d acknowledged writes; not served, by emulator: %v", acknowledged, missing)
}
