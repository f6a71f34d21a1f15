package stage_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stagelabel/stagelabel/stage"
)

func TestValid(t *testing.T) {
	tests := []struct {
		name  string
		label stage.Label
		want  bool
	}{
		{"empty is not a label", "", false},
		{"one character is the minimum", "x", true},
		{"AWS-prefixed custom labels are ordinary", "AWSSOMETHING", true},
		{"256 characters is the maximum", stage.Label(strings.Repeat("a", 256)), true},
		{"257 characters is too long", stage.Label(strings.Repeat("a", 257)), false},
		{"length counts characters, not bytes", stage.Label(strings.Repeat("é", 256)), true},
		{"built-in labels are valid", stage.Current, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.label.Valid(); got != tt.want {
				t.Errorf("Label(%q).Valid() = %v, want %v", tt.label, got, tt.want)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	got := []stage.Label{stage.Pending, "b", stage.Previous, stage.Current, "a"}
	slices.SortFunc(got, stage.Label.Compare)
	want := []stage.Label{stage.Current, stage.Pending, stage.Previous, "a", "b"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted = %v, want %v", got, want)
	}
	if c := stage.Current.Compare(stage.Current); c != 0 {
		t.Errorf("Compare(self) = %d, want 0", c)
	}
}
