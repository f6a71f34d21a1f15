package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stagelabel/stagelabel"
)

// MaxBatchSecrets is the most secrets BatchGetSecretValue reads in one
// call: ids in SecretIdList, and MaxResults [D] (§B1).
const MaxBatchSecrets = 20

// BatchGetSecretValueInput is the input of BatchGetSecretValue. It names
// the secrets to read with SecretIdList or with Filters, not both; a nil
// list is a member not given, an empty one a member given empty.
type BatchGetSecretValueInput struct {
	SecretIdList []string `aws:"secretIdList,omitempty,count=1..20,len=1..2048"` // names or ARNs
	Filters      []Filter `aws:"filters,count=0..10"`                            // as ListSecrets takes them
	MaxResults   *int32   `aws:"maxResults,range=1..20"`                         // only with Filters; nil: 20
	NextToken    string   `aws:"nextToken,omitempty,len=1..4096"`
}

// BatchGetSecretValueOutput is the output of BatchGetSecretValue. It holds
// secret material: its String and Format never print it. SecretValues and
// Errors are never nil, so that both lists are sent, empty or not [M] (§B8).
type BatchGetSecretValueOutput struct {
	SecretValues []SecretValueEntry `json:",omitzero"`
	Errors       []SecretValueError `json:",omitzero"`
	NextToken    string             `json:",omitzero"`
}

// String returns the output without the secrets' SecretString and
// SecretBinary.
func (o BatchGetSecretValueOutput) String() string {
	values := make([]string, len(o.SecretValues))
	for i, e := range o.SecretValues {
		values[i] = e.String()
	}
	return fmt.Sprintf("{SecretValues:[%s] Errors:%v NextToken:%s}", strings.Join(values, " "), o.Errors, o.NextToken)
}

// Format makes every fmt verb print o as [BatchGetSecretValueOutput.String]
// does.
func (o BatchGetSecretValueOutput) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), o.String())
}

// SecretValueEntry is one secret's value in BatchGetSecretValue: the
// members GetSecretValue gives of the secret's current version [D] (§B2). It
// holds secret material: its String and Format never print it.
type SecretValueEntry struct {
	ARN           string   `json:",omitzero"`
	Name          string   `json:",omitzero"`
	VersionId     string   `json:",omitzero"`
	SecretString  *string  `json:",omitzero"`
	SecretBinary  []byte   `json:",omitzero"`
	VersionStages []string `json:",omitzero"`
	CreatedDate   Time     `json:",omitzero"`
}

// String returns the entry without its SecretString and SecretBinary.
func (e SecretValueEntry) String() string { return GetSecretValueOutput(e).String() }

// Format makes every fmt verb print e as [SecretValueEntry.String] does.
func (e SecretValueEntry) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), e.String())
}

// SecretValueError is one secret that BatchGetSecretValue could not read
// (AWS's APIErrorType): the SecretId as given, or the name of a secret
// that Filters chose, and the code and message of the error GetSecretValue
// would have failed with.
type SecretValueError struct {
	SecretId  string `json:",omitzero"`
	ErrorCode string `json:",omitzero"`
	Message   string `json:",omitzero"`
}

