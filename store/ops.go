package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// Limits of DeleteSecret's recovery window and of a page of a listing,
// from the AWS API reference [D]. The limits of the members themselves are
// in their tags (see [Validate]).
const (
	MinRecoveryDays = 7
	MaxRecoveryDays = 30
	MaxPageSize     = 100
)

// CreateSecretInput is the input of CreateSecret.
type CreateSecretInput struct {
	Name               string  `aws:"name,len=1..512"`
	ClientRequestToken string  `aws:"clientRequestToken,omitempty,len=32..64"` // the id of the first version, when a value is given
	Description        string  `aws:"description,len=0..2048"`
	SecretString       *string `aws:"secretString,sensitive,bytes,len=1..65536"` // 65,536 bytes, as AWS's quotas say [D]
	SecretBinary       []byte  `aws:"secretBinary,omitempty,sensitive,len=1..65536"`
	Tags               []Tag   `aws:"tags"`                 // as [Store.TagResource] attaches them
	KmsKeyId           string  `aws:"kmsKeyId,len=0..2048"` // the KMS key its versions are written with; "" for the default (see [Store.DescribeSecret])
	// Regions to replicate the new secret to, as [Store.ReplicateSecretToRegions] does.
	AddReplicaRegions           []ReplicaRegionType `aws:"addReplicaRegions,omitempty,count=1.."`
	ForceOverwriteReplicaSecret bool
}

// String returns the input without its SecretString and SecretBinary.
func (in CreateSecretInput) String() string {
	return fmt.Sprintf("{Name:%s ClientRequestToken:%s Description:%q Tags:%v %s}", in.Name, in.ClientRequestToken, in.Description, in.Tags, redacted(in.SecretString, in.SecretBinary))
}

// Format makes every fmt verb print in as [CreateSecretInput.String] does.
func (in CreateSecretInput) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), in.String())
}

// CreateSecretOutput is the output of CreateSecret. VersionId is empty when
// the secret was created without a value.
type CreateSecretOutput struct {
	ARN               string              `json:",omitzero"`
	Name              string              `json:",omitzero"`
	VersionId         string              `json:",omitzero"`
	ReplicationStatus []ReplicationStatus `json:",omitzero"` // of AddReplicaRegions
}

