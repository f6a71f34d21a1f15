// Package awsjson serves AWS Secrets Manager's JSON protocol (AWS JSON 1.1)
// over a [store.Store], so that the AWS SDKs and the AWS CLI, pointed at it,
// get what AWS would answer.
//
// # Protocol
//
// A request is POST / with the header X-Amz-Target:
// secretsmanager.<Operation> and a JSON body whose members are named as in
// the AWS API reference. A success is HTTP 200 with a JSON body in which
// absent members are left out [R], timestamps are epoch seconds and
// SecretBinary is base64 [D]. A failure is HTTP 400 with the body
// {"__type":"<Code>","Message":"..."} [R]; InternalServiceError is HTTP
// 500, a host [WithHosts] refuses 421, and the code is in the
// X-Amzn-ErrorType header too [M]. The rules,
// with their sources, are docs/semantics.md §W.
//
// A body that is not UTF-8, or not one JSON object of the members' types,
// is SerializationException [M]; its members are then validated as the
// store validates them (see [store.Validate]), before the operation runs.
//
// # Signatures, identities and hosts
//
// By default request signatures are accepted without being checked, every
// request is served from one store, and whatever its Host. Options change
// that: [WithCredentials] checks every signature against a set of keys
// and refuses a request not signed by one with AWS's error (HTTP 400);
// [WithIdentity] works out each request's account and region from its
// signature and serves it from a store of theirs; [WithHosts] refuses
// (HTTP 421) a request whose Host header names a host the handler does
// not answer for, which keeps a web page from reading the secrets through
// a browser by DNS rebinding. Credentials, signatures and secret keys are
// never logged. Unknown members of a request are ignored.
//
// # Beside other services
//
// An emulator of several AWS services at one address routes to the
// handler the requests whose X-Amz-Target begins with [TargetPrefix].
// [WithOperation] adds an operation the handler lacks, or answers one in
// the emulator's own way, with an [Operation] made by [Op], which decodes
// and validates its input, and encodes its output and errors, as the
// handler's own operations do.
package awsjson

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/store"
)

// MaxBodyBytes is the largest request body the handler reads; a larger one
// is refused with SerializationException [M].
const MaxBodyBytes = 1 << 20

// Codes of protocol errors, which the store never returns [M] (§W9).
const (
	ErrSerialization    stagelabel.Code = "SerializationException"
	ErrUnknownOperation stagelabel.Code = "UnknownOperationException"
)

// TargetPrefix begins the X-Amz-Target header of every request the handler
// serves: "secretsmanager.<Operation>", such as
// "secretsmanager.GetSecretValue" [D]. A server that mounts the handler
// beside other services' handlers at one address routes to it the requests
// whose target has this prefix (see the package example).
const TargetPrefix = "secretsmanager."

// Handler answers Secrets Manager JSON requests from a store. Create it
// with [New].
type Handler struct {
	st     *store.Store
	log    *slog.Logger
	nextID atomic.Uint64
	front  front                // hosts, signatures, identities: see front.go
	ops    map[string]Operation // the operations served, by name: the handler's own copy
}

// Option configures a [Handler].
type Option func(*Handler)

// WithLogger makes the handler log one line per request: the operation,
// the secret named, the HTTP status and the duration. Never a secret
// value, never a credential.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithOperation makes the handler serve op as the operation name (the
// target TargetPrefix+name), in place of its own operation of that name if
// it has one. The zero Operation removes name: the handler then answers it
// with UnknownOperationException, as it does any name it does not serve.
// An emulator uses it to add an operation stagelabel lacks, or to change
// how one answers; see [Op].
func WithOperation(name string, op Operation) Option {
	return func(h *Handler) {
		if op.run == nil {
			delete(h.ops, name)
			return
		}
		h.ops[name] = op
	}
}

