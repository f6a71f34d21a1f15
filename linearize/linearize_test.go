package linearize_test

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/store/storetest"
	"github.com/stagelabel/stagelabel/version"
)

// t0 is the only time the store's clock tells: the versions the store
// stamps and those the model stamps are then alike, nothing is ever old
// enough to prune, and no recovery window ever ends, so a secret scheduled
// for deletion stays scheduled until RestoreSecret or a forced
// DeleteSecret. (A restore racing the end of a window has its own test,
// store's TestRestoreRacesExpiry.)
var t0 = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

// The size of a run. Each secret holds at most tokens versions, far below
// [secret.MaxVersions], so the store prunes nothing and every version put
// stays readable.
const (
	rounds       = 100 // histories checked, each on a new store
	workers      = 6   // goroutines issuing operations at once
	opsPerWorker = 150 // operations each issues
	tokens       = 24  // ClientRequestTokens to draw from
)

// The pools operations draw from: few enough values that tokens are reused
// with the same value (idempotent) and with another (conflict).
var (
	secretNames = []string{"db", "api", ephemeral}
	values      = []string{"alpha", "beta"}
	labelPool   = []string{string(stage.Current), string(stage.Previous), string(stage.Pending), "X"}
)

// namespaces are the accounts and regions the operations span, each
// holding every name of secretNames: two accounts of one region, so that a
// full ARN of one, given to the other's store, reaches across
// (docs/semantics.md §N11, §N13). The first is the store's own, of the
// default account and region.
var namespaces = []store.Namespace{
	{Account: "123456789012", Region: "us-east-1"},
	{Account: "210987654321", Region: "us-east-1"},
}

// foreignRegion is a region of no namespace: a full ARN rewritten to it
// is another region's, looked up in the caller's namespace and not found
// (§N11).
const foreignRegion = "eu-west-1"

// key names one secret of the store: its namespace and its name. The
// model holds one state per key.
type key struct {
	ns   store.Namespace
	name string
}

// String returns k as region/account/name.
func (k key) String() string { return k.ns.Region + "/" + k.ns.Account + "/" + k.name }

// ephemeral is the one secret DeleteSecret deletes for good
// (ForceDeleteWithoutRecovery), and CreateSecret then re-creates under a
// new ARN. The others are only scheduled for deletion and restored, so
// that every write acknowledged on them must survive (checkNothingLost).
const ephemeral = "queue"

// arnPrefix returns what begins the ARN of every secret of namespace ns.
func arnPrefix(ns store.Namespace) string {
	return "arn:aws:secretsmanager:" + ns.Region + ":" + ns.Account + ":secret:"
}

// namespaceOf returns the namespace a secret's ARN names, and whether it
// is one: arn:aws:secretsmanager:<region>:<account>:secret:...
func namespaceOf(arn string) (store.Namespace, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:secretsmanager:")
	region, rest, ok2 := strings.Cut(rest, ":")
	account, _, ok3 := strings.Cut(rest, ":")
	return store.Namespace{Account: account, Region: region}, ok && ok2 && ok3
}

// recoveryDays is the RecoveryWindowInDays of every DeleteSecret not forced.
const recoveryDays = 7

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
	opDelete   = "DeleteSecret"
	opRestore  = "RestoreSecret"
	opList     = "ListSecrets"
)

// call is what one operation asked of the store: the Input of a
// [porcupine.Operation].
type call struct {
	op       string          // the AWS operation
	ns       store.Namespace // the namespace of the store called: the caller's account and region
	name     string          // SecretId (and Name of CreateSecret); of ListSecrets, set only by the model's Partition
	arn      string          // when set, the SecretId instead of name: the secret's full ARN, as the client last saw it
	token    string          // ClientRequestToken; VersionId of GetSecretValue
	value    string          // SecretString
	stages   []string        // VersionStages of PutSecretValue; nil: not given
	label    string          // VersionStage
	from, to string          // RemoveFromVersionId, MoveToVersionId
	force    bool            // ForceDeleteWithoutRecovery of DeleteSecret; otherwise RecoveryWindowInDays is recoveryDays
	include  bool            // IncludePlannedDeletion of ListSecrets
}

