package linearize_test

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/version"
)

// t0 is the only time the store's clock tells: the versions the store
// stamps and those the model stamps are then alike, and nothing is ever old
// enough to prune.
var t0 = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

// The size of a run. Each secret holds at most tokens versions, far below
// [secret.MaxVersions], so the store prunes nothing and every version put
// stays readable.
const (
	rounds       = 20  // histories checked, each on a new store
	workers      = 6   // goroutines issuing operations at once
	opsPerWorker = 150 // operations each issues
	tokens       = 24  // ClientRequestTokens to draw from
)

// The pools operations draw from: few enough values that tokens are reused
// with the same value (idempotent) and with another (conflict).
var (
	secretNames = []string{"db", "api", "queue"}
	values      = []string{"alpha", "beta"}
	labelPool   = []string{string(stage.Current), string(stage.Previous), string(stage.Pending), "X"}
)

// tok returns the ClientRequestToken (and version id) number n.
func tok(n int) string { return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n) }

// The operations of a history, named as AWS names them.
const (
	opCreate   = "CreateSecret"
	opPut      = "PutSecretValue"
	opUpdate   = "UpdateSecretVersionStage"
	opGet      = "GetSecretValue"
	opDescribe = "DescribeSecret"
	opRotate   = "RotateSecret"
)

// call is what one operation asked of the store: the Input of a
// [porcupine.Operation].
type call struct {
	op       string   // the AWS operation
	name     string   // SecretId (and Name of CreateSecret)
	token    string   // ClientRequestToken; VersionId of GetSecretValue
	value    string   // SecretString
	stages   []string // VersionStages of PutSecretValue; nil: not given
	label    string   // VersionStage
	from, to string   // RemoveFromVersionId, MoveToVersionId
}

// reply is what the store answered: the Output of a [porcupine.Operation].
// It holds only what the model can predict.
type reply struct {
	code      stagelabel.Code     // the error code; "" on success
	message   string              // the error message
	arn       string              // ARN of CreateSecret, drawn at random
	versionID string              // VersionId of PutSecretValue, GetSecretValue, RotateSecret
	value     string              // SecretString of GetSecretValue
	stages    []string            // VersionStages of PutSecretValue and GetSecretValue
	describe  map[string][]string // VersionIdsToStages of DescribeSecret
}

// equal reports whether r and o tell the same outcome. The ARN is not
// compared: it is random, and the model takes it from the store's reply.
func (r reply) equal(o reply) bool {
	return r.code == o.code && r.message == o.message && r.versionID == o.versionID && r.value == o.value &&
		slices.Equal(r.stages, o.stages) && maps.EqualFunc(r.describe, o.describe, slices.Equal)
}

// String returns r as the visualization shows it.
func (r reply) String() string {
	switch {
	case r.code != "":
		return fmt.Sprintf("%s: %s", r.code, r.message)
	case r.describe != nil:
		return fmt.Sprint(r.describe)
	case r.versionID != "":
		return fmt.Sprintf("%s %q %v", r.versionID, r.value, r.stages)
	}
	return "ok"
}

// failure returns the reply of an operation that failed with err.
func failure(err error) reply {
	var e *stagelabel.Error
	if !errors.As(err, &e) {
		return reply{code: "not a *stagelabel.Error", message: err.Error()}
	}
	return reply{code: e.Code, message: e.Message}
}

// apply runs c against st and returns the store's reply.
func apply(st *store.Store, c call) reply {
	var (
		r   reply
		err error
	)
	switch c.op {
	case opCreate:
		var out store.CreateSecretOutput
		out, err = st.CreateSecret(store.CreateSecretInput{Name: c.name, ClientRequestToken: c.token, SecretString: &c.value})
		r = reply{arn: out.ARN, versionID: out.VersionId}
	case opPut:
		var out store.PutSecretValueOutput
		out, err = st.PutSecretValue(store.PutSecretValueInput{SecretId: c.name, ClientRequestToken: c.token,
			SecretString: &c.value, VersionStages: c.stages})
		r = reply{versionID: out.VersionId, stages: out.VersionStages}
	case opUpdate:
		_, err = st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: c.name, VersionStage: c.label,
			RemoveFromVersionId: c.from, MoveToVersionId: c.to})
	case opGet:
		var out store.GetSecretValueOutput
		out, err = st.GetSecretValue(store.GetSecretValueInput{SecretId: c.name, VersionId: c.token, VersionStage: c.label})
		r = reply{versionID: out.VersionId, stages: out.VersionStages}
		if out.SecretString != nil {
			r.value = *out.SecretString
		}
	case opDescribe:
		var out store.DescribeSecretOutput
		out, err = st.DescribeSecret(store.DescribeSecretInput{SecretId: c.name})
		r = reply{describe: out.VersionIdsToStages}
	case opRotate:
		var out store.RotateSecretOutput
		out, err = st.RotateSecret(store.RotateSecretInput{SecretId: c.name, ClientRequestToken: c.token})
		r = reply{versionID: out.VersionId}
	default:
		panic("unknown operation " + c.op)
	}
	if err != nil {
		return failure(err)
	}
	return r
}

