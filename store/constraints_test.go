package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
)

// serviceModel is store/testdata/service-constraints.json: the input
// shapes of AWS's service model, with their constraints.
type serviceModel struct {
	Operations map[string]string // operation → its input shape
	Shapes     map[string]struct {
		Type      string
		Required  []string
		Min, Max  *int
		Pattern   string
		Enum      []string
		Sensitive bool
		Members   map[string]string // of a structure: member → shape
		Member    string            // of a list
	}
}

func loadModel(t *testing.T) serviceModel {
	t.Helper()
	data, err := os.ReadFile("testdata/service-constraints.json")
	if err != nil {
		t.Fatal(err)
	}
	var m serviceModel
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// constraint is what the model, or a tag, says of one member or list item.
type constraint struct {
	Len, Count, Range *[2]int
	Enum              []string
	Pattern           string
	Sensitive         bool
}

// notTaken are the members of the model that the store's inputs do not
// have, so does not check, and why.
var notTaken = map[string]string{
	"CreateSecret.type":                           "secrets of external services (MedeaType) are not modeled",
	"UpdateSecret.type":                           "secrets of external services (MedeaType) are not modeled",
	"PutSecretValue.rotationToken":                "cross-account rotation is not modeled",
	"RotateSecret.externalSecretRotationMetadata": "rotation by external services is not modeled",
	"RotateSecret.externalSecretRotationRoleArn":  "rotation by external services is not modeled",
}

// operation returns the store's method for op and its input type, if the
// store serves op.
func operation(op string) (reflect.Method, reflect.Type, bool) {
	m, ok := reflect.TypeFor[*Store]().MethodByName(op)
	if !ok {
		return m, nil, false
	}
	return m, m.Type.In(1), true
}

// TestTagsMatchServiceModel checks the aws tags of every operation's input
// against AWS's service model: each member the model constrains has a tag
// with exactly the model's constraints, unless notTaken says why the store
// does not take it; no tag claims a constraint the model lacks; a tag
// names its member as the model does; and no member the model requires is
// omitempty.
func TestTagsMatchServiceModel(t *testing.T) {
	model := loadModel(t)
	for _, op := range slices.Sorted(maps.Keys(model.Operations)) {
		t.Run(op, func(t *testing.T) {
			_, in, ok := operation(op)
			if !ok {
				t.Skipf("the store does not serve %s yet: tag its input's members when it does", op)
			}
			want := map[string]constraint{}
			required := map[string]bool{}
			model.flatten(model.Operations[op], "", want, required)
			for path := range want {
				if why, ok := notTaken[op+"."+strings.SplitN(path, ".", 2)[0]]; ok {
					t.Logf("%s not checked: %s", path, why)
					delete(want, path)
				}
			}
			got := map[string]constraint{}
			omitEmpty := map[string]bool{}
			flattenRules(t, in, "", got, omitEmpty)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("constraints of %s's members mismatch (-model +tags):\n%s", op, diff)
			}
			for path := range required {
				if omitEmpty[path] {
					t.Errorf("%s is required by the model, but omitempty in its tag", path)
				}
			}
		})
	}
}

// flatten adds to out the constraints of shape and of what it holds, by
// path ('tags.member.key' for the key of any tag), and to required the
// paths of the members it requires.
func (m serviceModel) flatten(shape, path string, out map[string]constraint, required map[string]bool) {
	s := m.Shapes[shape]
	bounds := func() *[2]int {
		if s.Min == nil && s.Max == nil {
			return nil
		}
		b := [2]int{0, 1 << 62}
		if s.Min != nil {
			b[0] = *s.Min
		}
		if s.Max != nil {
			b[1] = *s.Max
		}
		return &b
	}
	var c constraint
	switch s.Type {
	case "structure":
		for name, member := range s.Members {
			at := lowerFirst(name)
			if path != "" {
				at = path + "." + at
			}
			if slices.Contains(s.Required, name) {
				required[at] = true
			}
			m.flatten(member, at, out, required)
		}
		return
	case "list":
		c.Count = bounds()
		m.flatten(s.Member, path+".member", out, required)
	case "string", "blob":
		c.Len, c.Enum, c.Pattern, c.Sensitive = bounds(), s.Enum, s.Pattern, s.Sensitive
	case "integer", "long":
		c.Range = bounds()
	}
	if !reflect.DeepEqual(c, constraint{}) {
		out[path] = c
	}
}