// target returns the key of the secret c names: for the full ARN of a
// secret of another account in the caller's region, that account's
// namespace, where the store looks it up; for anything else, the
// caller's (and another region's ARN is not found there). Of ListSecrets,
// it names no secret.
func (c call) target() key {
	if ns, ok := namespaceOf(c.arn); ok && ns.Region == c.ns.Region {
		return key{ns, c.name}
	}
	return key{c.ns, c.name}
}

// foreign reports whether c gives the ARN of a region other than the
// caller's.
func (c call) foreign() bool {
	ns, ok := namespaceOf(c.arn)
	return ok && ns.Region != c.ns.Region
}

// secretID returns the SecretId c gives.
func (c call) secretID() string {
	if c.arn != "" {
		return c.arn
	}
	return c.name
}

// reply is what the store answered: the Output of a [porcupine.Operation].
// It holds only what the model can predict, and the ARN of CreateSecret,
// which the model takes as it comes.
type reply struct {
	code      stagelabel.Code     // the error code; "" on success
	message   string              // the error message
	arn       string              // ARN of the secret; of CreateSecret, drawn at random
	versionID string              // VersionId of CreateSecret, PutSecretValue, GetSecretValue, RotateSecret
	value     string              // SecretString of GetSecretValue
	stages    []string            // VersionStages of PutSecretValue and GetSecretValue
	describe  map[string][]string // VersionIdsToStages of DescribeSecret, SecretVersionsToStages of a ListSecrets entry
	deleted   time.Time           // DeletedDate of DescribeSecret and of a ListSecrets entry
	deletion  time.Time           // DeletionDate of DeleteSecret
	unlisted  bool                // a ListSecrets entry the listing leaves out
	entries   map[string]reply    // ListSecrets: its entries by name, which the model's Partition splits
}

// equal reports whether r and o tell the same outcome. entries is not
// compared: the model sees a listing only split into entries.
func (r reply) equal(o reply) bool {
	return r.code == o.code && r.message == o.message && r.arn == o.arn && r.versionID == o.versionID &&
		r.value == o.value && slices.Equal(r.stages, o.stages) && maps.EqualFunc(r.describe, o.describe, slices.Equal) &&
		r.deleted.Equal(o.deleted) && r.deletion.Equal(o.deletion) && r.unlisted == o.unlisted
}

// entry returns the entry of a ListSecrets reply r for the secret called
// name, unlisted if there is none; a failure is the failure.
func (r reply) entry(name string) reply {
	if r.code != "" {
		return r
	}
	if e, ok := r.entries[name]; ok {
		return e
	}
	return reply{unlisted: true}
}

// String returns r as the visualization shows it.
func (r reply) String() string {
	var b strings.Builder
	switch {
	case r.code != "":
		return fmt.Sprintf("%s: %s", r.code, r.message)
	case r.unlisted:
		return "not listed"
	case r.entries != nil:
		return fmt.Sprintf("%d entries", len(r.entries))
	}
	b.WriteString(r.arn)
	if r.versionID != "" {
		fmt.Fprintf(&b, " %s %q %v", r.versionID, r.value, r.stages)
	}
	if r.describe != nil {
		fmt.Fprintf(&b, " %v", r.describe)
	}
	if !r.deleted.IsZero() {
		fmt.Fprintf(&b, " DeletedDate %s", r.deleted.Format(time.RFC3339))
	}
	if !r.deletion.IsZero() {
		fmt.Fprintf(&b, " DeletionDate %s", r.deletion.Format(time.RFC3339))
	}
	return b.String()
}

// failure returns the reply of an operation that failed with err.
func failure(err error) reply {
	var e *stagelabel.Error
	if !errors.As(err, &e) {
		return reply{code: "not a *stagelabel.Error", message: err.Error()}
	}
	return reply{code: e.Code, message: e.Message}
}

