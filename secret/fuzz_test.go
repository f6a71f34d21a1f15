package secret_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// modelOf returns the reference model of s.
func modelOf(s secret.Secret) *model {
	m := newModel()
	for v := range s.All() {
		val, bin := payload(v)
		mv := &mversion{value: val, binary: bin, hasValue: v.HasValue(), created: v.Created(), labels: map[stage.Label]bool{}}
		for _, l := range s.Labels(v.ID()) {
			mv.labels[l] = true
		}
		m.order = append(m.order, v.ID())
		m.versions[v.ID()] = mv
	}
	return m
}

var codes = []stagelabel.Code{stagelabel.ErrInvalidParameter, stagelabel.ErrInvalidRequest,
	stagelabel.ErrResourceNotFound, stagelabel.ErrResourceExists, stagelabel.ErrLimitExceeded, stagelabel.ErrValidation}

// differ fails t unless the call's outcome matches the model's: the same
// error code, or success with the same layout; a failed call returns the
// zero Secret and a typed error with a message; the receiver is unchanged.
func differ(t *testing.T, s, got secret.Secret, before string, err error, m *model, want stagelabel.Code) {
	t.Helper()
	if after := layout(s); after != before {
		t.Fatalf("receiver changed from %q to %q", before, after)
	}
	if want == "" {
		if err != nil {
			t.Fatalf("error %v, model succeeds", err)
		}
		if l, ml := layout(got), m.layout(); l != ml {
			t.Fatalf("got %q, model %q", l, ml)
		}
		return
	}
	var e *stagelabel.Error
	if !errors.As(err, &e) || !slices.Contains(codes, e.Code) || e.Message == "" || !errors.Is(err, want) {
		t.Fatalf("error %#v, model fails with %s", err, want)
	}
	if !got.Equal(secret.Secret{}) {
		t.Fatalf("failed call returned %v", got)
	}
}

const fuzzLayout = "v1{P,X} v2{C} v3{PEND} v4{} v5?{Y}"

func FuzzMoveLabel(f *testing.F) {
	for _, l := range []string{"AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "X", "Y", "Z", ""} {
		for _, ids := range [][2]string{{"", "v4"}, {"v2", "v4"}, {"v1", ""}, {"v3", "v3"}, {"v9", ""}, {"", "short"}} {
			f.Add(l, string(id(ids[0])), string(id(ids[1])))
		}
	}
	f.Fuzz(func(t *testing.T, label, removeFrom, moveTo string) {
		s := build(t, fuzzLayout)
		m := modelOf(s)
		got, err := s.MoveLabel(stage.Label(label), version.ID(removeFrom), version.ID(moveTo))
		differ(t, s, got, fuzzLayout, err, m, m.move(stage.Label(label), version.ID(removeFrom), version.ID(moveTo)))
	})
}

func FuzzPut(f *testing.F) {
	// kind picks the payload: 0 a SecretString, 1 a SecretBinary, other none.
	f.Add(string(id("v6")), "new", uint8(0), "")
	f.Add(string(id("v2")), "value of v2", uint8(0), "AWSCURRENT")
	f.Add(string(id("v2")), "other", uint8(1), "")
	f.Add(string(id("v5")), "fill", uint8(0), "Y,AWSPENDING")
	f.Add("", "x", uint8(0), "")
	f.Add(string(id("v7")), "", uint8(2), "AWSCURRENT,X,,Z")
	f.Add(string(id("v8")), "", uint8(0), "AWSPREVIOUS,AWSCURRENT")
	f.Fuzz(func(t *testing.T, vid, value string, kind uint8, labels string) {
		var opts []version.Option
		switch kind {
		case 0:
			opts = append(opts, version.WithString(value))
		case 1:
			opts = append(opts, version.WithBinary([]byte(value)))
		}
		v := version.New(version.ID(vid), opts...)
		var ls []stage.Label
		if labels != "" {
			for _, l := range strings.Split(labels, ",") {
				ls = append(ls, stage.Label(l))
			}
		}
		s := build(t, fuzzLayout)
		m := modelOf(s)
		got, err := s.Put(v, ls...)
		differ(t, s, got, fuzzLayout, err, m, m.put(v, ls))
	})
}

func FuzzRotate(f *testing.F) {
	f.Add(string(id("v6")), "AWSPENDING")
	f.Add(string(id("v3")), "")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, vid, pendingOn string) {
		// pendingOn picks where AWSPENDING sits first: on the current
		// version, on another, or nowhere.
		l := strings.Replace(fuzzLayout, "PEND", "", 1)
		switch {
		case pendingOn == "":
			l = strings.Replace(l, "v2{C}", "v2{C,PEND}", 1)
		case len(pendingOn)%2 == 0:
			l = strings.Replace(l, "v4{}", "v4{PEND}", 1)
		}
		s := build(t, l)
		m := modelOf(s)
		now := time.Unix(0, 0)
		got, err := s.Rotate(version.ID(vid), now)
		differ(t, s, got, l, err, m, m.rotate(version.ID(vid), now))
	})
}