// expect is the model: it applies c to s, the state of one secret, as the
// store's operations do (store/ops.go), with package secret alone, and
// returns the next state and the reply the store must give. arn is the ARN
// the store replied to CreateSecret with.
func expect(s secret.Secret, c call, arn string) (secret.Secret, reply) {
	newVersion := func() version.Version {
		return version.New(version.ID(c.token), version.WithString(c.value)).With(version.WithCreated(t0))
	}
	switch c.op {
	case opCreate:
		if !s.Equal(secret.Secret{}) {
			return s, reply{code: stagelabel.ErrResourceExists,
				message: fmt.Sprintf("The operation failed because the secret %s already exists.", c.name)}
		}
		next, err := secret.New(c.name).WithARN(arn).Put(newVersion())
		if err != nil {
			return s, failure(err)
		}
		return next, reply{arn: arn, versionID: c.token}
	case opPut:
		stages := make([]stage.Label, len(c.stages))
		for i, l := range c.stages {
			stages[i] = stage.Label(l)
		}
		v := newVersion()
		next, err := s.Put(v, stages...)
		if err != nil {
			return s, failure(err)
		}
		if !next.Equal(s) {
			next = next.Prune(t0)
		}
		return next, reply{versionID: c.token, stages: labelNames(next.Labels(v.ID()))}
	case opUpdate:
		next, err := s.MoveStage(stage.Label(c.label), version.ID(c.from), version.ID(c.to))
		if err != nil {
			return s, failure(err)
		}
		return next, reply{}
	case opGet:
		v, err := s.Get(version.ID(c.token), stage.Label(c.label))
		if err != nil {
			return s, failure(err)
		}
		value, _ := v.SecretString()
		return s, reply{versionID: string(v.ID()), value: value, stages: labelNames(s.Labels(v.ID()))}
	case opDescribe:
		var m map[string][]string
		if stages := s.Stages(); len(stages) > 0 {
			m = make(map[string][]string, len(stages))
			for id, ls := range stages {
				m[string(id)] = labelNames(ls)
			}
		}
		return s, reply{describe: m}
	case opRotate:
		next, err := s.Rotate(version.ID(c.token), t0)
		if err != nil {
			return s, failure(err)
		}
		return next.Prune(t0), reply{versionID: c.token}
	}
	panic("unknown operation " + c.op)
}

func labelNames(ls []stage.Label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = string(l)
	}
	return out
}

// model is the sequential specification of the store, one secret per
// partition: its state is the secret.Secret the operations so far made.
var model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byName := map[string][]porcupine.Operation{}
		for _, o := range history {
			name := o.Input.(call).name
			byName[name] = append(byName[name], o)
		}
		return slices.Collect(maps.Values(byName))
	},
	Init: func() any { return secret.Secret{} },
	Step: func(state, input, output any) (bool, any) {
		got := output.(reply)
		next, want := expect(state.(secret.Secret), input.(call), got.arn)
		return got.equal(want), next
	},
	Equal: func(a, b any) bool { return a.(secret.Secret).Equal(b.(secret.Secret)) },
	DescribeOperation: func(input, output any) string {
		c := input.(call)
		return fmt.Sprintf("%s(%+v) -> %v", c.op, c, output)
	},
	DescribeState: func(state any) string { return state.(secret.Secret).String() },
}

// client issues operations against a shared store and records each with
// the instants it was invoked and answered, read from a counter all
// clients share.
type client struct {
	id    int
	st    *store.Store
	clock *atomic.Int64
	rand  *rand.Rand
	seen  map[string]map[string][]string // VersionIdsToStages last described, by secret
	ops   []porcupine.Operation
}

// do runs c, records it and returns the reply.
func (cl *client) do(c call) reply {
	start := cl.clock.Add(1)
	r := apply(cl.st, c)
	end := cl.clock.Add(1)
	cl.ops = append(cl.ops, porcupine.Operation{ClientId: cl.id, Input: c, Call: start, Output: r, Return: end})
	return r
}

// token returns a token from the pool.
func (cl *client) token() string { return tok(cl.rand.IntN(tokens)) }

// version returns a version id of secret name: most often one the client
// last saw labelled there, so that label moves often succeed and race with
// each other; otherwise one from the pool, or none.
func (cl *client) version(name string) string {
	seen := slices.Sorted(maps.Keys(cl.seen[name]))
	switch n := cl.rand.IntN(6); {
	case n == 0:
		return ""
	case n < 3 || len(seen) == 0:
		return cl.token()
	default:
		return seen[cl.rand.IntN(len(seen))]
	}
}