// apply runs c against st, the store of c's namespace, and returns the
// store's reply.
func apply(st *store.Store, c call) reply {
	var (
		r   reply
		err error
		id  = c.secretID()
	)
	switch c.op {
	case opCreate:
		var out store.CreateSecretOutput
		out, err = st.CreateSecret(store.CreateSecretInput{Name: c.name, ClientRequestToken: c.token, SecretString: &c.value})
		r = reply{arn: out.ARN, versionID: out.VersionId}
	case opPut:
		var out store.PutSecretValueOutput
		out, err = st.PutSecretValue(store.PutSecretValueInput{SecretId: id, ClientRequestToken: c.token,
			SecretString: &c.value, VersionStages: c.stages})
		r = reply{arn: out.ARN, versionID: out.VersionId, stages: out.VersionStages}
	case opUpdate:
		var out store.UpdateSecretVersionStageOutput
		out, err = st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: id, VersionStage: c.label,
			RemoveFromVersionId: c.from, MoveToVersionId: c.to})
		r = reply{arn: out.ARN}
	case opGet:
		var out store.GetSecretValueOutput
		out, err = st.GetSecretValue(store.GetSecretValueInput{SecretId: id, VersionId: c.token, VersionStage: c.label})
		r = reply{arn: out.ARN, versionID: out.VersionId, stages: out.VersionStages}
		if out.SecretString != nil {
			r.value = *out.SecretString
		}
	case opDescribe:
		var out store.DescribeSecretOutput
		out, err = st.DescribeSecret(store.DescribeSecretInput{SecretId: id})
		r = reply{arn: out.ARN, describe: out.VersionIdsToStages, deleted: out.DeletedDate.Time}
	case opRotate:
		var out store.RotateSecretOutput
		out, err = st.RotateSecret(store.RotateSecretInput{SecretId: id, ClientRequestToken: c.token, RotationLambdaARN: "arn:aws:lambda:us-east-1:123456789012:function:rotate"})
		r = reply{arn: out.ARN, versionID: out.VersionId}
	case opDelete:
		in := store.DeleteSecretInput{SecretId: id, ForceDeleteWithoutRecovery: c.force}
		if !c.force {
			days := int64(recoveryDays)
			in.RecoveryWindowInDays = &days
		}
		var out store.DeleteSecretOutput
		out, err = st.DeleteSecret(in)
		r = reply{arn: out.ARN, deletion: out.DeletionDate.Time}
	case opRestore:
		var out store.RestoreSecretOutput
		out, err = st.RestoreSecret(store.RestoreSecretInput{SecretId: id})
		r = reply{arn: out.ARN}
	case opList:
		var out store.ListSecretsOutput
		out, err = st.ListSecrets(store.ListSecretsInput{IncludePlannedDeletion: c.include})
		r = reply{entries: map[string]reply{}}
		for _, e := range out.SecretList {
			if _, ok := r.entries[e.Name]; ok {
				return reply{code: "ListSecrets lists a name twice", message: e.Name}
			}
			r.entries[e.Name] = reply{arn: e.ARN, describe: e.SecretVersionsToStages, deleted: e.DeletedDate.Time}
		}
		if out.NextToken != "" {
			return reply{code: "ListSecrets paged", message: out.NextToken}
		}
	default:
		panic("unknown operation " + c.op)
	}
	if err != nil {
		return failure(err)
	}
	return r
}

// state is the model's state of one secret name.
type state struct {
	live      bool          // a secret has the name: created, not deleted with ForceDeleteWithoutRecovery since
	scheduled bool          // the live secret is scheduled for deletion
	secret    secret.Secret // the live secret's versions and labels, its ARN set
}

// equal reports whether s and o are the same state.
func (s state) equal(o state) bool {
	return s.live == o.live && s.scheduled == o.scheduled && s.secret.Equal(o.secret)
}

// String returns s as the visualization shows it.
func (s state) String() string {
	switch {
	case !s.live:
		return "no secret"
	case s.scheduled:
		return fmt.Sprintf("%s %v, scheduled for deletion", s.secret.ARN(), s.secret)
	}
	return fmt.Sprintf("%s %v", s.secret.ARN(), s.secret)
}