// New returns a handler serving st.
func New(st *store.Store, opts ...Option) *Handler {
	h := &Handler{st: st, ops: maps.Clone(operations)}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Operations returns the names of the operations the handler serves,
// sorted.
func (h *Handler) Operations() []string { return slices.Sorted(maps.Keys(h.ops)) }

// Operation is one operation a [Handler] serves: it reads a request's body,
// runs it on the store that serves the request (the handler's, or the
// store of the request's identity with [WithIdentity]) and gives the
// output the handler sends. Make one with [Op]; the zero Operation is
// none (see [WithOperation]).
type Operation struct {
	run func(st *store.Store, body []byte) (out any, secret string, err error)
}

// Op makes an [Operation] of f, which runs a request's input on a store as
// the store's methods do (such as [store.Store.GetSecretValue]), and
// secretOf, which names the secret an input is about for the log
// ([WithLogger]); a nil secretOf names none.
//
// The handler decodes the body into an In with encoding/json, refusing a
// body that does not decode with SerializationException, as it does for
// its own operations; runs f; and sends the Out that f returns, encoded
// with encoding/json (a member's tags say when it is left out), or f's
// error: a *[stagelabel.Error] with its code and message, any other error
// as InternalServiceError. f validates In with [store.Validate], as each of
// the store's methods does. Before f runs, an optional string member that
// the body gives empty is validated as given (AWS refuses an empty
// ClientRequestToken for its length [D]), where f's check takes "" for
// not given.
func Op[In, Out any](f func(*store.Store, In) (Out, error), secretOf func(In) string) Operation {
	if secretOf == nil {
		secretOf = func(In) string { return "" }
	}
	return Operation{func(st *store.Store, body []byte) (any, string, error) {
		var in In
		if err := decode(body, &in); err != nil {
			return nil, "", err
		}
		if given := givenIn(body); given != nil {
			if err := store.Validate("", in, given); err != nil {
				return nil, secretOf(in), err
			}
		}
		out, err := f(st, in)
		return out, secretOf(in), err
	}}
}

// operations are the operations a handler serves unless told otherwise
// ([WithOperation]), by name. A handler shares it until an option changes
// its own.
var operations = map[string]Operation{
	"CreateSecret":                 Op((*store.Store).CreateSecret, func(in store.CreateSecretInput) string { return in.Name }),
	"PutSecretValue":               Op((*store.Store).PutSecretValue, func(in store.PutSecretValueInput) string { return in.SecretId }),
	"UpdateSecret":                 Op((*store.Store).UpdateSecret, func(in store.UpdateSecretInput) string { return in.SecretId }),
	"GetSecretValue":               Op((*store.Store).GetSecretValue, func(in store.GetSecretValueInput) string { return in.SecretId }),
	"DescribeSecret":               Op((*store.Store).DescribeSecret, func(in store.DescribeSecretInput) string { return in.SecretId }),
	"ListSecretVersionIds":         Op((*store.Store).ListSecretVersionIds, func(in store.ListSecretVersionIdsInput) string { return in.SecretId }),
	"UpdateSecretVersionStage":     Op((*store.Store).UpdateSecretVersionStage, func(in store.UpdateSecretVersionStageInput) string { return in.SecretId }),
	"RotateSecret":                 Op((*store.Store).RotateSecret, func(in store.RotateSecretInput) string { return in.SecretId }),
	"CancelRotateSecret":           Op((*store.Store).CancelRotateSecret, func(in store.CancelRotateSecretInput) string { return in.SecretId }),
	"DeleteSecret":                 Op((*store.Store).DeleteSecret, func(in store.DeleteSecretInput) string { return in.SecretId }),
	"RestoreSecret":                Op((*store.Store).RestoreSecret, func(in store.RestoreSecretInput) string { return in.SecretId }),
	"ListSecrets":                  Op((*store.Store).ListSecrets, nil),
	"BatchGetSecretValue":          Op((*store.Store).BatchGetSecretValue, func(in store.BatchGetSecretValueInput) string { return strings.Join(in.SecretIdList, ",") }),
	"GetRandomPassword":            Op((*store.Store).GetRandomPassword, nil),
	"TagResource":                  Op((*store.Store).TagResource, func(in store.TagResourceInput) string { return in.SecretId }),
	"PutResourcePolicy":            Op((*store.Store).PutResourcePolicy, func(in store.PutResourcePolicyInput) string { return in.SecretId }),
	"GetResourcePolicy":            Op((*store.Store).GetResourcePolicy, func(in store.GetResourcePolicyInput) string { return in.SecretId }),
	"DeleteResourcePolicy":         Op((*store.Store).DeleteResourcePolicy, func(in store.DeleteResourcePolicyInput) string { return in.SecretId }),
	"ValidateResourcePolicy":       Op((*store.Store).ValidateResourcePolicy, func(in store.ValidateResourcePolicyInput) string { return in.SecretId }),
	"UntagResource":                Op((*store.Store).UntagResource, func(in store.UntagResourceInput) string { return in.SecretId }),
	"ReplicateSecretToRegions":     Op((*store.Store).ReplicateSecretToRegions, func(in store.ReplicateSecretToRegionsInput) string { return in.SecretId }),
	"RemoveRegionsFromReplication": Op((*store.Store).RemoveRegionsFromReplication, func(in store.RemoveRegionsFromReplicationInput) string { return in.SecretId }),
	"StopReplicationToReplica":     Op((*store.Store).StopReplicationToReplica, func(in store.StopReplicationToReplicaInput) string { return in.SecretId }),
}

// ServeHTTP answers one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	name, ours := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	var out any
	var secret string
	st, body, err := h.admit(r, name)
	if err == nil {
		out, secret, err = h.run(r, st, name, ours, body)
	}
	status := h.respond(w, out, err)
	if h.log != nil {
		level, attrs := slog.LevelInfo, []slog.Attr{slog.String("op", name), slog.String("secret", secret),
			slog.Int("status", status), slog.Duration("duration", time.Since(start))}
		if status == http.StatusInternalServerError { // the cause, which the client is not told
			level, attrs = slog.LevelError, append(attrs, slog.String("err", err.Error()))
		}
		h.log.LogAttrs(r.Context(), level, "request", attrs...)
	}
}