// CreateSecret creates a secret, with a first version carrying AWSCURRENT
// when a value is given [D]. Repeated with the same name, token and value
// (an SDK's retry), it succeeds again with the same answer and changes
// nothing [R]; with the same name and token but another value, it fails
// with ResourceExistsException "You can't use ClientRequestToken <token>
// because that value is already in use for a version of secret <ARN>."
// [R].
//
// Errors: an invalid name, ValidationException "Invalid name. Must be a
// valid name containing alphanumeric characters, or any of the following:
// -/_+=.@!" [R]; a name in use (by a secret that has no version of the
// token with a value), ResourceExistsException "The operation failed
// because the secret <name> already exists." [R]; a name scheduled
// for deletion, InvalidRequestException "You can't create this secret
// because a secret with this name is already scheduled for deletion." [R];
// no ClientRequestToken, InvalidRequestException "You must provide a
// ClientRequestToken value. We recommend a UUID-type value." [R]; both
// SecretString and SecretBinary, InvalidParameterException [M]; a member
// outside the model's constraints, ValidationException (see [Validate]);
// tags, the errors of [Store.TagResource].
func (st *Store) CreateSecret(in CreateSecretInput) (CreateSecretOutput, error) {
	const op = "CreateSecret"
	if err := Validate(op, in, nil); err != nil {
		return CreateSecretOutput{}, err
	}
	if err := nameChars(op, in.Name); err != nil {
		return CreateSecretOutput{}, err
	}
	if in.ClientRequestToken == "" {
		return CreateSecretOutput{}, noToken(op, stagelabel.ErrInvalidRequest)
	}
	if err := st.checkReplicaRegions(op, in.AddReplicaRegions); err != nil {
		return CreateSecretOutput{}, err
	}
	v, hasValue, err := newVersion(op, in.ClientRequestToken, in.SecretString, in.SecretBinary, false)
	if err != nil {
		return CreateSecretOutput{}, err
	}
	if err := ownKeys(op, tagKeys(in.Tags)); err != nil {
		return CreateSecretOutput{}, err
	}
	tags, err := withTags(op, nil, in.Tags)
	if err != nil {
		return CreateSecretOutput{}, err
	}
	now := st.now()
	v = v.With(version.WithCreated(now), version.WithKMSKey(in.KmsKeyId))
	arn, err := st.newARN(op, in.Name)
	if err != nil {
		return CreateSecretOutput{}, err
	}
	s := secret.New(in.Name).WithARN(arn)
	if hasValue {
		if s, err = s.Put(v); err != nil {
			return CreateSecretOutput{}, opError(op, err)
		}
	}
	r := &record{secret: s, lastChanged: now, meta: &meta{description: in.Description, kmsKey: in.KmsKeyId, tags: tags, created: now}}
	var statuses []ReplicationStatus // of AddReplicaRegions, in the record from the start (§RP7)
	if len(in.AddReplicaRegions) > 0 {
		r.meta.replicas, statuses = st.plan(in.Name, nil, in.AddReplicaRegions, in.ForceOverwriteReplicaSecret, now)
	}
	if hasValue {
		r.touched = []version.ID{v.ID()}
	}
	for {
		sl, err := st.add(op, in.Name, r)
		if err != nil {
			return CreateSecretOutput{}, err
		}
		if sl == nil {
			break
		}
		cur := sl.rec.Load()
		switch {
		case cur == nil: // being created: wait for the outcome
			// Its creator holds the lock until it has published the
			// record or dropped the slot.
			sl.mu.Lock()
			sl.mu.Unlock()
			continue
		case cur.gone(now):
			if _, err := st.expire(op, in.Name, sl, cur); err != nil {
				return CreateSecretOutput{}, err
			}
			continue
		case !cur.meta.deleteAt.IsZero():
			return CreateSecretOutput{}, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidRequest,
				Message: "You can't create this secret because a secret with this name is already scheduled for deletion."}
		}
		if prior, ok := cur.secret.Version(v.ID()); hasValue && ok && prior.HasValue() {
			if !prior.SameValue(v) {
				_, err := cur.secret.Put(v) // ResourceExistsException: the token is in use
				return CreateSecretOutput{}, opError(op, err)
			}
			st.syncReplicas(op, cur)                                                                               // a retry brings along a replica the first call could not commit (§RP2)
			return CreateSecretOutput{ARN: cur.secret.ARN(), Name: in.Name, VersionId: in.ClientRequestToken}, nil // a repeat
		}
		return CreateSecretOutput{}, &stagelabel.Error{Op: op, Code: stagelabel.ErrResourceExists,
			Message: fmt.Sprintf("The operation failed because the secret %s already exists.", in.Name)}
	}
	out := CreateSecretOutput{ARN: arn, Name: in.Name}
	if hasValue {
		out.VersionId = in.ClientRequestToken
	}
	st.report(op, nil, r, version.ID(out.VersionId))
	if len(statuses) > 0 {
		// A replica the backend refuses catches up later, as any (§RP2).
		st.mirrorAll(op, in.Name, statuses, in.ForceOverwriteReplicaSecret)
		out.ReplicationStatus = statuses
	}
	return out, nil
}

// PutSecretValueInput is the input of PutSecretValue.
type PutSecretValueInput struct {
	SecretId           string   `aws:"secretId,len=1..2048"`
	ClientRequestToken string   `aws:"clientRequestToken,omitempty,len=32..64"`
	SecretString       *string  `aws:"secretString,sensitive,bytes,len=1..65536"`
	SecretBinary       []byte   `aws:"secretBinary,omitempty,sensitive,len=1..65536"`
	VersionStages      []string `aws:"versionStages,omitempty,count=1..20,len=1..256"` // nil: not given
}

// String returns the input without its SecretString and SecretBinary.
func (in PutSecretValueInput) String() string {
	return fmt.Sprintf("{SecretId:%s ClientRequestToken:%s VersionStages:%v %s}", in.SecretId, in.ClientRequestToken, in.VersionStages, redacted(in.SecretString, in.SecretBinary))
}

