package etcdstate_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/etcdstate"
	"github.com/stagelabel/stagelabel/store"
)

// regOp is an operation of TestLinearizableCluster on one secret: a
// PutSecretValue of a new version, which becomes AWSCURRENT; a
// GetSecretValue of AWSCURRENT; a CreateSecret with a first version; or a
// DeleteSecret without recovery.
type regOp struct {
	name  string
	op    string // "put", "get", "create" or "delete"
	token string // of a put or a create
}

// regOut is what an operation answered: the version read, the error's
// code ("" for none), and unknown when the store answered
// InternalServiceError (the change may then have been made or not; a read
// read nothing).
type regOut struct {
	version string
	code    stagelabel.Code
	unknown bool
}

// registers is the model: each secret a register holding the id of its
// current version, "" while there is no secret, checked on its own.
var registers = porcupine.NondeterministicModel{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		by := map[string][]porcupine.Operation{}
		for _, o := range history {
			n := o.Input.(regOp).name
			by[n] = append(by[n], o)
		}
		var out [][]porcupine.Operation
		for _, ops := range by {
			out = append(out, ops)
		}
		return out
	},
	Init: func() []any { return []any{token(0)} },
	Step: func(state, input, output any) []any {
		s, in, out := state.(string), input.(regOp), output.(regOut)
		// made returns the state after the operation succeeded, and
		// whether it could have.
		made := func() (string, bool) {
			switch in.op {
			case "put":
				return in.token, s != ""
			case "create":
				return in.token, s == ""
			case "delete":
				return "", true
			}
			return s, true
		}
		next, ok := made()
		switch {
		case out.unknown && ok:
			return []any{s, next}
		case out.unknown:
			return []any{s}
		case out.code == "" && in.op == "get":
			if out.version == s && s != "" {
				return []any{s}
			}
		case out.code == "" && ok:
			return []any{next}
		case out.code == stagelabel.ErrResourceNotFound && (in.op == "get" || in.op == "put") && s == "":
			return []any{s}
		case out.code == stagelabel.ErrResourceExists && in.op == "create" && s != "":
			return []any{s}
		}
		return nil
	},
	Equal: func(a, b any) bool { return a == b },
	DescribeOperation: func(input, output any) string {
		in, out := input.(regOp), output.(regOut)
		return fmt.Sprintf("%s(%s, %s) -> %q %s unknown=%v", in.op, in.name, in.token, out.version, out.code, out.unknown)
	},
}

// TestLinearizableCluster has clients of two stores, each on its own
// client of a three-member cluster (two processes), put and read the
// current versions of three secrets at once, one of which they also
// remove and create again, while the cluster's leader is stopped and
// started again, then checks with porcupine that the history is
// linearizable: as one store's would be (docs/semantics.md §ST8). An
// operation answered InternalServiceError (its outcome unknown while the
// cluster elects a leader) may have taken effect or not.
func TestLinearizableCluster(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a three-member cluster")
	}
	members, endpoints := startCluster(t)
	const prefix = "linearizable/"
	stores := []*store.Store{
		storeOn(t, endpoints, prefix, etcdstate.WithTimeout(2*time.Second)),
		storeOn(t, endpoints, prefix, etcdstate.WithTimeout(2*time.Second)),
	}
	names := []string{"a", "b", "c"} // c is also removed and created again
	value := "v"
	for _, n := range names {
		if _, err := stores[0].CreateSecret(store.CreateSecretInput{Name: n, ClientRequestToken: token(0), SecretString: &value}); err != nil {
			t.Fatal(err)
		}
	}

	var (
		clock   atomic.Int64
		mu      sync.Mutex
		history []porcupine.Operation
		stop    atomic.Bool
		wg      sync.WaitGroup
		tokens  atomic.Int64
		unknown atomic.Int64
	)
	tokens.Store(1)
	for c := range 6 {
		st := stores[c%2]
		r := rand.New(rand.NewPCG(uint64(c), 1))
		wg.Go(func() {
			for !stop.Load() {
				in := regOp{name: names[r.IntN(len(names))], op: "get"}
				switch n := r.IntN(12); {
				case n < 4:
					in.op = "put"
				case n < 6 && in.name == "c":
					in.op = "create"
				case n < 7 && in.name == "c":
					in.op = "delete"
				}
				var out regOut
				start := clock.Add(1)
				var err error
				switch in.op {
				case "put":
					in.token = token(int(tokens.Add(1)))
					_, err = st.PutSecretValue(store.PutSecretValueInput{SecretId: in.name, ClientRequestToken: in.token, SecretString: &value})
				case "create":
					in.token = token(int(tokens.Add(1)))
					_, err = st.CreateSecret(store.CreateSecretInput{Name: in.name, ClientRequestToken: in.token, SecretString: &value})
				case "delete":
					_, err = st.DeleteSecret(store.DeleteSecretInput{SecretId: in.name, ForceDeleteWithoutRecovery: true})
				default:
					var got store.GetSecretValueOutput
					got, err = st.GetSecretValue(store.GetSecretValueInput{SecretId: in.name})
					out.version = got.VersionId
				}
				end := clock.Add(1)
				var e *stagelabel.Error
				switch {
				case errors.Is(err, stagelabel.ErrInternalService):
					out.unknown = true
					unknown.Add(1)
					if in.op != "get" {
						end = math.MaxInt64 // it may take effect at any time after
					}
				case errors.As(err, &e):
					out.code = e.Code
				case err != nil:
					t.Errorf("%+v: %v", in, err)
				}
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: c, Input: in, Call: start, Output: out, Return: end})
				mu.Unlock()
			}
		})
	}

	time.Sleep(time.Second)
	leader := 0
	for i, m := range members {
		if m.Server.Leader() == m.Server.MemberID() {
			leader = i
		}
	}
	members[leader].stop()
	time.Sleep(1500 * time.Millisecond)
	members[leader].restart(t)
	time.Sleep(1500 * time.Millisecond)
	stop.Store(true)
	wg.Wait()

	t.Logf("%d operations, %d answered InternalServiceError; leader m%d restarted", len(history), unknown.Load(), leader)
	res, info := porcupine.CheckOperationsVerbose(registers.ToModel(), history, time.Minute)
	if res != porcupine.Ok {
		path := filepath.Join(t.ArtifactDir(), "history.html")
		if err := porcupine.VisualizePath(registers.ToModel(), info, path); err != nil {
			t.Logf("visualization: %v", err)
		}
		t.Errorf("CheckOperations() = %s over %d operations, want %s; visualization in %s (kept with go test -artifacts)", res, len(history), porcupine.Ok, path)
	}
}