// The failures the store words itself (store.notFound and
// store.markedForDeletion).
var (
	notFound = reply{code: stagelabel.ErrResourceNotFound, message: "Secrets Manager can't find the specified secret."}
	marked   = reply{code: stagelabel.ErrInvalidRequest,
		message: "You can't perform this operation on the secret because it was marked for deletion."}
)

// wellFormed reports whether arn is an ARN the store may give a new secret
// called name in namespace ns: the namespace's prefix, the name, a hyphen
// and six random letters or digits.
func wellFormed(arn string, ns store.Namespace, name string) bool {
	suffix, ok := strings.CutPrefix(arn, arnPrefix(ns)+name+"-")
	return ok && len(suffix) == 6 &&
		strings.Trim(suffix, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == ""
}

// expect is the model: it applies c to s, the state of one key, as
// the store's operations do (store/ops.go), with package secret alone, and
// returns the next state and the reply the store must give. got is the
// store's reply: the model takes from it the ARN of a CreateSecret, which
// is random, and requires every later reply to carry that ARN.
func expect(s state, c call, got reply) (state, reply) {
	newVersion := func() version.Version {
		return version.New(version.ID(c.token), version.WithString(c.value)).With(version.WithCreated(t0))
	}
	arn := s.secret.ARN()
	ns := c.target().ns

	// The lifecycle first. CreateSecret and ListSecrets need no secret.
	// Every other operation fails on a name without a secret or given the
	// ARN of another secret; on a secret scheduled for deletion, all but
	// DescribeSecret, RestoreSecret and a forced DeleteSecret fail.
	switch {
	case c.op == opCreate:
		switch {
		case s.scheduled:
			return s, reply{code: stagelabel.ErrInvalidRequest,
				message: "You can't create this secret because a secret with this name is already scheduled for deletion."}
		case s.live:
			// The token of a version with a value: a repeat (the same
			// value) succeeds and changes nothing; another value is the
			// token-in-use error, as for PutSecretValue.
			if v, ok := s.secret.Version(version.ID(c.token)); ok && v.HasValue() {
				if _, err := s.secret.Put(newVersion()); err != nil {
					return s, failure(err)
				}
				return s, reply{arn: arn, versionID: c.token}
			}
			return s, reply{code: stagelabel.ErrResourceExists,
				message: fmt.Sprintf("The operation failed because the secret %s already exists.", c.name)}
		}
		next, err := secret.New(c.name).WithARN(got.arn).Put(newVersion())
		if err != nil {
			return s, failure(err)
		}
		want := reply{arn: got.arn, versionID: c.token}
		if !wellFormed(got.arn, ns, c.name) {
			want.arn = arnPrefix(ns) + c.name + "-" + "<6 letters or digits>"
		}
		return state{live: true, secret: next}, want
	case c.op == opList:
		if !s.live || s.scheduled && !c.include {
			return s, reply{unlisted: true}
		}
		return s, reply{arn: arn, describe: s.describe(), deleted: s.deletedDate()}
	case c.op == opDelete && c.force && (!s.live || c.arn != "" && c.arn != arn):
		// Forced, a DeleteSecret of a secret that does not exist succeeds
		// and changes nothing [R]: the ARN given, or one for the name.
		want := reply{arn: c.arn, deletion: t0}
		if c.arn == "" {
			want.arn = got.arn
			if !wellFormed(got.arn, ns, c.name) {
				want.arn = arnPrefix(ns) + c.name + "-" + "<6 letters or digits>"
			}
		}
		return s, want
	case !s.live || c.arn != "" && c.arn != arn:
		return s, notFound
	case s.scheduled && c.op != opDescribe && c.op != opRestore && !(c.op == opDelete && c.force):
		return s, marked
	}

	switch c.op {
	case opPut:
		stages := make([]stage.Label, len(c.stages))
		for i, l := range c.stages {
			stages[i] = stage.Label(l)
		}
		v := newVersion()
		next, err := s.secret.Put(v, stages...)
		if err != nil {
			return s, failure(err)
		}
		if !next.Equal(s.secret) {
			next, _ = next.Prune(t0)
		}
		return s.with(next), reply{arn: arn, versionID: c.token, stages: labelNames(next.Labels(v.ID()))}
	case opUpdate:
		next, err := s.secret.MoveLabel(stage.Label(c.label), version.ID(c.from), version.ID(c.to))
		if err != nil {
			return s, failure(err)
		}
		return s.with(next), reply{arn: arn}
	case opGet:
		v, err := s.secret.Get(version.ID(c.token), stage.Label(c.label))
		if err != nil {
			return s, failure(err)
		}
		value, _ := v.SecretString()
		return s, reply{arn: arn, versionID: string(v.ID()), value: value, stages: labelNames(s.secret.Labels(v.ID()))}
	case opDescribe:
		return s, reply{arn: arn, describe: s.describe(), deleted: s.deletedDate()}
	case opRotate:
		next, err := s.secret.Rotate(version.ID(c.token), t0)
		if err != nil {
			return s, failure(err)
		}
		next, _ = next.Prune(t0)
		return s.with(next), reply{arn: arn, versionID: c.token}
	case opDelete:
		if c.force {
			return state{}, reply{arn: arn, deletion: t0}
		}
		s.scheduled = true
		return s, reply{arn: arn, deletion: t0.AddDate(0, 0, recoveryDays)}
	case opRestore:
		s.scheduled = false
		return s, reply{arn: arn}
	}
	panic("unknown operation " + c.op)
}

// with returns s holding next.
func (s state) with(next secret.Secret) state {
	s.secret = next
	return s
}

// describe returns the VersionIdsToStages of s: nil when no version is
// labelled.
func (s state) describe() map[string][]string {
	if s.secret.LabelCount() == 0 {
		return nil
	}
	m := make(map[string][]string, s.secret.LabelCount())
	for v := range s.secret.Labelled() {
		m[string(v.ID())] = labelNames(s.secret.Labels(v.ID()))
	}
	return m
}

// deletedDate returns the DeletedDate of s: when DeleteSecret scheduled
// it, or zero.
func (s state) deletedDate() time.Time {
	if s.scheduled {
		return t0
	}
	return time.Time{}
}

func labelNames(ls []stage.Label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = string(l)
	}
	return out
}

