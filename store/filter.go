package store

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Filter is one filter of ListSecrets: a Key, which says what its Values
// are matched against, and the Values.
//
// # Keys
//
//   - "name": the value begins the name, case-sensitive. The whole name,
//     not its words: "/" matches "/testing2/two-1", and "testing1 one" does
//     not match "testing1/one-1" (LocalStack's validated
//     test_list_secrets_filtering) [R]; case-sensitive [D].
//   - "tag-key", "tag-value": the value begins one of the secret's tag keys,
//     or tag values, case-sensitive [D].
//   - "description": every word of the value begins some word of the
//     description, not case-sensitive. "a secret" matches "an secret" but
//     not "asecret" (LocalStack's validated test_list_secrets_filtering);
//     "one two" and "o t" match "one and two", and "t" matches "one two"
//     but not "unrelated" (moto's aws_verified
//     test_with_filter_with_value_with_multiple_words) [R]. Not
//     case-sensitive [D]. The API reference's "Prefix match" holds word by
//     word, not for the whole description.
//   - "all": every word of the value begins some word of one of the
//     secret's attributes: its name, its description, a tag key or a tag
//     value; not case-sensitive. "SecretOne" lists SecretOne… alone,
//     "Secret", "secret" and "sec" list the four names that have the word
//     Secret, "ret" and "SomeSecret" list nothing, "foo" finds a tag key
//     and a tag value, "d t" finds DescTwo (moto's aws_verified
//     test_with_all_filter) [R]. The user guide's example, in which
//     "My_Secret" finds secrets with "the word my or secret", is wrong: it
//     needs both. That the words must all be found in one attribute, not
//     spread over several, is stagelabel's [M]: no recording tells the two
//     apart.
//   - "primary-region": a prefix of the secret's PrimaryRegion,
//     case-sensitive [D]; a secret that is not replicated has none, and
//     matches no value [M];
//   - "owning-service": the store keeps no secrets of other services, so
//     no secret matches [M].
//
// # Words
//
// The words of a value or an attribute are its runs of letters and
// digits, so that space, / _ + = . @ and - separate them (moto's
// aws_verified test_with_all_filter_special_characters) [R], as does any
// other character that is neither letter nor digit [D]. A run is split
// where a lower-case letter meets an upper-case one: "AppBeta" is "App"
// and "Beta" [R, same test]; before the last of two or more upper-case
// letters that a lower-case one follows: "COMPANYthings" is "COMPAN" and
// "Ythings", while "COMPANY" stays whole [R, same test]; and where a
// letter meets a digit: "credsDatabase#892" is "creds", "Database" and
// "892" [D for a letter then a digit, M for a digit then a letter]. A
// value with no words, such as "+", matches nothing [R, same test]; so
// does the empty value [M]. Each word of the value is looked for on its
// own: words need not be neighbours ("one two" matches "one and two")
// [R], nor in order, and one word of the attribute may answer several
// [M]. Letters, digits and cases are Unicode's, folded as Unicode's simple
// folding does [M] (values and names are ASCII; descriptions and tags need
// not be).
//
// # Values and filters
//
// A value that begins with "!" excludes the secrets that the rest of it
// matches [D]: "!/" on names lists those that do not begin with "/", "!a"
// on descriptions those with no word beginning with "a", and "!c" where
// no word begins with "c" excludes nothing (LocalStack's validated
// test_list_secrets_filtering) [R]. A secret passes a filter if it
// matches one of its other values, or there are none, and none of its "!"
// values [M]: no recording has two values in one filter that tell "one
// of" from "all of" (moto's aws_verified ["AppBeta", "prod"] lists the
// same secrets either way). A secret is listed if it passes every filter:
// description "a" and name "secret" list none of LocalStack's four
// secrets (same test), and description "one" and description "two", two
// filters with one key, list "one two" alone (moto's aws_verified
// test_with_duplicate_filter_keys) [R].
type Filter struct {
	Key    string   `aws:"key,enum=description|name|tag-key|tag-value|primary-region|owning-service|all"` // a Filter constant, such as FilterName
	Values []string `aws:"values,count=1..10,len=0..512,pattern=^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$"`
}