// Format makes every fmt verb print in as [PutSecretValueInput.String] does.
func (in PutSecretValueInput) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), in.String())
}

// redacted says which value members are set, never what they hold.
func redacted(text *string, binary []byte) string {
	switch {
	case text != nil && binary != nil:
		return "SecretString:<redacted> SecretBinary:<redacted>"
	case text != nil:
		return "SecretString:<redacted>"
	case binary != nil:
		return "SecretBinary:<redacted>"
	}
	return "no value"
}

// PutSecretValueOutput is the output of PutSecretValue.
type PutSecretValueOutput struct {
	ARN           string   `json:",omitzero"`
	Name          string   `json:",omitzero"`
	VersionId     string   `json:",omitzero"`
	VersionStages []string `json:",omitzero"`
}

// PutSecretValue adds a version to a secret and stages it as
// [secret.Secret.Put] describes, then prunes as [secret.Secret.Prune]
// does. A given but empty VersionStages list is refused [D], ValidationException [M] (§V15).
func (st *Store) PutSecretValue(in PutSecretValueInput) (PutSecretValueOutput, error) {
	const op = "PutSecretValue"
	if err := Validate(op, in, nil); err != nil {
		return PutSecretValueOutput{}, err
	}
	if in.ClientRequestToken == "" {
		return PutSecretValueOutput{}, noToken(op, stagelabel.ErrInvalidRequest)
	}
	v, _, err := newVersion(op, in.ClientRequestToken, in.SecretString, in.SecretBinary, true)
	if err != nil {
		return PutSecretValueOutput{}, err
	}
	stages := labels(in.VersionStages)
	old, next, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		s, err := r.secret.Put(v.With(version.WithCreated(now), version.WithKMSKey(r.meta.kmsKey)), stages...)
		if err != nil {
			return nil, opError(op, err)
		}
		if !adds(r.secret, v.ID()) {
			return r, nil
		}
		n := r.clone()
		n.secret, n.pruned = s.Prune(now)
		n.lastChanged, n.touched = now, []version.ID{v.ID()}
		return n, nil
	})
	if err != nil {
		return PutSecretValueOutput{}, err
	}
	st.report(op, old, next, v.ID())
	return PutSecretValueOutput{ARN: next.secret.ARN(), Name: next.secret.Name(), VersionId: string(v.ID()),
		VersionStages: names(next.secret.Labels(v.ID()))}, nil
}

// UpdateSecretInput is the input of UpdateSecret. A nil Description, and
// no SecretString or SecretBinary, leave the description and the value as
// they are.
type UpdateSecretInput struct {
	SecretId           string  `aws:"secretId,len=1..2048"`
	ClientRequestToken string  `aws:"clientRequestToken,omitempty,len=32..64"` // the id of the new version, when a value is given
	Description        *string `aws:"description,len=0..2048"`
	KmsKeyId           *string `aws:"kmsKeyId,len=0..2048"` // the KMS key of new versions: nil unchanged, "" the default [D]
	SecretString       *string `aws:"secretString,sensitive,bytes,len=1..65536"`
	SecretBinary       []byte  `aws:"secretBinary,omitempty,sensitive,len=1..65536"`
}

// String returns the input without its SecretString and SecretBinary.
func (in UpdateSecretInput) String() string {
	description := "unchanged"
	if in.Description != nil {
		description = fmt.Sprintf("%q", *in.Description)
	}
	return fmt.Sprintf("{SecretId:%s ClientRequestToken:%s Description:%s %s}", in.SecretId, in.ClientRequestToken, description, redacted(in.SecretString, in.SecretBinary))
}

// Format makes every fmt verb print in as [UpdateSecretInput.String] does.
func (in UpdateSecretInput) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), in.String())
}

// UpdateSecretOutput is the output of UpdateSecret. VersionId is empty
// when no value was given.
type UpdateSecretOutput struct {
	ARN       string `json:",omitzero"`
	Name      string `json:",omitzero"`
	VersionId string `json:",omitzero"`
}