// run reads the request, unless admit read its body already, and runs its
// operation name, which the target named if ours, on st.
func (h *Handler) run(r *http.Request, st *store.Store, name string, ours bool, body []byte) (any, string, error) {
	f, ok := h.ops[name]
	if r.Method != http.MethodPost || !ok || !ours {
		return nil, "", &stagelabel.Error{Op: name, Code: ErrUnknownOperation,
			Message: fmt.Sprintf("Operation %q is not supported.", r.Header.Get("X-Amz-Target"))}
	}
	if body == nil {
		var err error
		if body, err = readBody(r, name); err != nil {
			return nil, "", err
		}
	}
	if msg := notText(body); msg != "" {
		return nil, "", &stagelabel.Error{Op: name, Code: ErrSerialization, Message: msg}
	}
	out, secret, err := f.run(st, body)
	if e := (*stagelabel.Error)(nil); errors.As(err, &e) && e.Op == "" {
		e.Op = name
	}
	return out, secret, err
}

// readBody reads the body of request r, of operation op, up to
// MaxBodyBytes; never nil when it succeeds.
func readBody(r *http.Request, op string) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, &stagelabel.Error{Op: op, Code: ErrSerialization, Message: "The request body could not be read: " + err.Error()}
	}
	return body, nil
}

// respond writes out or err, and returns the HTTP status it wrote.
func (h *Handler) respond(w http.ResponseWriter, out any, err error) int {
	hdr := w.Header()
	hdr["Content-Type"] = []string{"application/x-amz-json-1.1"} // keys in canonical form, as Set would make them
	hdr["X-Amzn-Requestid"] = []string{requestID(h.nextID.Add(1))}
	if err != nil {
		code, msg := stagelabel.ErrInternalService, "An internal error occurred."
		var e *stagelabel.Error
		if errors.As(err, &e) {
			code, msg = e.Code, e.Message
		}
		status := statusOf(code)
		hdr["X-Amzn-Errortype"] = []string{string(code)}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(struct {
			Type    string `json:"__type"`
			Message string
		}{string(code), msg})
		return status
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(out) // each member says, in its tag, when it is left out
	return http.StatusOK
}

// givenIn returns a function that reports whether body, a JSON object,
// gives the member at path, as [store.Validate] names members
// ('clientRequestToken', 'rotationRules.duration',
// 'filters.1.member.key'), with a value other than null; nil when body
// holds no empty string, and so gives no member empty. It is asked only of
// an optional member left empty, and reads the body again then only.
func givenIn(body []byte) func(path string) bool {
	if !bytes.Contains(body, []byte(`""`)) {
		return nil
	}
	doc := sync.OnceValue(func() any {
		var v any
		json.Unmarshal(body, &v) // decoded once already: no error
		return v
	})
	return func(path string) bool {
		v := doc()
		parts := strings.Split(path, ".")
		for i := 0; i < len(parts); i++ {
			switch node := v.(type) {
			case map[string]any:
				v = nil
				for k, member := range node { // names match as encoding/json matches them
					if strings.EqualFold(k, parts[i]) {
						v = member
						break
					}
				}
			case []any: // "<n>.member": item n, from 1
				n, err := strconv.Atoi(parts[i])
				if err != nil || n < 1 || n > len(node) {
					return false
				}
				v = node[n-1]
				i++
			default:
				return false
			}
		}
		return v != nil
	}
}

// decode reads a request body into in: an empty body is an empty request;
// anything that is not one JSON object of the right member types is
// SerializationException [M].
func decode(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		return &stagelabel.Error{Code: ErrSerialization, Message: serializationMessage(err)}
	}
	return nil
}

