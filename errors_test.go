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

func TestLengthViolation(t *testing.T) {
	tests := []struct {
		name, value string
		want        string
	}{
		{"within", "abc", ""},
		{"at the minimum", "ab", ""},
		{"below", "a", "Value 'a' at 'm' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"above", "abcde", "Value 'abcde' at 'm' failed to satisfy constraint: Member must have length less than or equal to 4"},
		{"characters, not bytes", "ééé", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stagelabel.LengthViolation("m", tt.value, 2, 4); got != tt.want {
				t.Errorf("LengthViolation(%q) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
	others := []struct{ got, want string }{
		{stagelabel.SensitiveLengthViolation("secretString", 0, 1, 10), "Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{stagelabel.SensitiveLengthViolation("secretString", 5, 1, 10), ""},
		{stagelabel.ListLengthViolation("versionStages", []string{"a", "b", "c"}, 1, 2), "Value '[a, b, c]' at 'versionStages' failed to satisfy constraint: Member must have length less than or equal to 2"},
		{stagelabel.ListLengthViolation("versionStages", []string{}, 1, 2), "Value '[]' at 'versionStages' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{stagelabel.RangeViolation("maxResults", 0, 1, 100), "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{stagelabel.RangeViolation("maxResults", 101, 1, 100), "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{stagelabel.RangeViolation("maxResults", 100, 1, 100), ""},
		{stagelabel.PatternViolation("rotationRules.duration", "3h", "[0-9]+h"), ""},
		{stagelabel.PatternViolation("rotationRules.duration", "x3hx", "[0-9]+h"), // the whole value, not a part
			"Value 'x3hx' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h"},
		{stagelabel.PatternViolation("m", "ab", "a|ab"), ""}, // not the leftmost match alone
		{stagelabel.EnumViolation("sortOrder", "up", "asc", "desc"), "Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]"},
		{stagelabel.UTF8Violation("description", "d\xff"), "Value at 'description' failed to satisfy constraint: Member must be valid UTF-8"},
		{stagelabel.UTF8Violation("description", "dé"), ""},
	}
	for _, o := range others {
		if o.got != o.want {
			t.Errorf("violation = %q, want %q", o.got, o.want)
		}
	}
	if err := stagelabel.ValidationError("Op", "", ""); err != nil {
		t.Errorf("ValidationError with no violation = %v, want nil", err)
	}
}