// UpdateSecret changes a secret's description, its value, or both, in one
// change. A value becomes a new version carrying AWSCURRENT, staged and
// pruned as PutSecretValue without VersionStages does [R] (§V17). The same token
// with the same value is a no-op, with another value
// ResourceExistsException, as for PutSecretValue: so the API reference
// says of ClientRequestToken [D], though its summary says any existing
// token is an error. A description equal to the one held, or a call with
// neither description nor value, changes nothing [M]. KmsKeyId changes
// the key new versions are written with, "" back to the default [D] (§G26); the
// versions written before keep theirs in ListSecretVersionIds, where AWS
// also re-encrypts the labelled ones under the new key [D], which
// stagelabel does not show [M] (§G27). A secret scheduled
// for deletion gives InvalidRequestException [M] (§X4). No ClientRequestToken:
// InvalidRequestException "You must provide a ClientRequestToken value. We
// recommend a UUID-type value." [R]; both SecretString and SecretBinary,
// InvalidParameterException [M]; a member outside the model's
// constraints, ValidationException (see [Validate]).
func (st *Store) UpdateSecret(in UpdateSecretInput) (UpdateSecretOutput, error) {
	const op = "UpdateSecret"
	if err := Validate(op, in, nil); err != nil {
		return UpdateSecretOutput{}, err
	}
	if in.ClientRequestToken == "" {
		return UpdateSecretOutput{}, noToken(op, stagelabel.ErrInvalidRequest)
	}
	v, hasValue, err := newVersion(op, in.ClientRequestToken, in.SecretString, in.SecretBinary, false)
	if err != nil {
		return UpdateSecretOutput{}, err
	}
	var made version.ID // reported only if this call made the version
	old, next, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		s := r.secret
		key := *cmp.Or(in.KmsKeyId, &r.meta.kmsKey)
		if hasValue {
			var err error
			if s, err = s.Put(v.With(version.WithCreated(now), version.WithKMSKey(key))); err != nil {
				return nil, opError(op, err)
			}
		}
		changed := hasValue && adds(r.secret, v.ID())
		made = ""
		if changed {
			made = v.ID()
		}
		description := *cmp.Or(in.Description, &r.meta.description)
		var n *record
		switch {
		case description != r.meta.description || key != r.meta.kmsKey:
			n = r.cloneMeta()
			n.meta.description, n.meta.kmsKey = description, key
		case changed:
			n = r.clone()
		default:
			return r, nil
		}
		if changed {
			n.secret, n.pruned = s.Prune(now)
			n.touched = []version.ID{v.ID()}
		}
		n.lastChanged = now
		return n, nil
	})
	if err != nil {
		return UpdateSecretOutput{}, err
	}
	out := UpdateSecretOutput{ARN: next.secret.ARN(), Name: next.secret.Name()}
	if hasValue {
		out.VersionId = string(v.ID())
	}
	st.report(op, old, next, made)
	return out, nil
}

// GetSecretValueInput is the input of GetSecretValue.
type GetSecretValueInput struct {
	SecretId     string `aws:"secretId,len=1..2048"`
	VersionId    string `aws:"versionId,omitempty,len=32..64"`
	VersionStage string `aws:"versionStage,omitempty,len=1..256"`
}

// GetSecretValueOutput is the output of GetSecretValue. It holds secret
// material: its String and Format never print it.
type GetSecretValueOutput struct {
	ARN           string   `json:",omitzero"`
	Name          string   `json:",omitzero"`
	VersionId     string   `json:",omitzero"`
	SecretString  *string  `json:",omitzero"`
	SecretBinary  []byte   `json:",omitzero"`
	VersionStages []string `json:",omitzero"`
	CreatedDate   Time     `json:",omitzero"`
}

// String returns the output without its SecretString and SecretBinary.
func (o GetSecretValueOutput) String() string {
	return fmt.Sprintf("{ARN:%s Name:%s VersionId:%s VersionStages:%v CreatedDate:%s %s}",
		o.ARN, o.Name, o.VersionId, o.VersionStages, o.CreatedDate.Format(time.RFC3339), redacted(o.SecretString, o.SecretBinary))
}