// flattenRules adds to out what the tags of the struct type st state, as
// flatten adds the model's, and to omitEmpty the paths of the omitempty
// members. It fails t for a tag that does not name its member as the wire
// does, and for a member of a type the validator does not check.
func flattenRules(t *testing.T, st reflect.Type, prefix string, out map[string]constraint, omitEmpty map[string]bool) {
	for _, r := range rulesOf(st) {
		f := st.Field(r.field)
		if r.path != lowerFirst(f.Name) {
			t.Errorf("%s.%s is tagged %q, not %q", st.Name(), f.Name, r.path, lowerFirst(f.Name))
		}
		path := prefix + r.path
		omitEmpty[path] = r.omitEmpty
		own := constraint{Len: r.length, Range: r.value, Enum: r.enum, Pattern: r.pattern, Sensitive: r.sensitive}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			flattenRules(t, ft, path+".", out, omitEmpty)
			continue
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			flattenRules(t, ft.Elem(), path+".member.", out, omitEmpty)
			own = constraint{}
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
			if !reflect.DeepEqual(own, constraint{}) {
				out[path+".member"] = own
			}
			own = constraint{}
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Uint8,
			ft.Kind() == reflect.String, ft.Kind() == reflect.Int, ft.Kind() == reflect.Int32, ft.Kind() == reflect.Int64:
		default:
			t.Errorf("%s.%s: the validator does not check a %s", st.Name(), f.Name, ft)
		}
		own.Count = r.count
		if !reflect.DeepEqual(own, constraint{}) {
			out[path] = own
		}
	}
	for i := range st.NumField() {
		if f := st.Field(i); f.Tag.Get("aws") == "" && slices.Contains([]reflect.Kind{reflect.String, reflect.Slice, reflect.Struct}, f.Type.Kind()) {
			t.Errorf("%s.%s has no aws tag: its strings would go unchecked", st.Name(), f.Name)
		}
	}
}

func lowerFirst(s string) string {
	return string(unicode.ToLower(rune(s[0]))) + s[1:]
}

// TestConstraintEdges checks every constraint every tag states, through
// the operations of a store: each length, count and range at its edges
// (min-1, min, max, max+1), each enum value and one outside, a pattern
// matched and not, and a string that is not UTF-8. A value outside is
// ValidationException with AWS's text, naming the member alone, and
// changes nothing; a value within draws no word about the member. The
// other members are the least that their tags allow, but for SecretId,
// Name, ClientRequestToken and SecretString, which name a secret or make a
// version, so that an operation that skipped its validation would change
// the store.
func TestConstraintEdges(t *testing.T) {
	model := loadModel(t)
	for _, op := range slices.Sorted(maps.Keys(model.Operations)) {
		method, in, ok := operation(op)
		if !ok {
			continue // TestTagsMatchServiceModel names it
		}
		t.Run(op, func(t *testing.T) {
			base := validStruct(rulesOf(in), in)
			for name, v := range map[string]any{"SecretId": "db", "Name": "new", "ClientRequestToken": edgeToken, "SecretString": ptr("v")} {
				if f := base.FieldByName(name); f.IsValid() {
					f.Set(reflect.ValueOf(v))
				}
			}
			var ls []leaf
			leaves(rulesOf(in), in, "", func(root reflect.Value) reflect.Value { return root }, &ls)
			for _, l := range ls {
				for _, c := range l.cases(t) {
					t.Run(l.path+" "+c.name, func(t *testing.T) {
						st := edgeStore(t)
						before := st.Snapshot()
						input := reflect.New(in).Elem()
						input.Set(base)
						l.at(input).Set(c.value)
						res := method.Func.Call([]reflect.Value{reflect.ValueOf(st), input})
						err, _ := res[1].Interface().(error)
						if c.want == "" {
							if msg := fmt.Sprint(err); strings.Contains(msg, "'"+l.path+"'") {
								t.Errorf("%s: a value within the constraints is refused: %v", l.path, err)
							}
							return
						}
						var e *stagelabel.Error
						if !errors.As(err, &e) || e.Code != stagelabel.ErrValidation || e.Message != c.want || e.Op != op {
							t.Errorf("error = %v\nwant %s: ValidationException: %s", err, op, c.want)
						}
						if diff := cmp.Diff(before, st.Snapshot()); diff != "" {
							t.Errorf("a refused %s changed the store (-before +after):\n%s", op, diff)
						}
					})
				}
			}
		})
	}
}

const edgeToken = "00000001-0000-4000-8000-000000000000"

func ptr[T any](v T) *T { return &v }

// edgeStore returns a store on a clock that stands still, holding the
// secret db with a value.
func edgeStore(t *testing.T) *Store {
	t.Helper()
	at := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	st := New(WithClock(func() time.Time { return at }), WithRandom(rand.NewChaCha8([32]byte{})))
	if _, err := st.CreateSecret(CreateSecretInput{Name: "db", ClientRequestToken: "00000000-0000-4000-8000-000000000000", SecretString: ptr("x")}); err != nil {
		t.Fatal(err)
	}
	return st
}