// BatchGetSecretValue reads the current value of up to 20 secrets, each as
// GetSecretValue reads it without VersionId or VersionStage, recording the
// day of the read (LastAccessedDate) as GetSecretValue does: AWS logs a
// GetSecretValue for each secret read [D]; that it records the read too is
// stagelabel's [M] (§B3).
//
// With SecretIdList, the secrets are read in the order of the list, and a
// SecretId given twice is read twice [M] (§B4). With Filters, they are those
// ListSecrets lists for the same filters, in its default order
// (CreatedDate, then name), secrets scheduled for deletion left out [M];
// a page holds MaxResults secrets, 20 by default [M], and NextToken
// continues the listing as ListSecrets' does. The listing and the reads
// are not one instant: a secret changed or deleted between them is read
// as it is then (§B5).
//
// A secret that cannot be read fails alone: it is an entry of Errors, not
// an error of the call [D] (§B6), with the code and message GetSecretValue gives
// [M]: no such secret, ResourceNotFoundException "Secrets Manager can't
// find the specified secret." (moto's unverified tests agree); a secret
// scheduled for deletion, InvalidRequestException "You can't perform this
// operation on the secret because it was marked for deletion." (moto
// agrees on the code); no version carrying AWSCURRENT,
// ResourceNotFoundException "Secrets Manager can't find the specified
// secret value for staging label: AWSCURRENT"; a SecretId that is neither
// an ARN nor made of a name's characters, ValidationException "Invalid
// name. Must be a valid name containing alphanumeric characters, or any of
// the following: -/_+=.@!" (the texts are recorded for GetSecretValue [R]) (§B7).
//
// Errors of the call: SecretIdList of more than 20 ids or none, an id of
// more than 2048 characters or none, MaxResults outside 1 to 20, filters
// as ListSecrets refuses them: ValidationException (the limits [D], AWS's
// general format [M]; §B9); both SecretIdList and Filters, or neither,
// InvalidParameterException "Either 'SecretIdList' or 'Filters' must be
// provided, but not both." (refused [D], moto's text [M]); MaxResults
// without Filters, InvalidParameterException "'Filters' not specified.
// 'Filters' must also be specified when 'MaxResults' is provided."
// (refused [D], moto's text [M]); a NextToken no listing of the same
// filters gave, or any NextToken with SecretIdList, which never pages,
// InvalidNextTokenException [M] (§B10, §B4).
func (st *Store) BatchGetSecretValue(in BatchGetSecretValueInput) (BatchGetSecretValueOutput, error) {
	const op = "BatchGetSecretValue"
	if err := Validate(op, in, nil); err != nil {
		return BatchGetSecretValueOutput{}, err
	}
	switch {
	case (in.SecretIdList == nil) == (in.Filters == nil):
		return BatchGetSecretValueOutput{}, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
			Message: "Either 'SecretIdList' or 'Filters' must be provided, but not both."}
	case in.MaxResults != nil && in.Filters == nil:
		return BatchGetSecretValueOutput{}, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
			Message: "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."}
	}

	out := BatchGetSecretValueOutput{SecretValues: []SecretValueEntry{}, Errors: []SecretValueError{}}
	if in.SecretIdList != nil {
		if in.NextToken != "" {
			return BatchGetSecretValueOutput{}, badToken(op)
		}
		for _, id := range in.SecretIdList {
			out.read(st, id, id)
		}
		return out, nil
	}
	size := int32(MaxBatchSecrets)
	if in.MaxResults != nil {
		size = *in.MaxResults
	}
	page, err := st.ListSecrets(ListSecretsInput{Filters: in.Filters, MaxResults: &size, NextToken: in.NextToken})
	if err != nil {
		return BatchGetSecretValueOutput{}, opError(op, err)
	}
	for _, e := range page.SecretList {
		out.read(st, e.ARN, e.Name) // by ARN: a secret deleted and made again since is another secret
	}
	out.NextToken = page.NextToken
	return out, nil
}

// read reads the current value of the secret id names into o, or, if it
// cannot, adds the error to o.Errors under the name shown.
func (o *BatchGetSecretValueOutput) read(st *Store, id, shown string) {
	v, err := st.GetSecretValue(GetSecretValueInput{SecretId: id})
	if err == nil {
		o.SecretValues = append(o.SecretValues, SecretValueEntry(v))
		return
	}
	e := SecretValueError{SecretId: shown, ErrorCode: string(stagelabel.ErrInternalService), Message: "An internal error occurred."}
	var se *stagelabel.Error
	if errors.As(err, &se) {
		e.ErrorCode, e.Message = string(se.Code), se.Message
	}
	o.Errors = append(o.Errors, e)
}