// Format makes every fmt verb print o as [GetSecretValueOutput.String] does.
func (o GetSecretValueOutput) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), o.String())
}

// GetSecretValue returns a version's value, chosen as [secret.Secret.Get]
// describes, and records the day it was read (LastAccessedDate) [R]. When
// the store's backend cannot record the read, the read still stands,
// unrecorded [M]. A secret scheduled for deletion gives
// InvalidRequestException "You can't perform this operation on the secret
// because it was marked for deletion." [R]
func (st *Store) GetSecretValue(in GetSecretValueInput) (GetSecretValueOutput, error) {
	const op = "GetSecretValue"
	if err := Validate(op, in, nil); err != nil {
		return GetSecretValueOutput{}, err
	}
	var v version.Version
	read := func(r *record) (err error) {
		v, err = r.secret.Get(version.ID(in.VersionId), stage.Label(in.VersionStage))
		return opError(op, err)
	}
	_, next, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		if err := read(r); err != nil {
			return nil, err
		}
		day := now.UTC().Truncate(24 * time.Hour)
		if r.meta.lastAccessed.Equal(day) && r.meta.accessed[v.ID()].Equal(day) {
			return r, nil
		}
		n := r.cloneMeta()
		n.meta.lastAccessed = day
		n.meta.accessed = make(map[version.ID]time.Time, len(r.meta.accessed)+1)
		for id, t := range r.meta.accessed {
			if _, ok := r.secret.Version(id); ok {
				n.meta.accessed[id] = t
			}
		}
		n.meta.accessed[v.ID()] = day
		n.touched = []version.ID{v.ID()}
		return n, nil
	})
	if errors.Is(err, stagelabel.ErrInternalService) { // only the record of the read failed
		if _, next, err = st.current(op, in.SecretId, false, st.now()); err == nil {
			err = read(next)
		}
	}
	if err != nil {
		return GetSecretValueOutput{}, err
	}
	out := GetSecretValueOutput{ARN: next.secret.ARN(), Name: next.secret.Name(), VersionId: string(v.ID()),
		VersionStages: names(next.secret.Labels(v.ID())), CreatedDate: Time{v.Created()}}
	if s, ok := v.SecretString(); ok {
		out.SecretString = &s
	}
	out.SecretBinary, _ = v.SecretBinary()
	return out, nil
}

// UpdateSecretVersionStageInput is the input of UpdateSecretVersionStage.
type UpdateSecretVersionStageInput struct {
	SecretId            string `aws:"secretId,len=1..2048"`
	VersionStage        string `aws:"versionStage,len=1..256"`
	RemoveFromVersionId string `aws:"removeFromVersionId,omitempty,len=32..64"`
	MoveToVersionId     string `aws:"moveToVersionId,omitempty,len=32..64"`
}

// UpdateSecretVersionStageOutput is the output of UpdateSecretVersionStage:
// the ARN and name only, no VersionId [R].
type UpdateSecretVersionStageOutput struct {
	ARN  string `json:",omitzero"`
	Name string `json:",omitzero"`
}

// UpdateSecretVersionStage moves a staging label as
// [secret.Secret.MoveLabel] describes.
func (st *Store) UpdateSecretVersionStage(in UpdateSecretVersionStageInput) (UpdateSecretVersionStageOutput, error) {
	const op = "UpdateSecretVersionStage"
	if err := Validate(op, in, nil); err != nil {
		return UpdateSecretVersionStageOutput{}, err
	}
	old, next, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		s, err := r.secret.MoveLabel(stage.Label(in.VersionStage), version.ID(in.RemoveFromVersionId), version.ID(in.MoveToVersionId))
		if err != nil {
			return nil, opError(op, err)
		}
		if s.Equal(r.secret) {
			return r, nil
		}
		var n *record
		if completes(r.secret, stage.Label(in.VersionStage), version.ID(in.MoveToVersionId)) {
			n = r.cloneMeta()
			n.meta.rotation.lastRotated = now // a rotation ended (§RT11)
		} else {
			n = r.clone()
		}
		n.secret, n.lastChanged = s, now
		return n, nil
	})
	if err != nil {
		return UpdateSecretVersionStageOutput{}, err
	}
	st.report(op, old, next, "")
	return UpdateSecretVersionStageOutput{ARN: next.secret.ARN(), Name: next.secret.Name()}, nil
}

