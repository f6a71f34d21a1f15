// Package awsjson serves AWS Secrets Manager's JSON protocol (AWS JSON 1.1)
// over a [store.Store], so that the AWS SDKs and the AWS CLI, pointed at it,
// get what AWS would answer.
//
// # Protocol
//
// A request is POST / with the header X-Amz-Target:
// secretsmanager.<Operation> and a JSON body whose members are named as in
// the AWS API reference. A success is HTTP 200 with a JSON body in which
// absent members are left out, timestamps are epoch seconds and
// SecretBinary is base64 [R]. A failure is HTTP 400 (500 for
// InternalServiceError) with the body {"__type":"<Code>","Message":"..."}
// and the code in the X-Amzn-ErrorType header too [R].
//
// Request signatures are accepted without being checked, and credentials
// are neither checked nor logged: this is an emulator's front, not a
// security boundary. Unknown members of a request are ignored.
package awsjson

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/store"
)

// MaxBodyBytes is the largest request body the handler reads; a larger one
// is refused with SerializationException [M].
const MaxBodyBytes = 1 << 20

// Codes of protocol errors, which the store never returns [R].
const (
	ErrSerialization    stagelabel.Code = "SerializationException"
	ErrUnknownOperation stagelabel.Code = "UnknownOperationException"
)

// Handler answers Secrets Manager JSON requests from a store. Create it
// with [New].
type Handler struct {
	st     *store.Store
	log    *slog.Logger
	nextID atomic.Uint64
}

// Option configures a [Handler].
type Option func(*Handler)

// WithLogger makes the handler log one line per request: the operation,
// the secret named, the HTTP status and the duration. Never a secret
// value, never a credential.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// New returns a handler serving st.
func New(st *store.Store, opts ...Option) *Handler {
	h := &Handler{st: st}
	for _, o := range opts {
		o(h)
	}
	return h
}

// operation decodes a request body, runs it on the store and returns its
// output, and the secret the request names, for the log.
type operation func(st *store.Store, body []byte) (out any, secret string, err error)

// op makes an operation of a store method taking In.
func op[In, Out any](f func(*store.Store, In) (Out, error), secretOf func(In) string) operation {
	return func(st *store.Store, body []byte) (any, string, error) {
		var in In
		if err := decode(body, &in); err != nil {
			return nil, "", err
		}
		out, err := f(st, in)
		return out, secretOf(in), err
	}
}

// operations are the operations the handler serves, by name.
var operations = map[string]operation{
	"CreateSecret":             op((*store.Store).CreateSecret, func(in store.CreateSecretInput) string { return in.Name }),
	"PutSecretValue":           op((*store.Store).PutSecretValue, func(in store.PutSecretValueInput) string { return in.SecretId }),
	"UpdateSecret":             op((*store.Store).UpdateSecret, func(in store.UpdateSecretInput) string { return in.SecretId }),
	"GetSecretValue":           op((*store.Store).GetSecretValue, func(in store.GetSecretValueInput) string { return in.SecretId }),
	"DescribeSecret":           op((*store.Store).DescribeSecret, func(in store.DescribeSecretInput) string { return in.SecretId }),
	"ListSecretVersionIds":     op((*store.Store).ListSecretVersionIds, func(in store.ListSecretVersionIdsInput) string { return in.SecretId }),
	"UpdateSecretVersionStage": op((*store.Store).UpdateSecretVersionStage, func(in store.UpdateSecretVersionStageInput) string { return in.SecretId }),
	"RotateSecret":             op((*store.Store).RotateSecret, func(in store.RotateSecretInput) string { return in.SecretId }),
	"CancelRotateSecret":       op((*store.Store).CancelRotateSecret, func(in store.CancelRotateSecretInput) string { return in.SecretId }),
	"DeleteSecret":             op((*store.Store).DeleteSecret, func(in store.DeleteSecretInput) string { return in.SecretId }),
	"RestoreSecret":            op((*store.Store).RestoreSecret, func(in store.RestoreSecretInput) string { return in.SecretId }),
	"ListSecrets":              op((*store.Store).ListSecrets, func(store.ListSecretsInput) string { return "" }),
	"BatchGetSecretValue":      op((*store.Store).BatchGetSecretValue, func(in store.BatchGetSecretValueInput) string { return strings.Join(in.SecretIdList, ",") }),
	"GetRandomPassword":        op((*store.Store).GetRandomPassword, func(store.GetRandomPasswordInput) string { return "" }),
	"TagResource":              op((*store.Store).TagResource, func(in store.TagResourceInput) string { return in.SecretId }),
	"PutResourcePolicy":        op((*store.Store).PutResourcePolicy, func(in store.PutResourcePolicyInput) string { return in.SecretId }),
	"GetResourcePolicy":        op((*store.Store).GetResourcePolicy, func(in store.GetResourcePolicyInput) string { return in.SecretId }),
	"DeleteResourcePolicy":     op((*store.Store).DeleteResourcePolicy, func(in store.DeleteResourcePolicyInput) string { return in.SecretId }),
	"ValidateResourcePolicy":   op((*store.Store).ValidateResourcePolicy, func(in store.ValidateResourcePolicyInput) string { return in.SecretId }),
	"UntagResource":            op((*store.Store).UntagResource, func(in store.UntagResourceInput) string { return in.SecretId }),
}

// ServeHTTP answers one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	name, ours := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	out, secret, err := h.run(r, name, ours)
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

