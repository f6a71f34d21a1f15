package secret

import (
	"fmt"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/violation"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// The AWS operations whose names errors carry.
const (
	opUpdateStage = "UpdateSecretVersionStage"
	opPut         = "PutSecretValue"
	opRotate      = "RotateSecret"
	opGet         = "GetSecretValue"
)

func fail(op string, code stagelabel.Code, label stage.Label, msg string, ids ...version.ID) error {
	return &stagelabel.Error{Op: op, Code: code, Message: msg, Label: label, Versions: ids}
}

// versionNotFound is ResourceNotFoundException for an unknown version id
// [M] (the text is GetSecretValue's [R]).
func versionNotFound(op string, id version.ID) error {
	return fail(op, stagelabel.ErrResourceNotFound, "",
		"Secrets Manager can't find the specified secret value for VersionId: "+string(id), id)
}

// versionDeleted is InvalidRequestException for a pruned version id [M].
func versionDeleted(op string, id version.ID) error {
	return fail(op, stagelabel.ErrInvalidRequest, "",
		fmt.Sprintf("You can't perform this operation on secret version %s because it was deleted.", id), id)
}

// tooManyLabels is LimitExceededException for a change that would leave
// more than MaxLabels labels [D] (the text is modeled [M]).
func tooManyLabels(op string, label stage.Label) error {
	return fail(op, stagelabel.ErrLimitExceeded, label, "You can attach up to 20 staging labels to a secret.")
}

// find returns the entry of the live version id, or the error AWS gives for
// an id that is unknown or pruned.
func (s Secret) find(op string, id version.ID) (entry, error) {
	e, ok := s.versions.get(id)
	switch {
	case !ok:
		return entry{}, versionNotFound(op, id)
	case e.deleted:
		return entry{}, versionDeleted(op, id)
	}
	return e, nil
}

// noToken is the error for a call without ClientRequestToken [R]; its code
// depends on the operation.
func noToken(op string, code stagelabel.Code) error {
	return fail(op, code, "", "You must provide a ClientRequestToken value. We recommend a UUID-type value.")
}

// tokenInUse is ResourceExistsException for a ClientRequestToken already
// used for another value [R].
func (s Secret) tokenInUse(op string, id version.ID) error {
	return fail(op, stagelabel.ErrResourceExists, "",
		fmt.Sprintf("You can't use ClientRequestToken %s because that value is already in use for a version of secret %s.", id, s.ref()),
		id)
}

// labelViolation and idViolation word a length violation of a label or an
// id for a ValidationException; "" when there is none.
func labelViolation(member string, l stage.Label) string {
	return violation.Length(member, string(l), stage.MinLen, stage.MaxLen)
}

func idViolation(member string, id version.ID) string {
	return violation.Length(member, string(id), version.MinIDLen, version.MaxIDLen)
}