// DeleteSecretInput is the input of DeleteSecret.
type DeleteSecretInput struct {
	SecretId                   string `aws:"secretId,len=1..2048"`
	RecoveryWindowInDays       *int64 // nil: 30; 7 to 30 is not the model's constraint, but DeleteSecret's rule
	ForceDeleteWithoutRecovery bool
}

// DeleteSecretOutput is the output of DeleteSecret.
type DeleteSecretOutput struct {
	ARN          string `json:",omitzero"`
	Name         string `json:",omitzero"`
	DeletionDate Time   `json:",omitzero"`
}

// DeleteSecret schedules a secret's deletion after a recovery window of 7 to
// 30 days (30 by default), or with ForceDeleteWithoutRecovery deletes it at
// once [D] (§X1), a secret already scheduled included [M] (§X12). While
// scheduled, the secret's value and label operations fail with
// InvalidRequestException ([R] for GetSecretValue, §X3; [M] for the others,
// §X4); DescribeSecret shows DeletedDate; RestoreSecret undoes it [R] (§X5, §X6).
//
// Errors [M]: both a window and ForceDeleteWithoutRecovery,
// InvalidParameterException "You can't use ForceDeleteWithoutRecovery in
// conjunction with RecoveryWindowInDays."; a window outside 7 to 30,
// InvalidParameterException "The RecoveryWindowInDays value must be
// between 7 and 30 days (inclusive)."; deleting a scheduled secret again
// with a window, InvalidRequestException (marked for deletion).
func (st *Store) DeleteSecret(in DeleteSecretInput) (DeleteSecretOutput, error) {
	const op = "DeleteSecret"
	if err := Validate(op, in, nil); err != nil {
		return DeleteSecretOutput{}, err
	}
	days := int64(MaxRecoveryDays)
	switch {
	case in.RecoveryWindowInDays != nil && in.ForceDeleteWithoutRecovery:
		return DeleteSecretOutput{}, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
			Message: "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."}
	case in.RecoveryWindowInDays != nil:
		days = *in.RecoveryWindowInDays
		if days < MinRecoveryDays || days > MaxRecoveryDays {
			return DeleteSecretOutput{}, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
				Message: "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."}
		}
	}
	old, next, err := st.update(op, in.SecretId, in.ForceDeleteWithoutRecovery, func(r *record, now time.Time) (*record, error) {
		if len(r.meta.replicas) > 0 { // [R] (docs/semantics.md §RP)
			regions := make([]string, len(r.meta.replicas))
			for i, s := range r.meta.replicas {
				regions[i] = s.Region
			}
			return nil, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
				Message: fmt.Sprintf("You can't delete secret %s that still has replica regions [%s].", r.secret.ARN(), strings.Join(regions, ", "))}
		}
		n := r.cloneMeta()
		n.meta.deletedDate = now
		if in.ForceDeleteWithoutRecovery {
			n.meta.purged, n.meta.deleteAt = true, now
		} else {
			n.meta.deleteAt = now.Add(time.Duration(days) * 24 * time.Hour)
		}
		return n, nil
	})
	if in.ForceDeleteWithoutRecovery && errors.Is(err, stagelabel.ErrResourceNotFound) {
		return st.deleteMissing(in.SecretId)
	}
	if err != nil {
		return DeleteSecretOutput{}, err
	}
	st.report(op, old, next, "")
	return DeleteSecretOutput{ARN: next.secret.ARN(), Name: next.secret.Name(), DeletionDate: Time{next.meta.deleteAt}}, nil
}

