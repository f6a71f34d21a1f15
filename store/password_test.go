package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
)

const (
	lower = "abcdefghijklmnopqrstuvwxyz"
	upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digit = "0123456789"
	punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// TestGetRandomPasswordProperties checks, over random requests, that a
// password has the length asked, only characters allowed, and one of each
// kind required.
func TestGetRandomPasswordProperties(t *testing.T) {
	st, _ := newStore()
	rapid.Check(t, func(t *rapid.T) {
		in := store.GetRandomPasswordInput{
			ExcludeCharacters:  rapid.StringMatching(`[a-zA-Z0-9!-/ ]{0,8}`).Draw(t, "exclude"),
			ExcludeLowercase:   rapid.Bool().Draw(t, "noLower"),
			ExcludeUppercase:   rapid.Bool().Draw(t, "noUpper"),
			ExcludeNumbers:     rapid.Bool().Draw(t, "noDigits"),
			ExcludePunctuation: rapid.Bool().Draw(t, "noPunctuation"),
			IncludeSpace:       rapid.Bool().Draw(t, "space"),
		}
		if rapid.Bool().Draw(t, "length") {
			in.PasswordLength = ptr(int64(rapid.IntRange(4, 64).Draw(t, "n")))
		}
		if rapid.Bool().Draw(t, "each") {
			in.RequireEachIncludedType = ptr(rapid.Bool().Draw(t, "required"))
		}
		allowed := func(r rune) bool { return !strings.ContainsRune(in.ExcludeCharacters, r) }
		var kinds []string
		for _, k := range []struct {
			set      string
			excluded bool
		}{{lower, in.ExcludeLowercase}, {upper, in.ExcludeUppercase}, {digit, in.ExcludeNumbers}, {punct, in.ExcludePunctuation}} {
			if !k.excluded && strings.IndexFunc(k.set, allowed) >= 0 {
				kinds = append(kinds, k.set)
			}
		}
		out, err := st.GetRandomPassword(in)
		space := in.IncludeSpace && allowed(' ')
		if len(kinds) == 0 && !space {
			if !errors.Is(err, stagelabel.ErrInvalidParameter) {
				t.Fatalf("GetRandomPassword(%+v) with nothing to draw: %v", in, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("GetRandomPassword(%+v): %v", in, err)
		}
		p, n := out.RandomPassword, 32
		if in.PasswordLength != nil {
			n = int(*in.PasswordLength)
		}
		if len(p) != n {
			t.Fatalf("password of %d characters, want %d", len(p), n)
		}
		for _, r := range p {
			ok := r == ' ' && space
			for _, set := range kinds {
				ok = ok || strings.ContainsRune(set, r) && allowed(r)
			}
			if !ok {
				t.Fatalf("password %q holds %q, which %+v does not allow", p, r, in)
			}
		}
		if in.RequireEachIncludedType == nil || *in.RequireEachIncludedType {
			for _, set := range kinds {
				if !strings.ContainsAny(p, set) {
					t.Fatalf("password %q holds none of %q", p, set)
				}
			}
		}
	})
}

// cycle is a random source that gives the bytes 0 to 255 over and over.
type cycle struct{ next byte }

func (c *cycle) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.next
		c.next++
	}
	return len(p), nil
}

// constant is a broken random source: one byte, always.
type constant byte

func (c constant) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

func TestGetRandomPassword(t *testing.T) {
	// Drawn from every byte value alike, each of 10 characters comes
	// equally often: the draw has no bias.
	even, _ := newStore(store.WithRandom(&cycle{}))
	out, err := even.GetRandomPassword(store.GetRandomPasswordInput{PasswordLength: ptr(int64(2500)),
		ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true, ExcludeCharacters: "9", IncludeSpace: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range digit[:9] + " " {
		if k := strings.Count(out.RandomPassword, string(c)); k != 250 {
			t.Errorf("%q drawn %d times in 2500 from 10 characters, want 250", c, k)
		}
	}
	if strings.Contains(out.RandomPassword, "9") {
		t.Error("an excluded character was drawn")
	}

	// A broken source is an error, not a hang.
	for _, b := range []constant{0, 255} {
		broken, _ := newStore(store.WithRandom(b))
		_, err := broken.GetRandomPassword(store.GetRandomPasswordInput{})
		check.Err(t, err, stagelabel.ErrInternalService, "")
		_, err = broken.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1)})
		if b == 255 {
			check.Err(t, err, stagelabel.ErrInternalService, "")
		}
	}

	st, _ := newStore()
	if s := fmt.Sprintf("%v %+v %#v %s", out, out, out, out); strings.Contains(s, out.RandomPassword[:16]) {
		t.Errorf("printing the output leaks the password: %s", s)
	}

	for _, tt := range []struct {
		name string
		in   store.GetRandomPasswordInput
		code stagelabel.Code
		msg  string
	}{
		{"length 0", store.GetRandomPasswordInput{PasswordLength: ptr(int64(0))}, stagelabel.ErrValidation,
			"1 validation error detected: Value '0' at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"length 4097", store.GetRandomPasswordInput{PasswordLength: ptr(int64(4097))}, stagelabel.ErrValidation,
			"1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096"},
		{"too many exclusions", store.GetRandomPasswordInput{ExcludeCharacters: strings.Repeat("a", 4097)}, stagelabel.ErrValidation,
			"1 validation error detected: Value '" + strings.Repeat("a", 4097) + "' at 'excludeCharacters' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"every kind excluded", store.GetRandomPasswordInput{ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true},
			stagelabel.ErrInvalidParameter, "Every character is excluded: the password can't be made."},
		{"every character of the kinds left excluded", store.GetRandomPasswordInput{ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true, ExcludeCharacters: digit},
			stagelabel.ErrInvalidParameter, "Every character is excluded: the password can't be made."},
		{"fewer characters than kinds", store.GetRandomPasswordInput{PasswordLength: ptr(int64(3))},
			stagelabel.ErrInvalidParameter, "A password of 3 characters can't hold one of each of the 4 kinds of character required."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.GetRandomPassword(tt.in)
			check.Err(t, err, tt.code, tt.msg)
		})
	}
	if out, err := st.GetRandomPassword(store.GetRandomPasswordInput{PasswordLength: ptr(int64(1)), RequireEachIncludedType: ptr(false)}); err != nil || len(out.RandomPassword) != 1 {
		t.Errorf("GetRandomPassword(1 character, no kind required) = %d characters, %v", len(out.RandomPassword), err)
	}
}
