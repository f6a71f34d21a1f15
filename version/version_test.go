package version_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/version"
)

const id = version.ID("00000000-0000-0000-0000-000000000001")

func TestValid(t *testing.T) {
	tests := []struct {
		name string
		id   version.ID
		want bool
	}{
		{"empty means not given, so not valid", "", false},
		{"31 characters is too short", version.ID(strings.Repeat("a", 31)), false},
		{"32 characters is the minimum", version.ID(strings.Repeat("a", 32)), true},
		{"a UUID is valid", id, true},
		{"64 characters is the maximum", version.ID(strings.Repeat("a", 64)), true},
		{"65 characters is too long", version.ID(strings.Repeat("a", 65)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.id.Valid(); got != tt.want {
				t.Errorf("ID(%q).Valid() = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestPayload(t *testing.T) {
	created := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	s := version.New(id, version.WithString("hunter2"), version.WithCreated(created))
	if got, ok := s.SecretString(); !ok || got != "hunter2" {
		t.Errorf("SecretString() = %q, %v, want %q, true", got, ok, "hunter2")
	}
	if _, ok := s.SecretBinary(); ok {
		t.Error("SecretBinary() of a SecretString version reports a value")
	}
	if !s.HasValue() || !s.Created().Equal(created) || s.ID() != id {
		t.Errorf("New() = %#v, want id %s, a value, created %v", s, id, created)
	}

	raw := []byte{0, 1, 2}
	b := version.New(id, version.WithBinary(raw))
	raw[0] = 9 // the version keeps its own copy
	got, ok := b.SecretBinary()
	if !ok || !bytes.Equal(got, []byte{0, 1, 2}) {
		t.Errorf("SecretBinary() = %v, %v, want [0 1 2], true", got, ok)
	}
	got[1] = 9 // and hands out copies
	if again, _ := b.SecretBinary(); !bytes.Equal(again, []byte{0, 1, 2}) {
		t.Errorf("SecretBinary() after writing into a returned slice = %v", again)
	}

	empty := version.New(id)
	if empty.HasValue() {
		t.Error("New(id).HasValue() = true, want false")
	}
}

func TestSameValueAndEqual(t *testing.T) {
	str := version.New(id, version.WithString("abc"))
	bin := version.New(id, version.WithBinary([]byte("abc")))
	tests := []struct {
		name        string
		v, w        version.Version
		same, equal bool
	}{
		{"identical", str, version.New(id, version.WithString("abc")), true, true},
		{"string and binary with the same bytes differ", str, bin, false, false},
		{"different strings", str, version.New(id, version.WithString("abd")), false, false},
		{"no payload on either", version.New(id), version.New(id), true, true},
		{"payload against none", str, version.New(id), false, false},
		{"same payload, other id", str, version.New(id+"x", version.WithString("abc")), true, false},
		{"same payload, other time", str, str.With(version.WithCreated(time.Unix(1, 0))), true, false},
		{"same instant in other zones", str.With(version.WithCreated(time.Unix(1, 0))),
			str.With(version.WithCreated(time.Unix(1, 0).In(time.FixedZone("x", 3600)))), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.SameValue(tt.w); got != tt.same {
				t.Errorf("SameValue() = %v, want %v", got, tt.same)
			}
			if got := tt.v.Equal(tt.w); got != tt.equal {
				t.Errorf("Equal() = %v, want %v", got, tt.equal)
			}
		})
	}
}

func TestWithLeavesReceiver(t *testing.T) {
	v := version.New(id, version.WithString("a"))
	w := v.With(version.WithString("b"))
	if s, _ := v.SecretString(); s != "a" {
		t.Errorf("receiver changed by With: SecretString() = %q, want %q", s, "a")
	}
	if s, _ := w.SecretString(); s != "b" {
		t.Errorf("With(WithString(b)).SecretString() = %q, want %q", s, "b")
	}
}

// TestNoLeak checks that no formatting path prints the payload.
func TestNoLeak(t *testing.T) {
	const secret = "s3cr3t-material"
	for _, v := range []version.Version{
		version.New(id, version.WithString(secret)),
		version.New(id, version.WithBinary([]byte(secret))),
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%10.3v"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secret) ||
				strings.Contains(out, fmt.Sprintf("%x", secret)) || strings.Contains(out, fmt.Sprintf("%X", secret)) {
				t.Errorf("Sprintf(%q, v) = %q, leaks the payload", verb, out)
			}
		}
		holder := struct {
			name string
			v    version.Version
		}{"x", v}
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			if out := fmt.Sprintf(verb, holder); strings.Contains(out, secret) {
				t.Errorf("Sprintf(%q, a struct holding v) = %q, leaks the payload", verb, out)
			}
		}
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("put", "version", v)
			if out := buf.String(); strings.Contains(out, secret) || !strings.Contains(out, string(id)) {
				t.Errorf("slog output %q leaks the payload or lacks the id", out)
			}
		}
	}
	if got, want := fmt.Sprint(version.New(id)), string(id); got != want {
		t.Errorf("Sprint(v) = %q, want %q", got, want)
	}
}