// run reads the request and runs its operation name, which the target
// named if ours.
func (h *Handler) run(r *http.Request, name string, ours bool) (any, string, error) {
	f, ok := operations[name]
	if r.Method != http.MethodPost || !ok || !ours {
		return nil, "", &stagelabel.Error{Op: name, Code: ErrUnknownOperation,
			Message: fmt.Sprintf("Operation %q is not supported.", r.Header.Get("X-Amz-Target"))}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, "", &stagelabel.Error{Op: name, Code: ErrSerialization, Message: "The request body could not be read: " + err.Error()}
	}
	if err := emptyMembers(name, body); err != nil {
		return nil, "", err
	}
	out, secret, err := f(h.st, body)
	if e := (*stagelabel.Error)(nil); errors.As(err, &e) && e.Op == "" {
		e.Op = name
	}
	return out, secret, err
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
		status := http.StatusBadRequest
		if code == stagelabel.ErrInternalService {
			status = http.StatusInternalServerError
		}
		hdr["X-Amzn-Errortype"] = []string{string(code)}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(struct {
			Type    string `json:"__type"`
			Message string
		}{string(code), msg})
		return status
	}
	w.Write(appendWire(make([]byte, 0, 512), reflect.ValueOf(out)))
	return http.StatusOK
}

// member is an optional string member of a request, by its JSON name, with
// the name AWS gives it in validation messages and its length limits.
type member struct {
	name, path string
	lo, hi     int
}

// optional lists, by operation, the optional string members the store takes
// as "not given" when empty. On the wire an empty value is given, and AWS
// refuses it for its length [D].
var optional = map[string][]member{
	"CreateSecret":             {{"ClientRequestToken", "clientRequestToken", 32, 64}},
	"PutSecretValue":           {{"ClientRequestToken", "clientRequestToken", 32, 64}},
	"RotateSecret":             {{"ClientRequestToken", "clientRequestToken", 32, 64}},
	"UpdateSecret":             {{"ClientRequestToken", "clientRequestToken", 32, 64}},
	"GetSecretValue":           {{"VersionId", "versionId", 32, 64}, {"VersionStage", "versionStage", 1, 256}},
	"UpdateSecretVersionStage": {{"RemoveFromVersionId", "removeFromVersionId", 32, 64}, {"MoveToVersionId", "moveToVersionId", 32, 64}},
}

// emptyMembers returns the ValidationException of a request that sends an
// optional member of op empty, or nil.
func emptyMembers(op string, body []byte) error {
	members := optional[op]
	if len(members) == 0 || !bytes.Contains(body, []byte(`""`)) {
		return nil // no member can be empty: the common case costs a scan
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return nil // decode words the error
	}
	var violations []string
	for _, m := range members {
		for key, v := range raw {
			// encoding/json matches member names without regard to case;
			// so does this check, so that no spelling slips past it.
			if strings.EqualFold(key, m.name) && string(v) == `""` {
				violations = append(violations, stagelabel.LengthViolation(m.path, "", m.lo, m.hi))
				break
			}
		}
	}
	return stagelabel.ValidationError(op, violations...)
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

// serializationMessage words a JSON error without echoing the request,
// which may hold secret material.
func serializationMessage(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
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

// appendWire appends v, an output of the store, as the protocol sends it:
// zero members left out (but those sentWhenZero), times as epoch seconds,
// byte slices as base64, map keys sorted.
func appendWire(buf []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(buf, "null"...)
		}
		return appendWire(buf, v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return strconv.AppendFloat(buf, float64(t.Unix())+float64(t.Nanosecond())/1e9, 'f', -1, 64)
		}
		buf = append(buf, '{')
		buf, _ = appendMembers(buf, v, true)
		return append(buf, '}')
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			buf = append(buf, '"')
			buf = base64.StdEncoding.AppendEncode(buf, v.Bytes())
			return append(buf, '"')
		}
		buf = append(buf, '[')
		for i := range v.Len() {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendWire(buf, v.Index(i))
		}
		return append(buf, ']')
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		buf = append(buf, '{')
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, k.String())
			buf = append(buf, ':')
			buf = appendWire(buf, v.MapIndex(k))
		}
		return append(buf, '}')
	case reflect.String:
		return appendString(buf, v.String())
	case reflect.Bool:
		return strconv.AppendBool(buf, v.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(buf, v.Int(), 10)
	}
	b, _ := json.Marshal(v.Interface()) // no output has other kinds today
	return append(buf, b...)
}

// plain reports whether s is ASCII that JSON needs no escape for.
func plain(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendMembers appends the members of struct v, those of embedded
// structs inline, as encoding/json does, and reports whether the next one
// is still the first.
func appendMembers(buf []byte, v reflect.Value, first bool) ([]byte, bool) {
	for i := range v.NumField() {
		f, field := v.Field(i), v.Type().Field(i)
		if field.Anonymous && f.Kind() == reflect.Struct {
			buf, first = appendMembers(buf, f, first)
			continue
		}
		if f.IsZero() && !sentWhenZero(v.Type(), field.Name) {
			continue
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = appendString(buf, field.Name)
		buf = append(buf, ':')
		buf = appendWire(buf, f)
	}
	return buf, first
}

// sentWhenZero reports whether the member name of a struct of type t is
// sent even when zero: RotationEnabled, which AWS always sends [R], and a
// tag's Value, which an empty string is [M].
func sentWhenZero(t reflect.Type, name string) bool {
	return name == "RotationEnabled" || name == "Value" && t == tagType
}

var tagType = reflect.TypeFor[store.Tag]()

// appendString appends s as a JSON string, as encoding/json writes it
// (invalid UTF-8 as U+FFFD).
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	if plain(s) {
		return append(append(buf, s...), '"')
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			buf = append(buf, '\\', byte(r))
		case r < 0x20:
			buf = fmt.Appendf(buf, `\u%04x`, r)
		default:
			buf = utf8.AppendRune(buf, r)
		}
	}
	return append(buf, '"')
}

// Store returns the store the handler serves.
func (h *Handler) Store() *store.Store { return h.st }