// notText returns why body is not text that decodes as it is written, or
// "": bytes that are not UTF-8, or a \u escape of half a surrogate pair,
// either of which encoding/json would decode as U+FFFD, silently changing
// a value. Both are SerializationException [M]: AWS's JSON services refuse
// bytes that are not UTF-8 as they parse a body (Lambda answers "Could not
// parse request body into json: Invalid UTF-8 start byte"). The words
// never echo the body.
func notText(body []byte) string {
	if !utf8.Valid(body) {
		for i := 0; i < len(body); {
			r, n := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && n == 1 {
				return fmt.Sprintf("The request body is not valid UTF-8 (at byte %d).", i)
			}
			i += n
		}
	}
	// In valid JSON a backslash begins an escape within a string.
	for i := bytes.IndexByte(body, '\\'); i >= 0 && i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		i++ // the escaped character, skipped unless it begins \uXXXX
		r, ok := hex4(body, i+1)
		if i >= len(body) || body[i] != 'u' || !ok || !utf16.IsSurrogate(r) {
			continue
		}
		low, lowOK := hex4(body, i+7)
		if r < 0xDC00 && lowOK && i+6 < len(body) && body[i+5] == '\\' && body[i+6] == 'u' && 0xDC00 <= low && low < 0xE000 {
			i += 10 // a pair: one character
			continue
		}
		return fmt.Sprintf("The request body escapes half a surrogate pair, \\u%04X, at byte %d: it is not a character.", r, i-1)
	}
	return ""
}

// hex4 reads the four hexadecimal digits of b from i, if there are four.
func hex4(b []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i:i+4]), 16, 16)
	return rune(n), err == nil
}

// serializationMessage words a JSON error without echoing the request,
// which may hold secret material.
func serializationMessage(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		t := typeErr.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		// An integer too large for its member, such as MaxResults (int32, as
		// the service model's Integer is).
		if n, ok := strings.CutPrefix(typeErr.Value, "number "); ok && !strings.ContainsAny(n, ".eE") &&
			(t.Kind() == reflect.Int32 || t.Kind() == reflect.Int64) {
			lo := int64(-1) << (t.Bits() - 1)
			return fmt.Sprintf("Member %s must be an integer from %d to %d, not %s.", typeErr.Field, lo, -(lo + 1), n)
		}
		return fmt.Sprintf("Member %s must be of type %s, not %s.", typeErr.Field, jsonType(typeErr.Type), typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Sprintf("The request body is not valid JSON (at byte %d).", syntaxErr.Offset)
	}
	return "The request body is not a valid request."
}

// jsonType names the JSON type a Go type is decoded from, as a client
// writes it.
func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return jsonType(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "blob (base64 string)"
		}
		return "list"
	case reflect.Map, reflect.Struct:
		return "structure"
	}
	return t.Kind().String()
}

// requestID returns a request id shaped as AWS's are: n as 32 hex digits
// in the groups of a UUID.
func requestID(n uint64) string {
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[8:], n)
	var b [36]byte
	hex.Encode(b[:8], raw[:4])
	hex.Encode(b[9:13], raw[4:6])
	hex.Encode(b[14:18], raw[6:8])
	hex.Encode(b[19:23], raw[8:10])
	hex.Encode(b[24:], raw[10:])
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return string(b[:])
}

// Store returns the store the handler serves.
func (h *Handler) Store() *store.Store { return h.st }
