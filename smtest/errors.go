package smtest

import (
	"errors"

	"github.com/aws/smithy-go"

	"github.com/stagelabel/stagelabel"
)

// APIError returns err as the SDK's [smithy.APIError], so that one check
// serves errors of both the SDK and the store: the smithy.APIError err is
// or wraps, as the SDK returns them; else, for a *[stagelabel.Error] err
// is or wraps, as the store's methods return them, that error with the
// fault AWS gives its code (smithy.FaultServer for InternalServiceError,
// smithy.FaultClient for the others), which unwraps to it. It returns nil
// for nil and for any other error.
//
// *stagelabel.Error has ErrorCode and ErrorMessage, but not ErrorFault,
// whose type is smithy's: the core module does not import smithy, so
// errors.As(err, &apiErr) with a smithy.APIError variable does not find
// it without this adapter.
func APIError(err error) smithy.APIError {
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		return apiErr
	}
	if e, ok := errors.AsType[*stagelabel.Error](err); ok {
		return storeError{e}
	}
	return nil
}

// storeError is a *stagelabel.Error as a smithy.APIError.
type storeError struct{ e *stagelabel.Error }

func (s storeError) Error() string        { return s.e.Error() }
func (s storeError) ErrorCode() string    { return s.e.ErrorCode() }
func (s storeError) ErrorMessage() string { return s.e.ErrorMessage() }
func (s storeError) Unwrap() error        { return s.e }

// ErrorFault returns smithy.FaultServer for InternalServiceError, the
// service's fault, and smithy.FaultClient for every other code, the
// request's, as AWS's service model classes its errors.
func (s storeError) ErrorFault() smithy.ErrorFault {
	if s.e.Code == stagelabel.ErrInternalService {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}