// deleteMissing answers a DeleteSecret with ForceDeleteWithoutRecovery of
// a secret that does not exist: a success with ARN, Name and DeletionDate
// (LocalStack's AWS-validated
// test_delete_non_existent_secret_returns_as_if_secret_exists) [R] (§X10), that
// changes nothing. What they hold is stagelabel's [M] (§X11): for an ARN, that
// ARN and the name in it; for a name, that name and an ARN as CreateSecret
// would give it; DeletionDate is now.
func (st *Store) deleteMissing(secretID string) (DeleteSecretOutput, error) {
	out := DeleteSecretOutput{ARN: secretID, Name: secretID, DeletionDate: Time{st.now()}}
	if after, ok := strings.CutPrefix(secretID, "arn:"); ok {
		_, name, _ := strings.Cut(after, ":secret:")
		if i := len(name) - suffixLen - 1; i > 0 && name[i] == '-' && isAlphanumeric(name[i+1:]) {
			name = name[:i] // a full ARN ends in -<6 letters or digits>
		}
		out.Name = name
		return out, nil
	}
	arn, err := st.newARN("DeleteSecret", secretID)
	out.ARN = arn
	return out, err
}

// RestoreSecretInput is the input of RestoreSecret.
type RestoreSecretInput struct {
	SecretId string `aws:"secretId,len=1..2048"`
}

// RestoreSecretOutput is the output of RestoreSecret.
type RestoreSecretOutput struct {
	ARN  string `json:",omitzero"`
	Name string `json:",omitzero"`
}

// RestoreSecret cancels a scheduled deletion [R]; on a secret not scheduled
// for deletion it changes nothing [M].
func (st *Store) RestoreSecret(in RestoreSecretInput) (RestoreSecretOutput, error) {
	const op = "RestoreSecret"
	if err := Validate(op, in, nil); err != nil {
		return RestoreSecretOutput{}, err
	}
	old, next, err := st.update(op, in.SecretId, true, func(r *record, now time.Time) (*record, error) {
		if r.meta.deleteAt.IsZero() {
			return r, nil
		}
		n := r.cloneMeta()
		n.meta.deleteAt, n.meta.deletedDate, n.lastChanged = time.Time{}, time.Time{}, now
		return n, nil
	})
	if err != nil {
		return RestoreSecretOutput{}, err
	}
	st.report(op, old, next, "")
	return RestoreSecretOutput{ARN: next.secret.ARN(), Name: next.secret.Name()}, nil
}

// opError gives an error from package secret the store's operation name;
// any other error passes through.
func opError(op string, err error) error {
	var e *stagelabel.Error
	if errors.As(err, &e) {
		c := *e
		c.Op = op
		return &c
	}
	return err
}

func noToken(op string, code stagelabel.Code) error {
	return &stagelabel.Error{Op: op, Code: code, Message: "You must provide a ClientRequestToken value. We recommend a UUID-type value."}
}

// newVersion checks a value and the token of the version to hold it. With
// required, a missing value is InvalidRequestException [M] (§V14).
func newVersion(op, token string, text *string, binary []byte, required bool) (version.Version, bool, error) {
	switch {
	case text != nil && binary != nil:
		return version.Version{}, false, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
			Message: "You can't specify both a binary secret value and a string secret value in the same secret."}
	case text == nil && binary == nil && required:
		return version.Version{}, false, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidRequest,
			Message: "You must provide either SecretString or SecretBinary."}
	case text == nil && binary == nil:
		return version.Version{}, false, nil
	case text != nil:
		return version.New(version.ID(token), version.WithString(*text)), true, nil
	}
	return version.New(version.ID(token), version.WithBinary(binary)), true, nil
}

// adds reports whether a Put of version id on s, if it succeeds, adds or
// fills a version: one of an id that holds a value already changes
// nothing. It costs nothing like comparing the secrets would.
func adds(s secret.Secret, id version.ID) bool {
	v, ok := s.Version(id)
	return !ok || !v.HasValue()
}

// labels converts a VersionStages list.
func labels(in []string) []stage.Label {
	if in == nil {
		return nil
	}
	out := make([]stage.Label, len(in))
	for i, l := range in {
		out[i] = stage.Label(l)
	}
	return out
}

// names converts labels for an output.
func names(ls []stage.Label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = string(l)
	}
	return out
}

func sortMoves(ms []Move) {
	slices.SortFunc(ms, func(a, b Move) int { return a.Label.Compare(b.Label) })
}
