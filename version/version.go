// Package version defines the identity and the immutable record of one
// version of a secret.
//
// A [Version] carries its [ID], its creation time and, usually, a payload:
// either a SecretString or a SecretBinary. A version created by RotateSecret
// carries no payload until PutSecretValue fills it. The payload is secret
// material: no method here prints it, and neither does fmt or log/slog.
package version

import (
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"
)

// ID identifies a version of a secret; on the wire it is the VersionId, and
// the ClientRequestToken of the call that created the version. The zero ID
// means "not given".
type ID string

// Length limits of an ID, in characters, as the Secrets Manager API reference
// gives them.
const (
	MinIDLen = 32
	MaxIDLen = 64
)

// Valid reports whether id has an allowed length: 32 to 64 characters.
func (id ID) Valid() bool {
	n := utf8.RuneCountInString(string(id))
	return n >= MinIDLen && n <= MaxIDLen
}

// kind says which payload a Version carries.
type kind uint8

const (
	none kind = iota
	text
	binary
)

// Version is one immutable version of a secret. Build it with [New]; the
// methods that change it return a new Version.
//
// The zero Version has an empty ID, no payload and a zero creation time.
type Version struct {
	id      ID
	payload *payload // nil when there is none
	created time.Time
	kmsKey  string // the KMS key it was written with; "" for the default
}

// payload is the secret material of a Version. It sits behind a pointer so
// that even fmt's reflection over a struct holding a Version, which skips
// Version's methods, prints an address and never the material.
type payload struct {
	kind  kind
	value string // SecretString, or the bytes of SecretBinary
}

// Option sets a field of a Version in [New] or [Version.With].
type Option func(*Version)

// WithString gives the version the payload SecretString s, replacing any
// other payload.
func WithString(s string) Option {
	return func(v *Version) { v.payload = &payload{text, s} }
}

// WithBinary gives the version the payload SecretBinary b, replacing any
// other payload. The version keeps its own copy of b.
func WithBinary(b []byte) Option {
	return func(v *Version) { v.payload = &payload{binary, string(b)} }
}

// WithCreated sets the version's creation time (CreatedDate).
func WithCreated(t time.Time) Option {
	return func(v *Version) { v.created = t }
}

// WithKMSKey records the KMS key the version is written with: an ARN, key
// id or alias as given, "" for Secrets Manager's default key.
func WithKMSKey(key string) Option {
	return func(v *Version) { v.kmsKey = key }
}

// New returns the version id with the given options applied in order. New
// does not check id: the operations that store a version do.
func New(id ID, opts ...Option) Version {
	return Version{id: id}.With(opts...)
}

// With returns a copy of v with opts applied in order; nil options are
// skipped. v is unchanged.
func (v Version) With(opts ...Option) Version {
	for _, o := range opts {
		if o != nil {
			o(&v)
		}
	}
	return v
}

// ID returns the version's id.
func (v Version) ID() ID { return v.id }

// Created returns the version's creation time; zero if none was set.
func (v Version) Created() time.Time { return v.created }

// KMSKey returns the KMS key the version was written with, "" for the
// default key.
func (v Version) KMSKey() string { return v.kmsKey }

// HasValue reports whether v carries a payload. A version created by
// RotateSecret has none until PutSecretValue fills it.
func (v Version) HasValue() bool { return v.payload != nil }

// kind returns which payload v carries.
func (v Version) kind() kind {
	if v.payload == nil {
		return none
	}
	return v.payload.kind
}

// SecretString returns the version's SecretString, and whether it has one.
func (v Version) SecretString() (string, bool) {
	if v.kind() != text {
		return "", false
	}
	return v.payload.value, true
}

// SecretBinary returns a copy of the version's SecretBinary, and whether it
// has one.
func (v Version) SecretBinary() ([]byte, bool) {
	if v.kind() != binary {
		return nil, false
	}
	return []byte(v.payload.value), true
}

// SameValue reports whether v and w carry the same payload: both none, the
// same SecretString, or the same SecretBinary. A SecretString never equals a
// SecretBinary, whatever their bytes.
func (v Version) SameValue(w Version) bool {
	return v.kind() == w.kind() && (v.payload == nil || v.payload.value == w.payload.value)
}

// Equal reports whether v and w have the same id, payload, creation time
// (compared with [time.Time.Equal]) and KMS key.
func (v Version) Equal(w Version) bool {
	return v.id == w.id && v.SameValue(w) && v.created.Equal(w.created) && v.kmsKey == w.kmsKey
}

// String returns the version's id. It never includes the payload.
func (v Version) String() string { return string(v.id) }

// GoString returns a Go expression for v that shows its id, whether it
// has a payload and its creation time, but never the payload itself.
func (v Version) GoString() string {
	payload := "none"
	switch v.kind() {
	case text:
		payload = "SecretString"
	case binary:
		payload = "SecretBinary"
	}
	return fmt.Sprintf("version.Version{ID: %q, Payload: \"%s (redacted)\", Created: %q}",
		v.id, payload, v.created.Format(time.RFC3339Nano))
}

// Format makes every fmt verb print v as [Version.String] does (and %#v as
// [Version.GoString]), so that no verb reaches the payload.
func (v Version) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, v.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), v.String())
}

// LogValue makes log/slog log v as its id, never its payload.
func (v Version) LogValue() slog.Value { return slog.StringValue(string(v.id)) }
