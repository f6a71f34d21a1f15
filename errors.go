package stagelabel

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// Code is an AWS error code. Its constants are errors themselves, so that
// errors.Is(err, ErrInvalidParameter) tells the category of any error that
// stagelabel returns, as errors.Is(err, fs.ErrNotExist) does for files.
type Code string

// Error returns the code itself, such as "InvalidParameterException".
func (c Code) Error() string { return string(c) }

// The AWS error codes stagelabel returns.
const (
	// ErrInvalidParameter: a parameter value is not valid for the current
	// state of the secret.
	ErrInvalidParameter Code = "InvalidParameterException"
	// ErrInvalidRequest: the request cannot be done in the secret's current
	// state (scheduled for deletion, rotation in progress, a deleted version).
	ErrInvalidRequest Code = "InvalidRequestException"
	// ErrResourceNotFound: no such secret, or no such version or label.
	ErrResourceNotFound Code = "ResourceNotFoundException"
	// ErrResourceExists: a ClientRequestToken reused with another value.
	ErrResourceExists Code = "ResourceExistsException"
	// ErrLimitExceeded: a secret would carry more than 20 staging labels.
	ErrLimitExceeded Code = "LimitExceededException"
	// ErrValidation: a member breaks a constraint of AWS's service model
	// (length, range, pattern, enum), or is not valid UTF-8.
	ErrValidation Code = "ValidationException"
	// ErrInvalidNextToken: a pagination token that no listing gave.
	ErrInvalidNextToken Code = "InvalidNextTokenException"
	// ErrMalformedPolicyDocument: a resource policy that is not a policy.
	ErrMalformedPolicyDocument Code = "MalformedPolicyDocumentException"
	// ErrAccessDenied: Secrets Manager may not do what the request needs,
	// such as invoke the rotation function it names.
	ErrAccessDenied Code = "AccessDeniedException"
	// ErrInternalService: a failure of the service itself, not the request.
	ErrInternalService Code = "InternalServiceError"
)

// Error is the error every stagelabel operation returns. It carries the AWS
// code and the exact AWS message, and the request context the message is
// about. It never carries secret material.
//
// Error has ErrorCode and ErrorMessage, as the AWS SDK's smithy.APIError
// has, and unwraps to its [Code]. It lacks smithy.APIError's ErrorFault,
// whose result type is smithy's (this module does not import the SDK), so
// errors.As(err, &apiErr) with a smithy.APIError variable does not find
// it: the smtest module's APIError adapts it
// (github.com/stagelabel/stagelabel/smtest).
type Error struct {
	Op       string       // the AWS operation, such as "UpdateSecretVersionStage"
	Code     Code         // the AWS error code
	Message  string       // the AWS error message, exactly as AWS words it
	Label    stage.Label  // the staging label involved, if any
	Versions []version.ID // the version ids involved, in the order the message names them
	Err      error        // what caused an InternalServiceError, for logs: never sent to a client
}

// Error returns "<Op>: <Code>: <Message>", and ": <Err>" when Err is set.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %s: %v", e.Op, e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s: %s", e.Op, e.Code, e.Message)
}

// Unwrap returns the error's [Code], and its Err when set.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Code, e.Err}
	}
	return []error{e.Code}
}

// ErrorCode returns the AWS error code, such as "InvalidParameterException".
func (e *Error) ErrorCode() string { return string(e.Code) }

// ErrorMessage returns the AWS error message.
func (e *Error) ErrorMessage() string { return e.Message }

// LengthViolation returns AWS's text for value breaking the length
// constraint lo..hi (in characters) of the request member named member,
// such as "Value 'x' at 'versionStage' failed to satisfy constraint: Member
// must have length greater than or equal to 1", and "" if value keeps it.
// Member names are lowerCamelCase, as AWS writes them in these messages.
// The format is AWS's general one; its use for each member is modeled.
func LengthViolation(member, value string, lo, hi int) string {
	n := utf8.RuneCountInString(value)
	if lo <= n && n <= hi {
		return ""
	}
	return violation(fmt.Sprintf("Value '%s' at '%s'", value, member), "length", n, lo, hi)
}

