package store

import (
	"io"

	"github.com/stagelabel/stagelabel"
)

// suffixLen is the length of the random suffix AWS appends to a secret's
// name in its ARN [D].
const suffixLen = 6

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newARN returns an ARN for a new secret called name:
// arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random
// letters or digits> [D].
func (st *Store) newARN(name string) (string, error) {
	var suffix [suffixLen]byte
	var b [1]byte
	st.randMu.Lock()
	defer st.randMu.Unlock()
	for i := 0; i < suffixLen; {
		if _, err := io.ReadFull(st.random, b[:]); err != nil {
			return "", &stagelabel.Error{Op: "CreateSecret", Code: stagelabel.ErrInternalService, Message: "random source: " + err.Error()}
		}
		if int(b[0]) < 256/len(alphanumeric)*len(alphanumeric) { // reject the few bytes that would bias the draw
			suffix[i] = alphanumeric[int(b[0])%len(alphanumeric)]
			i++
		}
	}
	return st.prefix + name + "-" + string(suffix[:]), nil
}

// validName checks a secret name: 1 to 512 ASCII letters, digits and
// /_+=.@- [R].
func validName(op, name string) error {
	if err := stagelabel.ValidationError(op, stagelabel.LengthViolation("name", name, 1, MaxNameLen)); err != nil {
		return err
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '_' || c == '+' || c == '=' || c == '.' || c == '@' || c == '-') {
			return &stagelabel.Error{Op: op, Code: stagelabel.ErrValidation,
				Message: "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"}
		}
	}
	return nil
}