// The keys of a [Filter], as its doc describes them.
const (
	FilterDescription   = "description"
	FilterName          = "name"
	FilterTagKey        = "tag-key"
	FilterTagValue      = "tag-value"
	FilterPrimaryRegion = "primary-region"
	FilterOwningService = "owning-service"
	FilterAll           = "all"
)

// pass reports whether d passes every filter: each filter, whatever its
// key, narrows the list [R], and within one its values are alternatives
// and its "!" values exclusions [M] (see [Filter]).
func pass(filters []Filter, d SecretDetails) bool {
	for _, f := range filters {
		matched, positive := false, false
		for _, value := range f.Values {
			rest, negated := strings.CutPrefix(value, "!")
			switch {
			case negated && match(f.Key, rest, d):
				return false
			case !negated:
				positive = true
				matched = matched || match(f.Key, rest, d)
			}
		}
		if positive && !matched {
			return false
		}
	}
	return true
}

// match reports whether value, for the filter key, matches d: a prefix of
// the whole name or of a tag's key or value, case-sensitive; the words of
// the description, or of one attribute for "all" (see [Filter]).
func match(key, value string, d SecretDetails) bool {
	switch key {
	case FilterName:
		return strings.HasPrefix(d.Name, value)
	case FilterTagKey:
		return slices.ContainsFunc(d.Tags, func(t Tag) bool { return strings.HasPrefix(t.Key, value) })
	case FilterTagValue:
		return slices.ContainsFunc(d.Tags, func(t Tag) bool { return strings.HasPrefix(t.Value, value) })
	case FilterDescription:
		return matchWords(words(value), d.Description)
	case FilterPrimaryRegion:
		return d.PrimaryRegion != "" && strings.HasPrefix(d.PrimaryRegion, value)
	case FilterAll:
		want := words(value)
		return matchWords(want, d.Name) || matchWords(want, d.Description) ||
			slices.ContainsFunc(d.Tags, func(t Tag) bool { return matchWords(want, t.Key) || matchWords(want, t.Value) })
	}
	return false
}

// matchWords reports whether there are words wanted and each of them
// begins, case folded, some word of attr [R] (see [Filter]).
func matchWords(want []string, attr string) bool {
	if len(want) == 0 {
		return false
	}
	have := words(attr)
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h string) bool { return hasPrefixFold(h, w) }) {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s begins with prefix, not case-sensitive:
// ASCII letters as the recordings show [R], others under Unicode simple
// case folding, rune by rune [M].
func hasPrefixFold(s, prefix string) bool {
	for _, p := range prefix {
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 || !equalFold(r, p) {
			return false
		}
		s = s[size:]
	}
	return true
}

// equalFold reports whether r and p are the same rune under Unicode simple
// case folding.
func equalFold(r, p rune) bool {
	if r == p {
		return true
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f == p {
			return true
		}
	}
	return false
}

// words breaks s into the words that the "description" and "all" filters
// match (see [Filter]): runs of letters and digits ([R] for the separators
// recorded, [D] for the others), split where a lower-case letter meets an
// upper-case one [R], before an upper-case
// letter that follows another and is followed by a lower-case one [R]
// ("COMPANYthings" is "COMPAN", "Ythings"), and where a letter meets a
// digit [D] or a digit a letter [M] (§S7, §S8).
func words(s string) []string {
	var ws []string
	start := -1 // where the word being read began, or -1 between words
	var prev rune
	for i, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			if start >= 0 {
				ws, start = append(ws, s[start:i]), -1
			}
		case start < 0:
			start = i
		case boundary(prev, s[i:]):
			ws, start = append(ws, s[start:i]), i
		}
		prev = r
	}
	if start >= 0 {
		ws = append(ws, s[start:])
	}
	return ws
}

// boundary reports whether a word ends between prev and the rune that
// begins rest, both letters or digits.
func boundary(prev rune, rest string) bool {
	r, size := utf8.DecodeRuneInString(rest)
	next, _ := utf8.DecodeRuneInString(rest[size:])
	switch {
	case unicode.IsLetter(prev) != unicode.IsLetter(r):
		return true // "creds892": "creds", "892"
	case unicode.IsLower(prev) && unicode.IsUpper(r):
		return true // "AppBeta": "App", "Beta"
	default:
		return unicode.IsUpper(prev) && unicode.IsUpper(r) && unicode.IsLower(next) // "COMPANYthings": "COMPAN", "Ythings"
	}
}