// leaf is one checked member of an input, or the items of a list of
// strings (elem), at path; at returns it, settable, in an input, making
// the structures and lists that hold it.
type leaf struct {
	path string
	r    rule
	elem bool
	t    reflect.Type
	at   func(root reflect.Value) reflect.Value
}

// leaves adds to out the leaves of the tagged members of st, whose values
// at gives, with paths beginning with prefix.
func leaves(rs []rule, st reflect.Type, prefix string, at func(reflect.Value) reflect.Value, out *[]leaf) {
	for _, r := range rs {
		ft, path := st.Field(r.field).Type, prefix+r.path
		member := func(root reflect.Value) reflect.Value { return at(root).Field(r.field) }
		*out = append(*out, leaf{path: path, r: r, t: ft, at: member})
		switch {
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
			leaves(r.members, ft.Elem(), path+".", func(root reflect.Value) reflect.Value {
				v := member(root)
				if v.IsNil() {
					v.Set(reflect.New(ft.Elem()))
				}
				return v.Elem()
			}, out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			leaves(r.members, ft.Elem(), path+".1.member.", func(root reflect.Value) reflect.Value {
				v := member(root)
				v.Set(validList(r, ft, 1))
				return v.Index(0)
			}, out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
			*out = append(*out, leaf{path: path + ".1.member", r: r, elem: true, t: ft.Elem(), at: func(root reflect.Value) reflect.Value {
				v := member(root)
				v.Set(validList(r, ft, 1))
				return v.Index(0)
			}})
		}
	}
}

// edgeCase is a value for a leaf, and the message it must draw: "" for
// none about the leaf.
type edgeCase struct {
	name  string
	value reflect.Value
	want  string
}

// cases returns the cases of l's constraints.
func (l leaf) cases(t *testing.T) []edgeCase {
	var out []edgeCase
	r, kind := l.r, l.t.Kind()
	if kind == reflect.Pointer {
		kind = l.t.Elem().Kind()
	}
	value := func(v any) reflect.Value {
		rv := reflect.ValueOf(v)
		if l.t.Kind() == reflect.Pointer {
			p := reflect.New(l.t.Elem())
			p.Elem().Set(rv.Convert(l.t.Elem()))
			return p
		}
		return rv.Convert(l.t)
	}
	edges := func(b *[2]int) []int { // no upper bound (LO..): its lower edges only
		return slices.DeleteFunc([]int{b[0] - 1, b[0], b[1], b[1] + 1}, func(n int) bool { return n < 0 || n >= 1<<62 })
	}
	switch {
	case kind == reflect.Slice && l.t.Elem().Kind() != reflect.Uint8: // a list
		if r.count == nil {
			break
		}
		for _, n := range edges(r.count) {
			list := validList(r, l.t, n)
			items := make([]string, n)
			for i := range n {
				items[i] = render(list.Index(i))
			}
			out = append(out, edgeCase{fmt.Sprintf("%d items", n), list,
				lengthText(fmt.Sprintf("Value '[%s]'", strings.Join(items, ", ")), l.path, n, *r.count)})
		}
	case kind == reflect.Slice && r.length != nil: // a blob
		for _, n := range edges(r.length) {
			out = append(out, edgeCase{fmt.Sprintf("%d bytes", n), reflect.ValueOf(make([]byte, n)), lengthText("Value", l.path, n, *r.length)})
		}
	case kind == reflect.Int || kind == reflect.Int32 || kind == reflect.Int64:
		for _, n := range edges(r.value) {
			want := ""
			if n < r.value[0] || n > r.value[1] {
				want = fmt.Sprintf("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value %s", n, l.path, beyond(n, *r.value))
			}
			out = append(out, edgeCase{fmt.Sprint(n), value(n), want})
		}
	case kind == reflect.String:
		str := func(name, s string) {
			out = append(out, edgeCase{name, value(s), stringText(l, s)})
		}
		if r.length != nil {
			for _, n := range edges(r.length) {
				str(fmt.Sprintf("length %d", n), fill(r, n))
			}
		}
		for _, e := range r.enum {
			str(e, e)
		}
		if r.enum != nil {
			str("outside the enum", strings.ToUpper(r.enum[0]))
		}
		if r.pattern != "" {
			s := fill(r, max(r.length[0], 3))
			s = s[:len(s)-1] + "~"
			if matches(r.pattern, s) {
				t.Fatalf("%s: the value meant to break the pattern keeps it: %q", l.path, s)
			}
			str("outside the pattern", s)
		}
		str("not UTF-8", "a\xffb")
	}
	return out
}

// stringText returns the message s draws at leaf l: its violations of l's
// rule, as AWS words them, or only that it is not UTF-8.
func stringText(l leaf, s string) string {
	r := l.r
	if s == "" && r.omitEmpty && !l.elem {
		return "" // not given
	}
	if !utf8.ValidString(s) {
		return fmt.Sprintf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be valid UTF-8", l.path)
	}
	var vs []string
	if b := r.length; b != nil {
		n := len([]rune(s))
		if r.bytes {
			n = len(s)
		}
		if n < b[0] || n > b[1] {
			subject := fmt.Sprintf("Value '%s' at '%s'", s, l.path)
			if r.sensitive {
				subject = fmt.Sprintf("Value at '%s'", l.path)
			}
			vs = append(vs, fmt.Sprintf("%s failed to satisfy constraint: Member must have length %s", subject, beyond(n, *b)))
		}
	}
	if r.enum != nil && !slices.Contains(r.enum, s) {
		vs = append(vs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", s, l.path, strings.Join(r.enum, ", ")))
	}
	if r.pattern != "" && !matches(r.pattern, s) {
		vs = append(vs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", s, l.path, r.pattern))
	}
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return "1 validation error detected: " + vs[0]
	}
	return fmt.Sprintf("%d validation errors detected: %s", len(vs), strings.Join(vs, "; "))
}

// lengthText returns the message of a length n of subject at path, or ""
// within b.
func lengthText(subject, path string, n int, b [2]int) string {
	if b[0] <= n && n <= b[1] {
		return ""
	}
	return fmt.Sprintf("1 validation error detected: %s at '%s' failed to satisfy constraint: Member must have length %s", subject, path, beyond(n, b))
}

// beyond words how n lies outside b.
func beyond(n int, b [2]int) string {
	if n < b[0] {
		return fmt.Sprintf("greater than or equal to %d", b[0])
	}
	return fmt.Sprintf("less than or equal to %d", b[1])
}

// matches reports whether pattern matches all of s.
func matches(pattern, s string) bool {
	return regexp.MustCompile(`^(?:` + pattern + `)$`).MatchString(s)
}

// fill returns a string of length n for rule r that keeps its pattern if
// it can: of characters beyond ASCII where there is no pattern, so that
// characters, not bytes, are counted; of n bytes where r counts bytes.
func fill(r rule, n int) string {
	switch {
	case r.bytes:
		return strings.Repeat("é", n/2) + strings.Repeat("a", n%2)
	case r.pattern == "":
		return strings.Repeat("é", n)
	}
	for _, s := range []string{strings.Repeat("a", n), strings.Repeat("1", max(n-1, 0)) + "h", strings.Repeat("a", max(n-2, 0)) + "-1"} {
		if matches(r.pattern, s) {
			return s
		}
	}
	return strings.Repeat("a", n)
}

// least returns the shortest string rule r keeps, of at least one
// character: fill's, at r's least length or a few more where its pattern
// wants them (a region, "a-1", has three).
func least(r rule) string {
	lo := max(r.length[0], 1)
	for n := lo; n <= min(lo+4, r.length[1]); n++ {
		if s := fill(r, n); r.pattern == "" || matches(r.pattern, s) {
			return s
		}
	}
	return fill(r, lo)
}

// validStruct returns a value of the struct type st whose tagged members
// are the least their rules allow.
func validStruct(rs []rule, st reflect.Type) reflect.Value {
	v := reflect.New(st).Elem()
	for _, r := range rs {
		f := v.Field(r.field)
		switch {
		case f.Kind() == reflect.String && !r.omitEmpty:
			s := fill(r, 0)
			if r.length != nil {
				s = least(r)
			}
			if r.enum != nil {
				s = r.enum[0]
			}
			f.SetString(s)
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() != reflect.Uint8 && !r.omitEmpty:
			n := 0
			if r.count != nil {
				n = r.count[0]
			}
			f.Set(validList(r, f.Type(), n))
		}
	}
	return v
}

// validList returns a list of type lt of n valid items of rule r.
func validList(r rule, lt reflect.Type, n int) reflect.Value {
	list := reflect.MakeSlice(lt, n, n)
	for i := range n {
		if lt.Elem().Kind() == reflect.String {
			s := fill(r, 1)
			if r.length != nil {
				s = least(r)
			}
			list.Index(i).SetString(s)
		} else {
			list.Index(i).Set(validStruct(r.members, lt.Elem()))
		}
	}
	return list
}

// render words an item of a list as AWS shows it in a message.
func render(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Slice:
		var items []string
		for i := range v.Len() {
			items = append(items, render(v.Index(i)))
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	var fields []string
	for i := range v.NumField() {
		fields = append(fields, v.Type().Field(i).Name+": "+render(v.Field(i)))
	}
	return "{" + strings.Join(fields, ",") + "}"
}
