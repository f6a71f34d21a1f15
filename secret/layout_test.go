package secret_test

import (
	"fmt"
	"github.com/google/go-cmp/cmp"
	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"slices"
	"strings"
	"testing"

	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// The tests write secrets in the notation of docs/semantics.md: "v1{C,X} v2{P}
// v3{}" is three versions, oldest first; v1 carries AWSCURRENT and the
// custom label X, v2 AWSPREVIOUS, v3 nothing (deprecated). A "?" after the
// name ("v2?{PEND}") marks a version without payload, as RotateSecret makes
// it. Every other version's payload is "value of <name>".

var short = map[string]stage.Label{"C": stage.Current, "P": stage.Previous, "PEND": stage.Pending}

// abbrev returns how a layout writes label l.
func abbrev(l stage.Label) string {
	for k, v := range short {
		if v == l {
			return k
		}
	}
	return string(l)
}

// id returns the version id a layout name stands for: the name padded with
// dashes to the 32 characters an id needs.
func id(name string) version.ID {
	return version.ID(name + strings.Repeat("-", max(0, version.MinIDLen-len(name))))
}

func label(s string) stage.Label {
	if l, ok := short[s]; ok {
		return l
	}
	return stage.Label(s)
}

// value returns the payload a layout gives version name.
func value(name string) version.Option { return version.WithString("value of " + name) }

// build returns the secret "test" laid out as layout says.
func build(t testing.TB, layout string) secret.Secret {
	t.Helper()
	var vs []version.Version
	labels := map[stage.Label]version.ID{}
	for _, field := range strings.Fields(layout) {
		name, rest, ok := strings.Cut(field, "{")
		if !ok || !strings.HasSuffix(rest, "}") {
			t.Fatalf("bad layout field %q", field)
		}
		var opts []version.Option
		if n, placeholder := strings.CutSuffix(name, "?"); placeholder {
			name = n
		} else {
			opts = append(opts, value(name))
		}
		vs = append(vs, version.New(id(name), opts...))
		if inner := strings.TrimSuffix(rest, "}"); inner != "" {
			for _, l := range strings.Split(inner, ",") {
				if _, dup := labels[label(l)]; dup {
					t.Fatalf("layout %q puts %s on two versions", layout, l)
				}
				labels[label(l)] = id(name)
			}
		}
	}
	s, err := secret.Assemble("test", vs, labels, nil)
	if err != nil {
		t.Fatalf("layout %q: %v", layout, err)
	}
	return s
}

// layout returns s in the notation build reads, labels in sorted order.
func layout(s secret.Secret) string {
	var fields []string
	for v := range s.All() {
		name := strings.TrimRight(string(v.ID()), "-")
		if !v.HasValue() {
			name += "?"
		}
		var ls []string
		for _, l := range s.Labels(v.ID()) {
			ls = append(ls, abbrev(l))
		}
		fields = append(fields, fmt.Sprintf("%s{%s}", name, strings.Join(ls, ",")))
	}
	return strings.Join(fields, " ")
}

func TestLayoutRoundTrip(t *testing.T) {
	for _, l := range []string{"", "v1{C}", "v1{P,X} v2{C,PEND} v3{}", "v1{C} v2?{PEND}"} {
		if got := layout(build(t, l)); got != l {
			t.Errorf("layout(build(%q)) = %q", l, got)
		}
	}
	s := build(t, "v1{C,X} v2{P}")
	if got, want := s.Labels(id("v1")), []stage.Label{stage.Current, "X"}; !slices.Equal(got, want) {
		t.Errorf("Labels(v1) = %v, want %v", got, want)
	}
}

// outcome is what a table test expects of a call: an error with code and
// (when not "") message, or success with the layout want.
type outcome struct {
	want string
	code stagelabel.Code
	msg  string
}

// checkCall checks the call op made on s, laid out as before, which
// returned got and err: the receiver unchanged, and the outcome expected
// (a failed call returning the zero Secret). It reports whether the call
// succeeded.
func checkCall(t *testing.T, op string, s secret.Secret, before string, got secret.Secret, err error, o outcome) bool {
	t.Helper()
	check.Err(t, err, o.code, o.msg)
	if after := layout(s); after != before {
		t.Errorf("receiver changed: %q, was %q", after, before)
	}
	if o.code != "" {
		if !got.Equal(secret.Secret{}) {
			t.Errorf("%s() = %v with an error, want the zero Secret", op, got)
		}
		return false
	}
	if diff := cmp.Diff(o.want, layout(got)); diff != "" {
		t.Errorf("%s() mismatch (-want +got):\n%s", op, diff)
	}
	return true
}
