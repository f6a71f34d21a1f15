package store

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/stagelabel/stagelabel/internal/violation"
)

// Validate checks in, the input of the store's operation op (such as a
// [CreateSecretInput]), against the constraints of AWS's service model
// [D], as every operation does before anything else, and returns
// ValidationException with every violation, in the order of the members,
// or nil. The messages are in AWS's general form (§W7), such as "1
// validation error detected: Value 'x' at 'versionStage' failed to satisfy
// constraint: Member must have length greater than or equal to 1"; that
// AWS words each member's so, and in this order, is modeled [M].
//
// Each member the model constrains says how in its aws tag: first the path
// AWS names it by in its messages (lowerCamelCase), then, separated by
// commas:
//
//   - len=LO..HI: a string's length in characters, a blob's in bytes; of
//     each string of a list of strings
//   - count=LO..HI: the number of items of a list (LO.. for no upper
//     bound)
//   - range=LO..HI: an integer's value
//   - enum=A|B|C: the values a string may take
//   - pattern=RE: a regular expression the whole string must match,
//     anchored or not [M]; always last, since it may hold commas
//   - omitempty: the member's zero value ("", a nil list) means the member
//     is not given, and so is not checked; a nil pointer is never checked
//   - sensitive: secret material, whose value no message echoes
//   - bytes: a sensitive string's length is counted in bytes
//
// A struct member, or a list of structs, is tagged with its path alone,
// and its own tagged members are checked at their paths within it, such
// as 'rotationRules.duration' or 'tags.2.member.key'. Every string, at any
// depth, must be valid UTF-8 [M]: a value is refused, never altered.
//
// given, when not nil, reports whether an omitempty string member that is
// "" was given all the same, empty, as a wire request can give it (the
// handler of package awsjson asks the request body); such a member is then
// checked. Without given, "" is not given.
func Validate(op string, in any, given func(path string) bool) error {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for _, r := range rulesOf(v.Type()) {
		out = r.check(v.Field(r.field), "", given, out)
	}
	return violation.Error(op, out...)
}

// rule is what the aws tag of one member states.
type rule struct {
	field     int // the member's index in its struct
	path      string
	omitEmpty bool
	sensitive bool
	bytes     bool
	length    *[2]int
	count     *[2]int
	value     *[2]int
	enum      []string
	pattern   string
	members   []rule // of a struct, or of each struct of a list
}

// rulesCache holds the rules of each type rulesOf was asked for.
var rulesCache sync.Map // reflect.Type → []rule

// rulesOf returns the rules of the tagged members of the struct type t.
func rulesOf(t reflect.Type) []rule {
	if rs, ok := rulesCache.Load(t); ok {
		return rs.([]rule)
	}
	var rs []rule
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("aws")
		if !ok {
			continue
		}
		r := parseRule(tag)
		r.field = i
		if s := structOf(f.Type); s != nil {
			r.members = rulesOf(s)
		}
		rs = append(rs, r)
	}
	cached, _ := rulesCache.LoadOrStore(t, rs)
	return cached.([]rule)
}

