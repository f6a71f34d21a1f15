package secret_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/version"
)

// TestNoLeak checks that a secret's payloads never show in its String, any
// fmt verb, a struct holding it, a log line, or an error about it.
func TestNoLeak(t *testing.T) {
	const material = "pa55w0rd-material"
	s, err := secret.New("db").Put(version.New(id("v1"), version.WithString(material)))
	if err != nil {
		t.Fatal(err)
	}
	s, _ = s.Put(version.New(id("v2"), version.WithBinary([]byte(material))), "X")
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, struct{ s secret.Secret }{s}))
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("secret", "s", s)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("secret", "s", s)
	outs = append(outs, buf.String())
	_, err1 := s.Put(version.New(id("v1"), version.WithString("other "+material)))
	_, err2 := s.Put(version.New(id("v2"), version.WithString(material)))
	for _, err := range []error{err1, err2} {
		if err == nil {
			t.Fatal("conflicting Put succeeded")
		}
		outs = append(outs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	}
	hex := fmt.Sprintf("%x", material)
	for _, out := range outs {
		if strings.Contains(out, material) || strings.Contains(out, hex) {
			t.Errorf("output leaks the payload: %s", out)
		}
	}
	if got, want := s.String(), `secret "db" {`+string(id("v1"))+`: [AWSCURRENT], `+string(id("v2"))+`: [X]}`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestLogValue checks what log/slog's JSON handler writes of a secret: its
// name, its ARN when set, its number of versions and its labels, and no
// payload.
func TestLogValue(t *testing.T) {
	const material = "pa55w0rd-material"
	s, err := secret.New("db").Put(version.New(id("v1"), version.WithString(material)))
	if err != nil {
		t.Fatal(err)
	}
	s, _ = s.Put(version.New(id("v2"), version.WithBinary([]byte(material))), "X")
	s, _ = s.Put(version.New(id("v3"), version.WithString(material)))
	tests := []struct {
		name string
		s    secret.Secret
		want map[string]any
	}{
		{"no versions", secret.New("empty"), map[string]any{"name": "empty", "versions": 0.0}},
		{"labels", s, map[string]any{"name": "db", "versions": 3.0,
			"labels": map[string]any{"AWSCURRENT": string(id("v3")), "AWSPREVIOUS": string(id("v1")), "X": string(id("v2"))}}},
		{"with an ARN", s.WithARN("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"), map[string]any{"name": "db",
			"arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "versions": 3.0,
			"labels": map[string]any{"AWSCURRENT": string(id("v3")), "AWSPREVIOUS": string(id("v1")), "X": string(id("v2"))}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("put", "secret", tt.s)
			if strings.Contains(buf.String(), material) || strings.Contains(buf.String(), fmt.Sprintf("%x", material)) {
				t.Errorf("log line leaks the payload: %s", buf.String())
			}
			var line struct{ Secret map[string]any }
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("log line %s: %v", buf.String(), err)
			}
			if diff := cmp.Diff(tt.want, line.Secret); diff != "" {
				t.Errorf("logged secret mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	a := build(t, "v1{P,X} v2{C}")
	tests := []struct {
		name string
		b    secret.Secret
		want bool
	}{
		{"built alike", build(t, "v1{P,X} v2{C}"), true},
		{"other labels", build(t, "v1{P} v2{C,X}"), false},
		{"other order", build(t, "v2{C} v1{P,X}"), false},
		{"other name", secret.New("other"), false},
		{"other ARN", a.WithARN("arn"), false},
		{"a payload missing", build(t, "v1{P,X} v2?{C}"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.Equal(tt.b); got != tt.want {
				t.Errorf("Equal() = %v, want %v", got, tt.want)
			}
		})
	}
	// go-cmp compares Secrets by their Equal method.
	moved, err := a.MoveLabel("X", id("v1"), id("v2"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(build(t, "v1{P} v2{C,X}"), moved); diff != "" {
		t.Errorf("MoveLabel() mismatch (-want +got):\n%s", diff)
	}
}
