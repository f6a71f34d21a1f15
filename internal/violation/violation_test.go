package violation_test

import (
	"fmt"
	"testing"

	"github.com/stagelabel/stagelabel/internal/violation"
)

func TestLength(t *testing.T) {
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
			if got := violation.Length("m", tt.value, 2, 4); got != tt.want {
				t.Errorf("Length(%q) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
	others := []struct{ got, want string }{
		{violation.SensitiveLength("secretString", 0, 1, 10), "Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{violation.SensitiveLength("secretString", 5, 1, 10), ""},
		{violation.ListLength("versionStages", []string{"a", "b", "c"}, 1, 2), "Value '[a, b, c]' at 'versionStages' failed to satisfy constraint: Member must have length less than or equal to 2"},
		{violation.ListLength("versionStages", []string{}, 1, 2), "Value '[]' at 'versionStages' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{violation.Range("maxResults", 0, 1, 100), "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{violation.Range("maxResults", 101, 1, 100), "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{violation.Range("maxResults", 100, 1, 100), ""},
		{violation.Pattern("rotationRules.duration", "3h", "[0-9]+h"), ""},
		{violation.Pattern("rotationRules.duration", "x3hx", "[0-9]+h"), // the whole value, not a part
			"Value 'x3hx' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h"},
		{violation.Pattern("m", "ab", "a|ab"), ""}, // not the leftmost match alone
		{violation.Enum("sortOrder", "up", "asc", "desc"), "Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]"},
		{violation.UTF8("description", "d\xff"), "Value at 'description' failed to satisfy constraint: Member must be valid UTF-8"},
		{violation.UTF8("description", "dé"), ""},
	}
	for _, o := range others {
		if o.got != o.want {
			t.Errorf("violation = %q, want %q", o.got, o.want)
		}
	}
	if err := violation.Error("Op", "", ""); err != nil {
		t.Errorf("Error with no violation = %v, want nil", err)
	}
}

// Error words length violations as AWS does.
func ExampleError() {
	err := violation.Error("UpdateSecretVersionStage",
		violation.Length("versionStage", "", 1, 256),
		violation.Length("moveToVersionId", "abc", 32, 64),
		violation.Length("removeFromVersionId", "11111111-1111-1111-1111-111111111111", 32, 64),
	)
	fmt.Println(err)
	// Output:
	// UpdateSecretVersionStage: ValidationException: 2 validation errors detected: Value '' at 'versionStage' failed to satisfy constraint: Member must have length greater than or equal to 1; Value 'abc' at 'moveToVersionId' failed to satisfy constraint: Member must have length greater than or equal to 32
}