// holder returns the version the client last saw carrying label in secret
// name, or "" if none.
func (cl *client) holder(name, label string) string {
	for id, ls := range cl.seen[name] {
		if slices.Contains(ls, label) {
			return id
		}
	}
	return ""
}

// step issues one random operation.
func (cl *client) step() {
	r := cl.rand
	name := secretNames[r.IntN(len(secretNames))]
	label := labelPool[r.IntN(len(labelPool))]
	switch n := r.IntN(20); {
	case n < 6:
		c := call{op: opPut, name: name, token: cl.token(), value: values[r.IntN(len(values))]}
		if r.IntN(3) == 0 {
			c.stages = []string{label}
			if r.IntN(2) == 0 {
				c.stages = append(c.stages, labelPool[r.IntN(len(labelPool))])
			}
		}
		cl.do(c)
	case n < 12:
		from := cl.version(name)
		if r.IntN(2) == 0 {
			from = cl.holder(name, label) // informed: the move succeeds unless another got there first
		}
		cl.do(call{op: opUpdate, name: name, label: label, from: from, to: cl.version(name)})
	case n < 16:
		c := call{op: opGet, name: name}
		switch r.IntN(3) {
		case 0:
			c.label = label
		case 1:
			c.token = cl.version(name)
		}
		cl.do(c)
	case n < 18:
		if out := cl.do(call{op: opDescribe, name: name}); out.code == "" {
			cl.seen[name] = out.describe
		}
	default:
		cl.do(call{op: opRotate, name: name, token: cl.token()})
	}
}

// TestLinearizable runs random operations from several goroutines on a
// few shared secrets, then checks that the history is linearizable against
// the model and that every acknowledged PutSecretValue is still there. It
// does so for several histories, each on a new store.
func TestLinearizable(t *testing.T) {
	for round := range rounds {
		t.Run(fmt.Sprintf("round=%d", round), func(t *testing.T) { checkRound(t, uint64(round)) })
	}
}

// checkRound checks one history, its operations drawn from seed.
func checkRound(t *testing.T, seed uint64) {
	st := store.New(store.WithClock(func() time.Time { return t0 }), store.WithRandom(rand.NewChaCha8([32]byte{byte(seed)})))
	var clock atomic.Int64

	// Client 0 creates the secrets, each with three versions.
	setup := &client{id: 0, st: st, clock: &clock}
	for _, name := range secretNames {
		steps := []call{
			{op: opCreate, name: name, token: tok(0), value: values[0]},
			{op: opPut, name: name, token: tok(1), value: values[1]},
			{op: opPut, name: name, token: tok(2), value: values[0]},
		}
		for _, c := range steps {
			if out := setup.do(c); out.code != "" {
				t.Fatalf("%s(%+v) = %v, want success", c.op, c, out)
			}
		}
	}

	// The clients start together, to overlap as much as they can.
	clients := make([]*client, workers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		cl := &client{id: i + 1, st: st, clock: &clock, rand: rand.New(rand.NewPCG(seed, uint64(i))),
			seen: map[string]map[string][]string{}}
		clients[i] = cl
		wg.Go(func() {
			<-start
			for range opsPerWorker {
				cl.step()
			}
		})
	}
	close(start)
	wg.Wait()

	history := setup.ops
	for _, cl := range clients {
		history = append(history, cl.ops...)
	}

	res, info := porcupine.CheckOperationsVerbose(model, history, time.Minute)
	if res != porcupine.Ok {
		path := filepath.Join(t.ArtifactDir(), "history.html")
		if err := porcupine.VisualizePath(model, info, path); err != nil {
			t.Logf("visualization: %v", err)
		}
		t.Errorf("CheckOperations() = %s over %d operations, want %s; visualization in %s (kept with go test -artifacts)",
			res, len(history), porcupine.Ok, path)
	}

	// Nothing acknowledged is lost: every PutSecretValue that succeeded
	// left a version that still holds its value.
	var puts int
	for _, o := range history {
		c, r := o.Input.(call), o.Output.(reply)
		if c.op != opPut || r.code != "" {
			continue
		}
		puts++
		got, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: c.name, VersionId: c.token})
		if err != nil {
			t.Errorf("GetSecretValue(%s, VersionId %s) after acknowledged PutSecretValue: %v", c.name, c.token, err)
			continue
		}
		if got.SecretString == nil || *got.SecretString != c.value {
			t.Errorf("GetSecretValue(%s, VersionId %s) holds another value than the acknowledged PutSecretValue put", c.name, c.token)
		}
	}
	t.Logf("%d operations, %d acknowledged PutSecretValue", len(history), puts)
}
