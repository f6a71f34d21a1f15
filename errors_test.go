package stagelabel_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/stagelabel/stagelabel"
)

func TestErrorCategories(t *testing.T) {
	codes := []stagelabel.Code{stagelabel.ErrInvalidParameter, stagelabel.ErrInvalidRequest,
		stagelabel.ErrResourceNotFound, stagelabel.ErrResourceExists, stagelabel.ErrLimitExceeded, stagelabel.ErrValidation,
		stagelabel.ErrInvalidNextToken, stagelabel.ErrMalformedPolicyDocument, stagelabel.ErrAccessDenied}
	for _, c := range codes {
		err := fmt.Errorf("wrapped: %w", &stagelabel.Error{Op: "Op", Code: c, Message: "m"})
		for _, d := range codes {
			if got := errors.Is(err, d); got != (c == d) {
				t.Errorf("errors.Is(%s error, %s) = %v", c, d, got)
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s error matches fs.ErrNotExist", c)
		}
		if !strings.HasSuffix(string(c), "Exception") || c.Error() != string(c) {
			t.Errorf("code %q is not an AWS exception name", c)
		}
	}
}
