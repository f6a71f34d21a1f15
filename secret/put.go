package secret

import (
	"slices"
	"strconv"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/violation"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// Put does what PutSecretValue (and CreateSecret with a value) does: it adds
// version v, whose id is the ClientRequestToken, and attaches staging labels
// to it. Its cost grows with the logarithm of the number of versions.
//
// The rules, with the grade of their evidence (docs/semantics.md §V):
//   - The first version of a secret always gets [stage.Current], plus the
//     labels given [D]. So does the first payload of a secret whose only
//     version is an unfilled rotation ([Secret.Rotate] on a secret created
//     without a value) [M]: once a version has a payload, one carries
//     AWSCURRENT.
//   - With no labels given, v gets [stage.Current]; the version that had it
//     gets [stage.Previous] (taken from whoever had it) and loses
//     [stage.Pending] if it had it; its custom labels stay ([R], custom
//     labels [M]).
//   - With labels given, only those labels move to v, each taken from the
//     version that had it; AWSCURRENT stays unless named [R]. Named, it moves
//     as above, AWSPREVIOUS and AWSPENDING handling included ([R]; the
//     AWSPENDING removal when named [M]), except that a label named ends on
//     v: AWSPREVIOUS named with AWSCURRENT goes to v, not to the old current
//     [M]. The order of labels does not matter; a label named twice counts
//     once.
//   - An id that already exists with the same payload: nothing changes,
//     success; labels are ignored [D] (§V7). With another payload:
//     ResourceExistsException "You can't use ClientRequestToken <id> because
//     that value is already in use for a version of secret <ARN>." (the
//     secret's name when it has no ARN) [R].
//   - An id that exists without payload (made by [Secret.Rotate]) is filled
//     with v's payload, keeping its creation time, and staged as above; that
//     is no conflict [R].
//   - An id of a pruned version: InvalidRequestException "You can't perform
//     this operation on secret version <id> because it was deleted." [M]
//   - No id: InvalidRequestException "You must provide a ClientRequestToken
//     value. We recommend a UUID-type value." [R]. No payload:
//     InvalidRequestException "You must provide either SecretString or
//     SecretBinary." [M] (the text as users quote it from AWS)
//   - An id outside 32 to 64 characters, more than 20 labels, or a label
//     outside 1 to 256 characters: ValidationException naming the members
//     clientRequestToken, versionStages and versionStages.N.member [M].
//   - A result with more than 20 distinct labels: LimitExceededException
//     "You can attach up to 20 staging labels to a secret." ([D] limit, [M]
//     text)
func (s Secret) Put(v version.Version, labels ...stage.Label) (Secret, error) {
	id := v.ID()
	if id == "" {
		return Secret{}, noToken(opPut, stagelabel.ErrInvalidRequest)
	}
	if err := validatePut(id, labels); err != nil {
		return Secret{}, err
	}
	if !v.HasValue() {
		return Secret{}, fail(opPut, stagelabel.ErrInvalidRequest, "",
			"You must provide either SecretString or SecretBinary.", id)
	}

	old, exists := s.versions.get(id)
	switch {
	case exists && old.deleted:
		return Secret{}, versionDeleted(opPut, id)
	case exists && old.v.HasValue() && old.v.SameValue(v):
		return s, nil
	case exists && old.v.HasValue():
		return Secret{}, s.tokenInUse(opPut, id)
	}

	// AWSCURRENT first, with its automatic moves; then the other labels
	// named, so that each named label ends on v whatever the order given.
	t := s.labels.clone(len(labels) + 2)
	if _, ok := t.holder(stage.Current); !ok || len(labels) == 0 || slices.Contains(labels, stage.Current) {
		t = t.moveCurrent(id, true)
	}
	for _, l := range labels {
		t = t.assign(l, id)
	}
	if len(t) > MaxLabels {
		return Secret{}, tooManyLabels(opPut, "")
	}

	if exists {
		// The queue keeps the unfilled entry: it reads only the id, the
		// creation time and the arrival, which filling keeps.
		v = v.With(version.WithCreated(old.v.Created()))
		s.versions, _ = s.versions.with(entry{v: v, seq: old.seq})
	} else {
		s = s.add(v)
	}
	s.labels = t
	return s, nil
}

// validatePut checks the lengths of a ClientRequestToken and a
// VersionStages list.
func validatePut(id version.ID, labels []stage.Label) error {
	violations := []string{idViolation("clientRequestToken", id)}
	if len(labels) > MaxLabels {
		items := make([]string, len(labels))
		for i, l := range labels {
			items[i] = string(l)
		}
		violations = append(violations, violation.ListLength("versionStages", items, 1, MaxLabels))
	}
	for i, l := range labels {
		violations = append(violations, labelViolation("versionStages."+strconv.Itoa(i+1)+".member", l))
	}
	return violation.Error(opPut, violations...)
}

// Rotate does to the versions what RotateSecret does: it creates version id
// without a payload, created at the given time, and moves
// [stage.Pending] onto it. The rotation then fills it with [Secret.Put] and
// moves [stage.Current] onto it with [Secret.MoveLabel] [R]. Until it is
// filled, reading it fails ([Secret.Get]).
//
// The rules, with the grade of their evidence:
//   - AWSPENDING on a version other than the one carrying AWSCURRENT (a
//     rotation in progress): InvalidRequestException "A previous rotation
//     isn't complete. That rotation will be reattempted." ([D] that it fails,
//     [M] code and text, the text as users quote it from AWS)
//   - id is the unfilled version that already carries AWSPENDING (a retry):
//     nothing changes, success [M].
//   - id of another existing version: ResourceExistsException, as for Put [M].
//   - On a secret without versions the new version carries AWSPENDING and
//     nothing carries AWSCURRENT until a MoveLabel puts it there [M].
//   - No id: InvalidParameterException "You must provide a
//     ClientRequestToken value. We recommend a UUID-type value." [R]; an id
//     outside 32 to 64 characters: ValidationException [M].
func (s Secret) Rotate(id version.ID, created time.Time) (Secret, error) {
	if id == "" {
		return Secret{}, noToken(opRotate, stagelabel.ErrInvalidParameter)
	}
	if err := violation.Error(opRotate, idViolation("clientRequestToken", id)); err != nil {
		return Secret{}, err
	}
	pending, rotating := s.labels.holder(stage.Pending)
	if old, exists := s.versions.get(id); exists {
		if !old.deleted && !old.v.HasValue() && rotating && pending == id {
			return s, nil
		}
		if old.deleted {
			return Secret{}, versionDeleted(opRotate, id)
		}
		return Secret{}, s.tokenInUse(opRotate, id)
	}
	if current, _ := s.labels.holder(stage.Current); rotating && pending != current {
		return Secret{}, fail(opRotate, stagelabel.ErrInvalidRequest, stage.Pending,
			"A previous rotation isn't complete. That rotation will be reattempted.", pending)
	}

	t := s.labels.clone(1).assign(stage.Pending, id)
	if len(t) > MaxLabels {
		return Secret{}, tooManyLabels(opRotate, stage.Pending)
	}
	s = s.add(version.New(id, version.WithCreated(created)))
	s.labels = t
	return s, nil
}

// Get does what GetSecretValue does: it returns the version named by id, by
// label, or by both, which must then agree; with neither, the version
// carrying [stage.Current] [R].
//
// Errors [R]: an unknown id, ResourceNotFoundException "Secrets Manager
// can't find the specified secret value for VersionId: <id>"; a label on no
// version, "... for staging label: <label>"; a version without payload
// (a rotation not yet filled), the same as if it did not exist; id and label
// on different versions, InvalidRequestException "You provided a
// VersionStage that is not associated to the provided VersionId."; a pruned
// id, InvalidRequestException "You can't perform this operation on secret
// version <id> because it was deleted." [M]. Lengths outside the limits:
// ValidationException for versionId and versionStage [M].
func (s Secret) Get(id version.ID, label stage.Label) (version.Version, error) {
	var badID, badLabel string
	if id != "" {
		badID = idViolation("versionId", id)
	}
	if label != "" {
		badLabel = labelViolation("versionStage", label)
	}
	if err := violation.Error(opGet, badID, badLabel); err != nil {
		return version.Version{}, err
	}
	if id == "" {
		if label == "" {
			label = stage.Current
		}
		v, ok := s.Find(label)
		if !ok || !v.HasValue() {
			return version.Version{}, fail(opGet, stagelabel.ErrResourceNotFound, label,
				"Secrets Manager can't find the specified secret value for staging label: "+string(label))
		}
		return v, nil
	}
	e, err := s.find(opGet, id)
	if err != nil {
		return version.Version{}, err
	}
	if holder, ok := s.labels.holder(label); label != "" && (!ok || holder != id) {
		return version.Version{}, fail(opGet, stagelabel.ErrInvalidRequest, label,
			"You provided a VersionStage that is not associated to the provided VersionId.", id)
	}
	if !e.v.HasValue() {
		return version.Version{}, versionNotFound(opGet, id)
	}
	return e.v, nil
}