// model is the sequential specification of the store, one key (a
// namespace and a name) per partition: its state is whether a secret has
// the name there, whether it is scheduled for deletion, and the
// secret.Secret the operations so far made. An operation belongs to the
// key it names ([call.target]), which, given another account's ARN, is not
// the namespace of the store called.
//
// ListSecrets is not atomic across secrets (see the store package doc):
// it lists each secret as it was at one instant of the call, but not all
// at the same instant. So the model does not check a listing as a whole;
// Partition splits it into one entry per name of the caller's namespace,
// an operation of that key's partition over the same interval, which the
// model checks as a read of the key alone. That is sound: the store's listing ranges over a
// sync.Map, which reflects for each name a mapping it held at some
// instant of the range, and then loads that slot's record once; a name
// missing from the index, or whose record was purged, has no secret at
// that instant (a slot leaves the index only after its record is purged,
// and a new slot enters only after). Each entry, or its absence, is thus
// the name's state at one instant inside the call, which is all a
// per-name linearizable read promises.
var model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[key][]porcupine.Operation{}
		for _, o := range history {
			switch c := o.Input.(call); c.op {
			case opList:
				for name := range o.Output.(reply).entries {
					if _, ok := byKey[key{c.ns, name}]; !ok {
						byKey[key{c.ns, name}] = nil // a name only a listing shows: its partition finds no secret there
					}
				}
			default:
				k := c.target()
				byKey[k] = append(byKey[k], o)
			}
		}
		for _, o := range history {
			c := o.Input.(call)
			if c.op != opList {
				continue
			}
			for k := range byKey {
				if k.ns != c.ns {
					continue // another namespace: the listing does not see it
				}
				e := o
				c.name = k.name
				e.Input, e.Output = c, o.Output.(reply).entry(k.name)
				byKey[k] = append(byKey[k], e)
			}
		}
		return slices.Collect(maps.Values(byKey))
	},
	Init: func() any { return state{} },
	Step: func(s, input, output any) (bool, any) {
		got := output.(reply)
		next, want := expect(s.(state), input.(call), got)
		return got.equal(want), next
	},
	Equal: func(a, b any) bool { return a.(state).equal(b.(state)) },
	DescribeOperation: func(input, output any) string {
		c := input.(call)
		return fmt.Sprintf("%s(%+v) -> %v", c.op, c, output)
	},
	DescribeState: func(s any) string { return s.(state).String() },
}