// SensitiveLengthViolation is [LengthViolation] for a member holding secret
// material, of n bytes: the text does not echo the value ("Value at
// 'secretString' failed to satisfy constraint: ...").
func SensitiveLengthViolation(member string, n, lo, hi int) string {
	if lo <= n && n <= hi {
		return ""
	}
	return violation(fmt.Sprintf("Value at '%s'", member), "length", n, lo, hi)
}

// ListLengthViolation is [LengthViolation] for a list member: items must
// number lo..hi.
func ListLengthViolation(member string, items []string, lo, hi int) string {
	if lo <= len(items) && len(items) <= hi {
		return ""
	}
	return violation(fmt.Sprintf("Value '[%s]' at '%s'", strings.Join(items, ", "), member), "length", len(items), lo, hi)
}

// RangeViolation returns AWS's text for the number n of member breaking the
// range lo..hi ("Value '0' at 'maxResults' failed to satisfy constraint:
// Member must have value greater than or equal to 1"), and "" if n keeps it.
func RangeViolation(member string, n, lo, hi int) string {
	if lo <= n && n <= hi {
		return ""
	}
	return violation(fmt.Sprintf("Value '%d' at '%s'", n, member), "value", n, lo, hi)
}

// EnumViolation returns AWS's text for value of member not being one of
// set ("Value 'size' at 'sortBy' failed to satisfy constraint: Member must
// satisfy enum value set: [created-date, name]"), and "" if it is one.
func EnumViolation(member, value string, set ...string) string {
	if slices.Contains(set, value) {
		return ""
	}
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, member, strings.Join(set, ", "))
}

// PatternViolation returns AWS's text for value of member not matching
// pattern, a regular expression as AWS's service model writes it ("Value
// 'a#' at 'filters.1.member.values.1.member' failed to satisfy constraint:
// Member must satisfy regular expression pattern: <pattern>"), and "" if it
// matches. The pattern must match the whole value, not some part of it,
// whether or not it is anchored [M] (AWS's validation matches whole values:
// IAM refuses a role name with a space under its unanchored pattern
// [\w+=,.@-]+). A pattern that is not a valid regular expression panics,
// as [regexp.MustCompile] does: patterns are the model's, not a caller's.
func PatternViolation(member, value, pattern string) string {
	re, ok := patterns.Load(pattern)
	if !ok {
		re, _ = patterns.LoadOrStore(pattern, regexp.MustCompile(`^(?:`+pattern+`)$`))
	}
	if re.(*regexp.Regexp).MatchString(value) {
		return ""
	}
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", value, member, pattern)
}

// patterns holds the compiled form of each pattern PatternViolation was
// given, anchored at both ends.
var patterns sync.Map // pattern → *regexp.Regexp

// UTF8Violation returns stagelabel's text for a value of member that is not
// valid UTF-8 ("Value at 'description' failed to satisfy constraint: Member
// must be valid UTF-8"), and "" if it is. The text is modeled on AWS's
// others [M]; it never echoes the value, whose bytes are not text.
func UTF8Violation(member, value string) string {
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

// ValidationError returns the ValidationException of operation op for the
// given violations (as [LengthViolation] words them; empty ones are
// skipped): "1 validation error detected: <violation>", or "N validation
// errors detected: <v1>; <v2>..." as AWS joins several. It returns nil when
// no violation is left.
func ValidationError(op string, violations ...string) error {
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
		return &Error{Op: op, Code: ErrValidation, Message: "1 validation error detected: " + kept[0]}
	}
	return &Error{Op: op, Code: ErrValidation,
		Message: fmt.Sprintf("%d validation errors detected: %s", len(kept), strings.Join(kept, "; "))}
}
