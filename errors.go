package stagelabel

import (
	"fmt"

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
