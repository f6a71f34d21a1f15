package processes_test

import (
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// The operations of a history, named as AWS names them.
const (
	opCreate   = "CreateSecret"
	opPut      = "PutSecretValue"
	opGet      = "GetSecretValue"
	opUpdate   = "UpdateSecretVersionStage"
	opDescribe = "DescribeSecret"
	opDelete   = "DeleteSecret"
	opRestore  = "RestoreSecret"
)

// The labels the operations move: AWS's two that move together, and a
// custom one (§L17).
const (
	current  = "AWSCURRENT"
	previous = "AWSPREVIOUS"
	custom   = "X"
)

// The error codes the model predicts.
const (
	errNotFound     = "ResourceNotFoundException"
	errExists       = "ResourceExistsException"
	errInvalidReq   = "InvalidRequestException"
	errInvalidParam = "InvalidParameterException"
	errInternal     = "InternalServiceError"
)

// call is what one operation asked: the Input of a [porcupine.Operation].
type call struct {
	op       string
	emulator int    // the index of the emulator called
	name     string // SecretId, and Name of CreateSecret
	token    string // ClientRequestToken; VersionId of GetSecretValue
	value    string // SecretString
	label    string // VersionStage
	from, to string // RemoveFromVersionId, MoveToVersionId
}

// reply is what the emulator answered: the Output of a
// [porcupine.Operation], holding what the model predicts.
type reply struct {
	code      string // the error's __type; "" on success
	unknown   bool   // no answer, or InternalServiceError: the outcome is not known
	arn       string // ARN
	versionID string // VersionId
	value     string // SecretString
	stages    string // VersionStages, sorted, comma-separated
	describe  string // VersionIdsToStages as [state.describe] writes it
	deleted   bool   // DeletedDate given
}

// String returns r as the visualization shows it.
func (r reply) String() string {
	switch {
	case r.unknown:
		return "unknown outcome (" + r.code + ")"
	case r.code != "":
		return r.code
	}
	s := r.arn
	if r.versionID != "" {
		s += fmt.Sprintf(" %s %q [%s]", r.versionID, r.value, r.stages)
	}
	if r.describe != "" {
		s += " {" + r.describe + "}"
	}
	if r.deleted {
		s += " deleted"
	}
	return s
}

// state is the model's state of one secret name: whether a secret has it,
// whether it is scheduled for deletion, its ARN, its versions' values and
// the version each label is on. States are never changed: a step returns
// a new one.
type state struct {
	exists    bool
	scheduled bool
	arn       string            // "" while unknown: created by a call whose answer was lost
	values    map[string]string // version id to SecretString
	labels    map[string]string // label to version id
}

// key returns a string that two states share if and only if they are equal.
func (s state) key() string {
	if !s.exists {
		return "none"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%t %s |", s.scheduled, s.arn)
	for _, id := range slices.Sorted(maps.Keys(s.values)) {
		fmt.Fprintf(&b, " %s=%q", id, s.values[id])
	}
	b.WriteString(" | " + s.describe())
	return b.String()
}

// describe returns VersionIdsToStages: each labelled version with its
// labels, sorted, as "id:L1,L2 id2:L3".
func (s state) describe() string {
	byVersion := map[string][]string{}
	for l, id := range s.labels {
		byVersion[id] = append(byVersion[id], l)
	}
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(byVersion)) {
		parts = append(parts, id+":"+strings.Join(slices.Sorted(slices.Values(byVersion[id])), ","))
	}
	return strings.Join(parts, " ")
}

// stagesOf returns the labels of version id, sorted, comma-separated.
func (s state) stagesOf(id string) string {
	var ls []string
	for l, v := range s.labels {
		if v == id {
			ls = append(ls, l)
		}
	}
	slices.Sort(ls)
	return strings.Join(ls, ",")
}

// String returns s as the visualization shows it.
func (s state) String() string { return s.key() }

// with returns a copy of s whose maps may be changed.
func (s state) clone() state {
	s.values = maps.Clone(s.values)
	s.labels = maps.Clone(s.labels)
	return s
}

// spec applies c to s by the rules of docs/semantics.md and returns the
// next state and the reply the emulator must give; its ARN is the one s
// knows ("" if none). A version's id is the ClientRequestToken that
// made it; the histories never reuse a token, so the rules of a repeated
// token are left out.
func spec(s state, c call) (state, reply) {
	ok := reply{arn: s.arn}
	switch {
	case c.op == opCreate && s.scheduled:
		return s, reply{code: errInvalidReq}
	case c.op == opCreate && s.exists:
		return s, reply{code: errExists}
	case c.op == opCreate:
		return state{exists: true, values: map[string]string{c.token: c.value}, labels: map[string]string{current: c.token}},
			reply{versionID: c.token} // the ARN is the emulator's to draw
	case !s.exists:
		return s, reply{code: errNotFound}
	case s.scheduled && c.op != opDescribe && c.op != opRestore:
		return s, reply{code: errInvalidReq} // §X3, §X4; DeleteSecret of a scheduled secret too
	}
	switch c.op {
	case opPut: // §V3: AWSCURRENT moves to the new version, AWSPREVIOUS to the old current one
		n := s.clone()
		n.values[c.token] = c.value
		if old, ok := n.labels[current]; ok {
			n.labels[previous] = old
		}
		n.labels[current] = c.token
		ok.versionID, ok.stages = c.token, current
		return n, ok
	case opGet:
		id := c.token
		if id == "" {
			label, on := c.label, false
			if label == "" {
				label = current // neither VersionId nor VersionStage
			}
			if id, on = s.labels[label]; !on {
				return s, reply{code: errNotFound}
			}
		} else if _, ok := s.values[id]; !ok {
			return s, reply{code: errNotFound}
		}
		ok.versionID, ok.value, ok.stages = id, s.values[id], s.stagesOf(id)
		return s, ok
	case opUpdate:
		return update(s, c)
	case opDescribe:
		ok.describe, ok.deleted = s.describe(), s.scheduled
		return s, ok
	case opDelete:
		n := s.clone()
		n.scheduled = true
		return n, ok
	case opRestore:
		n := s.clone()
		n.scheduled = false
		return n, ok
	}
	panic("unknown operation " + c.op)
}

// update applies UpdateSecretVersionStage, in the order of the checks of
// §L: ids that name no version (§L13), AWSCURRENT without a target (§L8),
// then the label's holder (§L10, §L2, §L4, §L5).
func update(s state, c call) (state, reply) {
	if c.from == "" && c.to == "" {
		return s, reply{code: errInvalidParam} // §L12
	}
	for _, id := range []string{c.from, c.to} {
		if _, ok := s.values[id]; id != "" && !ok {
			return s, reply{code: errNotFound}
		}
	}
	if c.label == current && c.to == "" {
		return s, reply{code: errInvalidParam}
	}
	holder := s.labels[c.label]
	switch {
	case c.to != "" && holder == c.to && (c.from == "" || c.from == c.to):
		return s, reply{arn: s.arn} // §L10
	case holder != "" && c.from == "":
		return s, reply{code: errInvalidParam} // §L2
	case c.from != holder:
		return s, reply{code: errInvalidParam} // §L4, §L5
	}
	n := s.clone()
	if c.to == "" {
		delete(n.labels, c.label) // §L9
		return n, reply{arn: s.arn}
	}
	n.labels[c.label] = c.to // §L1, §L3
	if c.label == current && holder != "" {
		n.labels[previous] = holder // §L6, §L7; not when nothing had AWSCURRENT (§L11)
	}
	return n, reply{arn: s.arn}
}

// wellFormed reports whether arn may be the ARN of a new secret called name:
// its name, a hyphen and six letters or digits at the end.
func wellFormed(arn, name string) bool {
	_, suffix, ok := strings.Cut(arn, ":secret:"+name+"-")
	return ok && strings.HasPrefix(arn, "arn:aws:secretsmanager:") && len(suffix) == 6 &&
		strings.Trim(suffix, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == ""
}

// step returns the states s may go to when c is answered got: none if the
// answer is not the one the rules give; for an unknown outcome, s and the
// state c would make. An ARN s does not know is taken from the first
// answer that gives one.
func step(s state, c call, got reply) []state {
	next, want := spec(s, c)
	if got.unknown {
		if next.key() == s.key() {
			return []state{s}
		}
		return []state{s, next}
	}
	if want.code == "" && got.code == "" && got.arn != "" {
		switch {
		case c.op == opCreate && wellFormed(got.arn, c.name):
			want.arn, next.arn = got.arn, got.arn
		case c.op != opCreate && s.arn == "":
			want.arn, next.arn = got.arn, got.arn
		}
	}
	if got != want {
		return nil
	}
	return []state{next}
}

// model is the sequential specification, one partition per secret name.
var model = (&porcupine.NondeterministicModel{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byName := map[string][]porcupine.Operation{}
		for _, o := range history {
			name := o.Input.(call).name
			byName[name] = append(byName[name], o)
		}
		return slices.Collect(maps.Values(byName))
	},
	Init: func() []any { return []any{state{}} },
	Step: func(s, input, output any) []any {
		var out []any
		for _, n := range step(s.(state), input.(call), output.(reply)) {
			out = append(out, n)
		}
		return out
	},
	Equal: func(a, b any) bool { return a.(state).key() == b.(state).key() },
	Hash: func(s any) uint64 {
		h := fnv.New64a()
		h.Write([]byte(s.(state).key()))
		return h.Sum64()
	},
	DescribeOperation: func(input, output any) string {
		c := input.(call)
		return fmt.Sprintf("%s(%+v) -> %v", c.op, c, output)
	},
	DescribeState: func(s any) string { return s.(state).String() },
}).ToModel()
