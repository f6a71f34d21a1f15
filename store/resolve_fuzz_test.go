package store_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/store"
)

// FuzzSecretId checks SecretId resolution against its rules: a secret is
// found by its name, its full ARN, or its ARN without suffix unless its
// name itself ends in "-" and six characters; by nothing else; and an id
// that is not an ARN and holds a character no name holds, or is not
// UTF-8, is a validation error.
func FuzzSecretId(f *testing.F) {
	st, _ := newStore()
	names := []string{"db", "trap-abcdef", "-abcdef", "a/b-c", "x-12345"}
	arns := map[string]string{}
	for _, n := range names {
		arns[n] = create(f, st, n, 1).ARN
	}
	const prefix = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
	for _, n := range names {
		f.Add(n)
		f.Add(arns[n])
		f.Add(prefix + n)
	}
	f.Add(prefix + "db-")
	f.Add(prefix + "db\xff")
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		var want string // the name id must find, if any
		for _, n := range names {
			trap := len(n) >= 7 && n[len(n)-7] == '-'
			if id == n || id == arns[n] || (id == prefix+n && !trap) {
				want = n
			}
		}
		d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: id})
		switch {
		case want != "":
			if err != nil || d.Name != want {
				t.Fatalf("DescribeSecret(%q) = %q, %v; want %q", id, d.Name, err, want)
			}
		case err == nil:
			t.Fatalf("DescribeSecret(%q) found %q", id, d.Name)
		case !errors.Is(err, stagelabel.ErrResourceNotFound) && !errors.Is(err, stagelabel.ErrValidation):
			t.Fatalf("DescribeSecret(%q): %v, want not found or a validation error", id, err)
		case errors.Is(err, stagelabel.ErrValidation) && id != "" && len([]rune(id)) <= 2048 && utf8.ValidString(id) && !notNameOrARN(id):
			t.Fatalf("DescribeSecret(%q): %v", id, err)
		case errors.Is(err, stagelabel.ErrResourceNotFound) && (notNameOrARN(id) || !utf8.ValidString(id)):
			t.Fatalf("DescribeSecret(%q): %v, want a validation error", id, err)
		}
	})
}

// notNameOrARN reports whether id is neither an ARN nor made of a name's
// characters.
func notNameOrARN(id string) bool {
	return !strings.HasPrefix(id, "arn:") && strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-") != ""
}
