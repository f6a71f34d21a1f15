package store

import (
	"errors"
	"io"
	"strings"

	"github.com/stagelabel/stagelabel"
)

// suffixLen is the length of the random suffix AWS appends to a secret's
// name in its ARN [D].
const suffixLen = 6

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newARN returns an ARN for a new secret called name:
// arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random
// letters or digits> (§N3 [D]; the letters and digits, §N4 [M]).
func (st *Store) newARN(op, name string) (string, error) {
	suffix, err := st.draw(op, alphanumeric, suffixLen)
	if err != nil {
		return "", err
	}
	return st.prefix + name + "-" + suffix, nil
}

// isAlphanumeric reports whether s holds only ASCII letters and digits, as
// the random suffix of an ARN does; cheaper than strings.Trim with
// alphanumeric, which builds its set on each call (a load checks every
// secret's ARN).
func isAlphanumeric(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// wellFormedARN reports whether arn is an ARN a store, of any region and
// account, gives a secret called name:
// arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 letters or
// digits>, read from the right, since region and account are what
// [WithRegion] and [WithAccount] were given. A secret keeps its ARN when a
// store of another region or account loads it.
func wellFormedARN(arn, name string) bool {
	rest, ok := strings.CutPrefix(arn, "arn:aws:secretsmanager:")
	tail := ":secret:" + name + "-"
	i := len(rest) - len(tail) - suffixLen // where tail begins
	if !ok || i < 1 || rest[i:i+len(tail)] != tail || !strings.Contains(rest[:i], ":") {
		return false
	}
	return isAlphanumeric(rest[i+len(tail):])
}

// draw returns n characters drawn uniformly at random from set, an ASCII
// string of at most 256 characters, from the store's random source. A
// source that gives far more rejected bytes than chance allows is broken:
// InternalServiceError.
func (st *Store) draw(op, set string, n int) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	limit := 256 / len(set) * len(set) // bytes from limit up would bias the draw
	st.randMu.Lock()
	defer st.randMu.Unlock()
	for read := 0; len(out) < n; {
		if read > 64*n+1024 { // at least half the bytes pass: a true source never gets here
			return "", randomError(op, errors.New("it gives bytes that can't be used"))
		}
		batch := buf[:n-len(out)]
		if _, err := io.ReadFull(st.random, batch); err != nil {
			return "", randomError(op, err)
		}
		read += len(batch)
		for _, b := range batch {
			if int(b) < limit {
				out = append(out, set[int(b)%len(set)])
			}
		}
	}
	return string(out), nil
}

func randomError(op string, err error) error {
	return &stagelabel.Error{Op: op, Code: stagelabel.ErrInternalService, Message: "random source: " + err.Error()}
}

// nameChars checks that s holds only the characters of a name: ASCII
// letters, digits and /_+=.@- [R]. Its length is the model's constraint
// (see [Validate]).
func nameChars(op, s string) error {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '_' || c == '+' || c == '=' || c == '.' || c == '@' || c == '-') {
			return &stagelabel.Error{Op: op, Code: stagelabel.ErrValidation,
				Message: "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"}
		}
	}
	return nil
}
