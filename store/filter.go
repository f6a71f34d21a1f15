package store

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/stagelabel/stagelabel"
)

// Filter is one filter of ListSecrets. Key names what its Values are
// matched against [D]:
//   - "name": a prefix of the name, case-sensitive;
//   - "description": a prefix of the description, not case-sensitive;
//   - "tag-key", "tag-value": a prefix of one of its tags' keys, or values,
//     case-sensitive;
//   - "all": the value is broken into words, and a secret matches if one
//     of them, not case-sensitive, begins a word of its name, description,
//     tag keys or tag values;
//   - "primary-region", "owning-service": the store keeps no replicas and
//     no owning services, so no secret matches [M].
//
// A value that begins with "!" excludes the secrets that the rest of it
// matches [D]. A secret passes a filter if it matches one of its other
// values, or there are none, and none of its "!" values; it is listed if
// it passes every filter [M]. Words, as "all" breaks them, are runs of
// letters and digits, broken where a lower-case letter meets an upper-case
// one and where a letter meets a digit: "credsDatabase#892" is "creds",
// "Database", "892" [D]; that a value's word need only begin an
// attribute's word is stagelabel's [M].
type Filter struct {
	Key    string
	Values []string
}

// Filter keys, sort keys and sort orders AWS takes, and the pattern of
// filter values [D].
var (
	filterKeys  = []string{"description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"}
	sortBys     = []string{"created-date", "last-accessed-date", "last-changed-date", "name"}
	sortOrders  = []string{"asc", "desc"}
	filterValue = regexp.MustCompile(`^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`)
)

// Limits of ListSecrets' filters [D].
const (
	MaxFilters        = 10  // filters in one request
	MaxFilterValues   = 10  // values in one filter
	MaxFilterValueLen = 512 // characters in one value
)

// listViolations returns the ways in breaks ListSecrets' constraints, as
// AWS words them [M]: at most 10 filters, each with a known key and 1 to
// 10 values of at most 512 characters of filterValue's set; a known
// SortBy and SortOrder, if given.
func listViolations(in ListSecretsInput) []string {
	var v []string
	if len(in.Filters) > MaxFilters {
		shown := make([]string, len(in.Filters))
		for i, f := range in.Filters {
			shown[i] = fmt.Sprintf("{Key: %s,Values: [%s]}", f.Key, strings.Join(f.Values, ", "))
		}
		v = append(v, stagelabel.ListLengthViolation("filters", shown, 0, MaxFilters))
	}
	for i, f := range in.Filters {
		at := fmt.Sprintf("filters.%d.member", i+1)
		v = append(v,
			stagelabel.EnumViolation(at+".key", f.Key, filterKeys...),
			stagelabel.ListLengthViolation(at+".values", f.Values, 1, MaxFilterValues))
		for j, value := range f.Values {
			at := fmt.Sprintf("%s.values.%d.member", at, j+1)
			v = append(v,
				stagelabel.LengthViolation(at, value, 0, MaxFilterValueLen),
				stagelabel.PatternViolation(at, value, filterValue))
		}
	}
	if in.SortBy != "" {
		v = append(v, stagelabel.EnumViolation("sortBy", in.SortBy, sortBys...))
	}
	if in.SortOrder != "" {
		v = append(v, stagelabel.EnumViolation("sortOrder", in.SortOrder, sortOrders...))
	}
	return v
}

// pass reports whether d passes every filter.
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

// match reports whether value, for the filter key, matches d.
func match(key, value string, d SecretDetails) bool {
	switch key {
	case "name":
		return strings.HasPrefix(d.Name, value)
	case "description":
		return hasPrefixFold(d.Description, value)
	case "tag-key":
		return slices.ContainsFunc(d.Tags, func(t Tag) bool { return strings.HasPrefix(t.Key, value) })
	case "tag-value":
		return slices.ContainsFunc(d.Tags, func(t Tag) bool { return strings.HasPrefix(t.Value, value) })
	case "all":
		attrs := append(words(d.Name), words(d.Description)...)
		for _, t := range d.Tags {
			attrs = append(append(attrs, words(t.Key)...), words(t.Value)...)
		}
		for _, w := range words(value) {
			if slices.ContainsFunc(attrs, func(aw string) bool { return hasPrefixFold(aw, w) }) {
				return true
			}
		}
	}
	return false
}

// hasPrefixFold reports whether s begins with prefix, case folded.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// words breaks s into the words the "all" filter matches.
func words(s string) []string {
	var ws []string
	start := -1
	var prev rune
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		split := start >= 0 && (!word ||
			unicode.IsLower(prev) && unicode.IsUpper(r) ||
			unicode.IsLetter(prev) != unicode.IsLetter(r))
		if split {
			ws = append(ws, s[start:i])
			start = -1
		}
		if word && start < 0 {
			start = i
		}
		prev = r
	}
	if start >= 0 {
		ws = append(ws, s[start:])
	}
	return ws
}
