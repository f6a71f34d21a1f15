// Package check holds the assertion the tests of stagelabel's packages
// share: that an error is the AWS error it should be.
package check

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
)

// apiError is the part of the AWS SDK's smithy.APIError's method set
// (all but ErrorFault) that every error of stagelabel offers.
type apiError interface {
	ErrorCode() string
	ErrorMessage() string
}

// Err fails t unless err is nil when code is "", or else carries code
// (through errors.Is and ErrorCode) and, when msg is not "", exactly msg.
func Err(t testing.TB, err error, code stagelabel.Code, msg string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
		return
	}
	if !errors.Is(err, code) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	var api apiError
	if !errors.As(err, &api) {
		t.Fatalf("error %v does not offer ErrorCode and ErrorMessage", err)
	}
	if api.ErrorCode() != string(code) {
		t.Errorf("ErrorCode() = %q, want %q", api.ErrorCode(), code)
	}
	if msg != "" && api.ErrorMessage() != msg {
		t.Errorf("ErrorMessage() mismatch (-want +got):\n%s", cmp.Diff(msg, api.ErrorMessage()))
	}
}
