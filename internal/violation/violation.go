// Package violation words the messages of AWS's ValidationException: each
// function gives the text for one member breaking one constraint of AWS's
// service model ("" when the member keeps it), and [Error] joins them as
// AWS does. It is the shared wording of packages secret and store, not API
// for users, who see the messages in the *[stagelabel.Error] values the
// operations return.
package violation

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/stagelabel/stagelabel"
)

// Length returns AWS's text for value breaking the length
// constraint lo..hi (in characters) of the request member named member,
// such as "Value 'x' at 'versionStage' failed to satisfy constraint: Member
// must have length greater than or equal to 1", and "" if value keeps it.
// Member names are lowerCamelCase, as AWS writes them in these messages.
// The format is AWS's general one; its use for each member is modeled.
func Length(member, value string, lo, hi int) string {
	n := utf8.RuneCountInString(value)
	if lo <= n && n <= hi {
		return ""
	}
	return violation(fmt.Sprintf("Value '%s' at '%s'", value, member), "length", n, lo, hi)
}

// SensitiveLength is [Length] for a member holding secret
// material, of n bytes: the text does not echo the value ("Value at
// 'secretString' failed to satisfy constraint: ...").
func SensitiveLength(member string, n, lo, hi int) string {
	if lo <= n && n <= hi {
		return ""
	}
	return violation(fmt.Sprintf("Value at '%s'", member), "length", n, lo, hi)
}

// ListLength is [Length] for a list member: items must
// number lo..hi.
func ListLength(member string, items []string, lo, hi int) string {
	if lo <= len(items) && len(items) <= hi {
		return ""
	}
	return violation(fmt.Sprintf("Value '[%s]' at '%s'", strings.Join(items, ", "), member), "length", len(items), lo, hi)
}

// Range returns AWS's text for the number n of member breaking the
// range lo..hi ("Value '0' at 'maxResults' failed to satisfy constraint:
// Member must have value greater than or equal to 1"), and "" if n keeps it.
func Range(member string, n, lo, hi int) string {
	if lo <= n && n <= hi {
		return ""
	}
	return violation(fmt.Sprintf("Value '%d' at '%s'", n, member), "value", n, lo, hi)
}

// Enum returns AWS's text for value of member not being one of
// set ("Value 'size' at 'sortBy' failed to satisfy constraint: Member must
// satisfy enum value set: [created-date, name]"), and "" if it is one.
func Enum(member, value string, set ...string) string {
	if slices.Contains(set, value) {
		return ""
	}
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, member, strings.Join(set, ", "))
}

// Pattern returns AWS's text for value of member not matching
// pattern, a regular expression as AWS's service model writes it ("Value
// 'a#' at 'filters.1.member.values.1.member' failed to satisfy constraint:
// Member must satisfy regular expression pattern: <pattern>"), and "" if it
// matches. The pattern must match the whole value, not some part of it,
// whether or not it is anchored [M] (AWS's validation matches whole values:
// IAM refuses a role name with a space under its unanchored pattern
// [\w+=,.@-]+). A pattern that is not a valid regular expression panics,
// as [regexp.MustCompile] does: patterns are the model's, not a caller's.
func Pattern(member, value, pattern string) string {
	re, ok := patterns.Load(pattern)
	if !ok {
		re, _ = patterns.LoadOrStore(pattern, regexp.MustCompile(`^(?:`+pattern+`)$`))
	}
	if re.(*regexp.Regexp).MatchString(value) {
		return ""
	}
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", value, member, pattern)
}

// patterns holds the compiled form of each pattern Pattern was
// given, anchored at both ends.
var patterns sync.Map // pattern → *regexp.Regexp

// UTF8 returns stagelabel's text for a value of member that is not
// valid UTF-8 ("Value at 'description' failed to satisfy constraint: Member
// must be valid UTF-8"), and "" if it is. The text is modeled on AWS's
// others [M]; it never echoes the value, whose bytes are not text.
func UTF8(member, value string) string {
	if utf8.ValidString(value) {
		return ""
	}
	return fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must be valid UTF-8", member)
}

// violation words a measure n of subject that lies outside lo..hi.
func violation(subject, measure string, n, lo, hi int) string {
	if n < lo {
		return fmt.Sprintf("%s failed to satisfy constraint: Member must have %s greater than or equal to %d", subject, measure, lo)
	}
	return fmt.Sprintf("%s failed to satisfy constraint: Member must have %s less than or equal to %d", subject, measure, hi)
}

// Error returns the ValidationException of operation op for the
// given violations (as [Length] words them; empty ones are
// skipped): "1 validation error detected: <violation>", or "N validation
// errors detected: <v1>; <v2>..." as AWS joins several. It returns nil when
// no violation is left.
func Error(op string, violations ...string) error {
	var kept []string
	for _, v := range violations {
		if v != "" {
			kept = append(kept, v)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return &stagelabel.Error{Op: op, Code: stagelabel.ErrValidation, Message: "1 validation error detected: " + kept[0]}
	}
	return &stagelabel.Error{Op: op, Code: stagelabel.ErrValidation,
		Message: fmt.Sprintf("%d validation errors detected: %s", len(kept), strings.Join(kept, "; "))}
}
