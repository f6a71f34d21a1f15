package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stagelabel/stagelabel/store"
)

// BenchmarkOpen measures store.Open over a backend that costs nothing to
// read (it yields snapshots it holds), so that only the store's own work
// shows: the check and build of each secret, one version each.
func BenchmarkOpen(b *testing.B) {
	const n = 100_000
	var mem held
	value := "a value of twenty b."
	for i := range n {
		s := store.SecretSnapshot{Name: fmt.Sprintf("app/secret-%07d", i), Created: t0, LastChanged: t0,
			Versions: []store.VersionSnapshot{{VersionId: tok(i), SecretString: &value, Created: t0}},
			Labels:   map[string]string{"AWSCURRENT": tok(i)}}
		s.ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + s.Name + "-AbCdEf"
		mem = append(mem, s)
	}
	b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := store.Open(&mem); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/secret")
	})
}

// held is a backend that yields the snapshots it holds, and takes no
// commits.
type held []store.SecretSnapshot

func (h *held) Load(yield func(store.SecretSnapshot, store.Revision) error) error {
	for i, s := range *h {
		if err := yield(s, store.Revision(i+1)); err != nil {
			return err
		}
	}
	return nil
}

func (h *held) Commit(store.Change) (store.Revision, error) { return 0, errors.New("held: read only") }

// TestOpenRefuses checks that Open refuses a backend holding a secret that
// breaks a rule of the store, or a name twice, wherever it sits among many,
// and otherwise loads every secret.
func TestOpenRefuses(t *testing.T) {
	value := "v"
	snap := func(i int) store.SecretSnapshot {
		s := store.SecretSnapshot{Name: fmt.Sprintf("s%04d", i), Created: t0, LastChanged: t0,
			Versions: []store.VersionSnapshot{{VersionId: tok(i), SecretString: &value, Created: t0}},
			Labels:   map[string]string{"AWSCURRENT": tok(i)}}
		s.ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + s.Name + "-AbCdEf"
		return s
	}
	many := func(edit func(held) held) *held {
		var h held
		for i := range 2000 {
			h = append(h, snap(i))
		}
		h = edit(h)
		return &h
	}
	tests := []struct {
		name string
		h    *held
		want string
	}{
		{"a bad name", many(func(h held) held { h[1500].Name = "bad name"; return h }), "Invalid name"},
		{"a name twice", many(func(h held) held { return append(h, snap(7)) }), `"s0007" stored twice`},
		{"a label on no version", many(func(h held) held { h[3].Labels = map[string]string{"AWSCURRENT": tok(99999)}; return h }), "AWSCURRENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := store.Open(tt.h)
			if err == nil || st != nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open() = %v, %v; want an error saying %q", st, err, tt.want)
			}
		})
	}
	st, err := store.Open(many(func(h held) held { return h }))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(st.Snapshot().Secrets); n != 2000 {
		t.Errorf("Open() loaded %d secrets, want 2000", n)
	}
}