// client issues operations against a shared store, in the namespaces
// of the calls, and records each with the instants it was invoked and
// answered, read from a counter all clients share.
type client struct {
	id     int
	stores map[store.Namespace]*store.Store // the store of each namespace, shared
	clock  *atomic.Int64
	rand   *rand.Rand
	seen   map[key]map[string][]string // VersionIdsToStages last described, by secret
	arns   map[key]string              // ARN last replied, by secret
	ops    []porcupine.Operation
}

// do runs c, records it and returns the reply.
func (cl *client) do(c call) reply {
	start := cl.clock.Add(1)
	r := apply(cl.stores[c.ns], c)
	end := cl.clock.Add(1)
	cl.ops = append(cl.ops, porcupine.Operation{ClientId: cl.id, Input: c, Call: start, Output: r, Return: end})
	if r.arn != "" && c.name != "" && !c.foreign() {
		cl.arns[c.target()] = r.arn
	}
	return r
}

// token returns a token from the pool.
func (cl *client) token() string { return tok(cl.rand.IntN(tokens)) }

// version returns a version id of secret k: most often one the client
// last saw labelled there, so that label moves often succeed and race with
// each other; otherwise one from the pool, or none.
func (cl *client) version(k key) string {
	seen := slices.Sorted(maps.Keys(cl.seen[k]))
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
// k, or "" if none.
func (cl *client) holder(k key, label string) string {
	for id, ls := range cl.seen[k] {
		if slices.Contains(ls, label) {
			return id
		}
	}
	return ""
}

// arn returns, one time in four, the ARN the client last saw secret k
// answer with, to give as SecretId: stale once the name is re-created.
// Otherwise it returns "", for the name.
func (cl *client) arn(k key) string {
	if cl.rand.IntN(4) > 0 {
		return ""
	}
	return cl.arns[k]
}

// caller returns the namespace to call with the SecretId arn of secret k:
// k's own, or, for an ARN, half the time another namespace of the region,
// whose store looks the ARN up in k's; and, one time in eight, arn
// rewritten to a region of no namespace, which no store finds.
func (cl *client) caller(k key, arn string) (store.Namespace, string) {
	if arn == "" {
		return k.ns, ""
	}
	ns := k.ns
	if cl.rand.IntN(2) == 0 {
		ns = namespaces[cl.rand.IntN(len(namespaces))]
	}
	if cl.rand.IntN(8) == 0 {
		arn = strings.Replace(arn, ":"+k.ns.Region+":", ":"+foreignRegion+":", 1)
	}
	return ns, arn
}

// step issues one random operation. After a failure on a secret deleted
// or scheduled for deletion it sometimes re-creates or restores the
// secret and retries, as a client would: so the secrets are mostly there,
// and clients that met the same failure race to bring them back and to
// write to them.
func (cl *client) step() {
	r := cl.rand
	name := secretNames[r.IntN(len(secretNames))]
	k := key{namespaces[r.IntN(len(namespaces))], name}
	label := labelPool[r.IntN(len(labelPool))]
	c := call{name: name}
	c.ns, c.arn = cl.caller(k, cl.arn(k))
	switch n := r.IntN(40); {
	case n < 10:
		c.op, c.token, c.value = opPut, cl.token(), values[r.IntN(len(values))]
		if r.IntN(3) == 0 {
			c.stages = []string{label}
			if r.IntN(2) == 0 {
				c.stages = append(c.stages, labelPool[r.IntN(len(labelPool))])
			}
		}
	case n < 20:
		c.op, c.label, c.from, c.to = opUpdate, label, cl.version(k), cl.version(k)
		if r.IntN(2) == 0 {
			c.from = cl.holder(k, label) // informed: the move succeeds unless another got there first
		}
	case n < 26:
		c.op = opGet
		switch r.IntN(3) {
		case 0:
			c.label = label
		case 1:
			c.token = cl.version(k)
		}
	case n < 30:
		c.op = opDescribe
	case n < 32:
		c.op, c.token = opRotate, cl.token()
	case n < 34:
		c = call{op: opList, ns: namespaces[r.IntN(len(namespaces))], include: r.IntN(2) == 0}
	case n < 36:
		c.op, c.force = opDelete, name == ephemeral && r.IntN(2) == 0
	case n < 38:
		c.op = opRestore
	default:
		c = call{op: opCreate, ns: k.ns, name: name, token: cl.token(), value: values[r.IntN(len(values))]}
	}
	out := cl.do(c)
	if r.IntN(2) == 0 {
		switch {
		case out.equal(marked):
			cl.do(call{op: opRestore, ns: k.ns, name: name})
			out = cl.do(c)
		case out.equal(notFound):
			cl.do(call{op: opCreate, ns: k.ns, name: name, token: cl.token(), value: values[r.IntN(len(values))]})
			out = cl.do(c)
		}
	}
	if c.op == opDescribe && out.code == "" {
		cl.seen[k] = out.describe
	}
}

// TestLinearizable runs random operations, the secrets' lifecycle
// included, from several goroutines on a few shared secrets of the same
// names in two namespaces (some given by ARN to the other namespace's
// store, or to a region of none), then checks
// that the history is linearizable against the model and that every
// acknowledged write is still there unless its secret may have been
// deleted since. It does so for several histories, each on a new store.
func TestLinearizable(t *testing.T) {
	for round := range rounds {
		t.Run(fmt.Sprintf("round=%d", round), func(t *testing.T) { checkRound(t, uint64(round), false) })
	}
}

// TestLinearizableShared runs the histories of TestLinearizable on two
// stores sharing one backend that each follows (storetest.Shared, as two
// processes on one etcd cluster): every other client calls the second
// store. Their operations, reads included, must be linearizable as those
// of one store (docs/semantics.md §ST8).
func TestLinearizableShared(t *testing.T) {
	for round := range rounds / 2 {
		t.Run(fmt.Sprintf("round=%d", round), func(t *testing.T) { checkRound(t, uint64(round), true) })
	}
}

// checkRound checks one history, its operations drawn from seed; with
// shared, on two stores following one shared backend.
func checkRound(t *testing.T, seed uint64, shared bool) {
	opts := func(n byte) []store.Option {
		return []store.Option{store.WithClock(func() time.Time { return t0 }), store.WithRandom(rand.NewChaCha8([32]byte{byte(seed), n})), store.WithManualRotation()}
	}
	st, other := store.New(opts(0)...), (*store.Store)(nil)
	switch {
	case shared:
		var backend storetest.Shared
		var err error
		if st, err = store.Open(backend.Open(), opts(0)...); err != nil {
			t.Fatal(err)
		}
		if other, err = store.Open(backend.Open(), opts(1)...); err != nil {
			t.Fatal(err)
		}
	case seed%2 == 1: // every other history on a store that commits each change to a backend first
		var err error
		if st, err = store.Open(&storetest.Memory{}, opts(0)...); err != nil {
			t.Fatal(err)
		}
	}
	storesOf := func(st *store.Store) map[store.Namespace]*store.Store {
		stores := map[store.Namespace]*store.Store{}
		for _, ns := range namespaces {
			s, err := st.In(ns)
			if err != nil {
				t.Fatal(err)
			}
			stores[ns] = s
		}
		return stores
	}
	stores := storesOf(st)
	otherStores := stores
	if other != nil {
		otherStores = storesOf(other)
	}
	var clock atomic.Int64

	// Client 0 creates the secrets, each with three versions.
	setup := &client{id: 0, stores: stores, clock: &clock, arns: map[key]string{}}
	for _, ns := range namespaces {
		for _, name := range secretNames {
			steps := []call{
				{op: opCreate, ns: ns, name: name, token: tok(0), value: values[0]},
				{op: opPut, ns: ns, name: name, token: tok(1), value: values[1]},
				{op: opPut, ns: ns, name: name, token: tok(2), value: values[0]},
			}
			for _, c := range steps {
				if out := setup.do(c); out.code != "" {
					t.Fatalf("%s(%+v) = %v, want success", c.op, c, out)
				}
			}
		}
	}

	// The clients start together, to overlap as much as they can.
	clients := make([]*client, workers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		mine := stores
		if i%2 == 1 {
			mine = otherStores
		}
		cl := &client{id: i + 1, stores: mine, clock: &clock, rand: rand.New(rand.NewPCG(seed, uint64(i))),
			seen: map[key]map[string][]string{}, arns: maps.Clone(setup.arns)}
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

	// Client 0 describes each secret last, so that the final state, which
	// no client may have read, is checked too.
	for _, ns := range namespaces {
		for _, name := range secretNames {
			setup.do(call{op: opDescribe, ns: ns, name: name})
		}
	}

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

	var across, acrossOK, foreign int
	for _, o := range history {
		switch c := o.Input.(call); {
		case c.foreign():
			foreign++
		case c.target().ns != c.ns:
			across++
			if o.Output.(reply).code == "" {
				acrossOK++
			}
		}
	}
	t.Logf("%d operations given another account's ARN (%d succeeded), %d another region's", across, acrossOK, foreign)

	checkNothingLost(t, otherStores, history)
}

// checkNothingLost checks that every version a CreateSecret or
// PutSecretValue acknowledged still holds its value, unless a
// DeleteSecret with ForceDeleteWithoutRecovery of its secret may have
// come after it: one that did not return before the write was invoked. A
// secret only scheduled for deletion keeps its versions: it is restored
// to read them.
func checkNothingLost(t *testing.T, stores map[store.Namespace]*store.Store, history []porcupine.Operation) {
	t.Helper()
	forced := map[key][]int64{} // when each acknowledged forced DeleteSecret returned, by secret
	for _, o := range history {
		if c, r := o.Input.(call), o.Output.(reply); c.op == opDelete && c.force && r.code == "" {
			forced[c.target()] = append(forced[c.target()], o.Return)
		}
	}
	for _, ns := range namespaces {
		for _, name := range secretNames {
			// A secret deleted for good has nothing to restore.
			if _, err := stores[ns].RestoreSecret(store.RestoreSecretInput{SecretId: name}); err != nil && !errors.Is(err, stagelabel.ErrResourceNotFound) {
				t.Errorf("RestoreSecret(%s) in %v after the history: %v", name, ns, err)
			}
		}
	}
	var writes, checked int
	for _, o := range history {
		c, r := o.Input.(call), o.Output.(reply)
		if c.op != opPut && c.op != opCreate || r.code != "" {
			continue
		}
		writes++
		k := c.target()
		if slices.ContainsFunc(forced[k], func(deleted int64) bool { return deleted > o.Call }) {
			continue
		}
		checked++
		got, err := stores[k.ns].GetSecretValue(store.GetSecretValueInput{SecretId: k.name, VersionId: c.token})
		if err != nil {
			t.Errorf("GetSecretValue(%s, VersionId %s) after acknowledged %s: %v", k, c.token, c.op, err)
			continue
		}
		if got.SecretString == nil || *got.SecretString != c.value {
			t.Errorf("GetSecretValue(%s, VersionId %s) holds another value than the acknowledged %s wrote", k, c.token, c.op)
		}
	}
	t.Logf("%d operations, %d acknowledged CreateSecret and PutSecretValue, %d of them checked (the rest may have been deleted since)",
		len(history), writes, checked)
}