// structOf returns the struct type t is, points to or lists, if any.
func structOf(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

// parseRule reads an aws tag. A malformed tag is the store's own fault, not
// a caller's: it panics, and the tests read every tag.
func parseRule(tag string) rule {
	opts, pattern, _ := strings.Cut(tag, ",pattern=")
	path, opts, _ := strings.Cut(opts, ",")
	r := rule{path: path, pattern: pattern}
	for opt := range strings.SplitSeq(opts, ",") {
		key, val, _ := strings.Cut(opt, "=")
		switch key {
		case "":
		case "omitempty":
			r.omitEmpty = true
		case "sensitive":
			r.sensitive = true
		case "bytes":
			r.bytes = true
		case "len":
			r.length = parseBounds(tag, val)
		case "count":
			r.count = parseBounds(tag, val)
		case "range":
			r.value = parseBounds(tag, val)
		case "enum":
			r.enum = strings.Split(val, "|")
		default:
			panic(fmt.Sprintf("store: aws tag %q: unknown option %q", tag, opt))
		}
	}
	if path == "" || r.bytes && !r.sensitive || r.sensitive && (r.enum != nil || r.pattern != "") {
		panic(fmt.Sprintf("store: aws tag %q: no path, bytes without sensitive, or a sensitive enum or pattern", tag))
	}
	return r
}

// parseBounds reads LO..HI.
func parseBounds(tag, s string) *[2]int {
	lo, hi, ok := strings.Cut(s, "..")
	a, errLo := strconv.Atoi(lo)
	b, errHi := 1<<62, error(nil) // LO.. has no upper bound
	if hi != "" {
		b, errHi = strconv.Atoi(hi)
	}
	if !ok || errLo != nil || errHi != nil || a > b {
		panic(fmt.Sprintf("store: aws tag %q: bounds %q are not LO..HI", tag, s))
	}
	return &[2]int{a, b}
}

// check appends to out the violations of v, the value of r's member, whose
// path begins with prefix.
func (r rule) check(v reflect.Value, prefix string, given func(string) bool, out []string) []string {
	path := prefix + r.path
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return out
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if s == "" && r.omitEmpty && (given == nil || !given(path)) {
			return out
		}
		return r.checkString(path, s, out)
	case reflect.Int, reflect.Int32, reflect.Int64:
		if r.value != nil {
			out = add(out, violation.Range(path, int(v.Int()), r.value[0], r.value[1]))
		}
	case reflect.Struct:
		for _, m := range r.members {
			out = m.check(v.Field(m.field), path+".", given, out)
		}
	case reflect.Slice:
		if v.IsNil() && r.omitEmpty {
			return out
		}
		if v.Type().Elem().Kind() == reflect.Uint8 { // a blob: secret material
			if r.length != nil {
				out = add(out, violation.SensitiveLength(path, v.Len(), r.length[0], r.length[1]))
			}
			return out
		}
		if n := v.Len(); r.count != nil && (n < r.count[0] || n > r.count[1]) {
			items := make([]string, n)
			for i := range n {
				items[i] = show(v.Index(i))
			}
			out = add(out, violation.ListLength(path, items, r.count[0], r.count[1]))
		}
		for i := range v.Len() {
			at, e := path+"."+strconv.Itoa(i+1)+".member", v.Index(i)
			if e.Kind() == reflect.String {
				out = r.checkString(at, e.String(), out)
				continue
			}
			for _, m := range r.members {
				out = m.check(e.Field(m.field), at+".", given, out)
			}
		}
	}
	return out
}

// checkString appends to out the violations of s, a string at path: only
// that it is not UTF-8, if it is not, since its length and pattern then
// mean nothing.
func (r rule) checkString(path, s string, out []string) []string {
	if v := violation.UTF8(path, s); v != "" {
		return append(out, v)
	}
	if r.length != nil {
		if r.sensitive {
			n := len(s)
			if !r.bytes {
				n = utf8.RuneCountInString(s)
			}
			out = add(out, violation.SensitiveLength(path, n, r.length[0], r.length[1]))
		} else {
			out = add(out, violation.Length(path, s, r.length[0], r.length[1]))
		}
	}
	if r.enum != nil {
		out = add(out, violation.Enum(path, s, r.enum...))
	}
	if r.pattern != "" {
		out = add(out, violation.Pattern(path, s, r.pattern))
	}
	return out
}

// add appends violation v to out, unless it is none.
func add(out []string, v string) []string {
	if v == "" {
		return out
	}
	return append(out, v)
}

// show words an item of a list for a message, as AWS shows a structure:
// {Key: name,Values: [a, b]}.
func show(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = show(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Struct:
		parts := make([]string, v.NumField())
		for i := range parts {
			parts[i] = v.Type().Field(i).Name + ": " + show(v.Field(i))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case reflect.Pointer:
		if v.IsNil() {
			return "null"
		}
		return show(v.Elem())
	}
	return fmt.Sprint(v)
}
