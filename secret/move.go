package secret

import (
	"fmt"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/violation"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// MoveLabel does what UpdateSecretVersionStage does: it attaches label to
// version moveTo, removes it from version removeFrom, or moves it from one
// to the other. An empty id means the parameter was not given. Its cost
// does not depend on the number of versions.
//
// The rules, with the grade of their evidence (docs/semantics.md §L):
//   - A label not attached anywhere is added to moveTo's labels, beside
//     those it has [D].
//   - A label attached to another version H moves only when removeFrom is
//     H [D]. With removeFrom empty: InvalidParameterException "The
//     parameter RemoveFromVersionId can't be empty. Staging label <label>
//     is currently attached to version <H>, so you must explicitly
//     reference that version in RemoveFromVersionId." ([R] for AWSCURRENT,
//     [M] for other labels). With removeFrom naming another version:
//     InvalidParameterException "Staging label <label> is not attached to
//     version <removeFrom>." ([D] that it fails, [M] code and text). The
//     same when the label is attached nowhere but removeFrom is given [M].
//   - Moving [stage.Current] from H puts [stage.Previous] on H, taking it
//     from the version that had it, which keeps its other labels and may
//     become deprecated; AWSPENDING and custom labels stay where they are
//     [R]. Moved onto the AWSPREVIOUS holder, the two labels swap [D].
//     Moved when no version carries it, nothing else moves [M].
//   - [stage.Current] cannot be removed without moveTo:
//     InvalidParameterException "You can only move staging label
//     AWSCURRENT to a different secret version. It can't be completely
//     removed." [R]
//   - Any other label is removed from removeFrom when moveTo is empty,
//     leaving the version's other labels; a version left with none is
//     deprecated [D].
//   - A label already on moveTo, with removeFrom empty or moveTo: success,
//     nothing changes [M].
//   - Neither id given: InvalidParameterException "You must specify
//     RemoveFromVersionId, MoveToVersionId, or both." [M]
//   - An id of no version: ResourceNotFoundException "Secrets Manager
//     can't find the specified secret value for VersionId: <id>" [M];
//     removeFrom is checked before moveTo. An id of a pruned version:
//     InvalidRequestException "You can't perform this operation on secret
//     version <id> because it was deleted." [M]
//   - A result with more than 20 distinct labels, an automatic AWSPREVIOUS
//     included: LimitExceededException "You can attach up to 20 staging
//     labels to a secret." ([D] limit, [M] text)
//   - A label outside 1 to 256 characters, or an id given outside 32 to 64:
//     ValidationException in AWS's constraint format, naming the members
//     versionStage, removeFromVersionId and moveToVersionId [M].
//
// Labels beginning with "AWS" other than the three built-in ones are
// ordinary custom labels [R].
func (s Secret) MoveLabel(label stage.Label, removeFrom, moveTo version.ID) (Secret, error) {
	if err := validateMove(label, removeFrom, moveTo); err != nil {
		return Secret{}, err
	}
	if removeFrom == "" && moveTo == "" {
		return Secret{}, fail(opUpdateStage, stagelabel.ErrInvalidParameter, label,
			"You must specify RemoveFromVersionId, MoveToVersionId, or both.")
	}
	for _, id := range []version.ID{removeFrom, moveTo} {
		if id == "" {
			continue
		}
		if _, err := s.find(opUpdateStage, id); err != nil {
			return Secret{}, err
		}
	}
	if label == stage.Current && moveTo == "" {
		return Secret{}, fail(opUpdateStage, stagelabel.ErrInvalidParameter, label,
			"You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.",
			removeFrom)
	}

	holder, attached := s.labels.holder(label)
	switch {
	case attached && holder == moveTo && (removeFrom == "" || removeFrom == moveTo):
		return s, nil // already there [M]
	case attached && removeFrom == "":
		return Secret{}, fail(opUpdateStage, stagelabel.ErrInvalidParameter, label,
			fmt.Sprintf("The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", label, holder),
			holder)
	case removeFrom != "" && (!attached || holder != removeFrom):
		return Secret{}, fail(opUpdateStage, stagelabel.ErrInvalidParameter, label,
			fmt.Sprintf("Staging label %s is not attached to version %s.", label, removeFrom),
			removeFrom)
	}

	// Here removeFrom is empty and the label attached nowhere, or removeFrom
	// holds it; moveTo is empty only when removing.
	t := s.labels.clone(2)
	switch {
	case moveTo == "":
		t = t.remove(label)
	case label == stage.Current:
		t = t.moveCurrent(moveTo, false)
	default:
		t = t.assign(label, moveTo)
	}
	if len(t) > MaxLabels {
		return Secret{}, tooManyLabels(opUpdateStage, label)
	}
	s.labels = t
	return s, nil
}

// validateMove checks the lengths of MoveLabel's arguments.
func validateMove(label stage.Label, removeFrom, moveTo version.ID) error {
	var from, to string
	if removeFrom != "" {
		from = idViolation("removeFromVersionId", removeFrom)
	}
	if moveTo != "" {
		to = idViolation("moveToVersionId", moveTo)
	}
	return violation.Error(opUpdateStage, labelViolation("versionStage", label), from, to)
}
