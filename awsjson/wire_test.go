package awsjson

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzAppendString checks the JSON string writer against encoding/json:
// what it writes decodes to the same text (invalid UTF-8 as U+FFFD).
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\s`, "\x00\x1f\n\t", "é€😀", "\xff\xfe", "<&>", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("appendString(%q) = %s, not JSON: %v", s, out, err)
		}
		want := s
		if !utf8.ValidString(s) {
			want = string([]rune(s)) // invalid bytes become U+FFFD
		}
		if got != want {
			t.Fatalf("appendString(%q) decodes to %q", s, got)
		}
	})
}

func TestAppendWire(t *testing.T) {
	type inner struct{ A string }
	v := struct {
		Name            string
		Empty           string
		RotationEnabled bool
		Flag            bool
		Bytes           []byte
		List            []string
		Nil             []string
		Map             map[string][]string
		Ptr             *inner
		NilPtr          *inner
		N               int64
	}{Name: "n", Bytes: []byte{0, 255}, List: []string{}, Map: map[string][]string{"b": {"2"}, "a": {"1"}}, Ptr: &inner{"x"}, N: 7}
	got := string(appendWire(nil, reflect.ValueOf(v)))
	want := `{"Name":"n","RotationEnabled":false,"Bytes":"AP8=","List":[],"Map":{"a":["1"],"b":["2"]},"Ptr":{"A":"x"},"N":7}`
	if got != want {
		t.Errorf("appendWire() = %s\nwant %s", got, want)
	}
}
