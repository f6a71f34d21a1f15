package store

import (
	"encoding/json"
	"time"

	"github.com/stagelabel/stagelabel"
)

// PutResourcePolicyInput is the input of PutResourcePolicy.
type PutResourcePolicyInput struct {
	SecretId          string `aws:"secretId,len=1..2048"`
	ResourcePolicy    string `aws:"resourcePolicy,len=1..20480"`
	BlockPublicPolicy bool   // accepted; stagelabel does not judge policies [M]
}

// PutResourcePolicyOutput is the output of PutResourcePolicy.
type PutResourcePolicyOutput struct {
	ARN  string `json:",omitzero"`
	Name string `json:",omitzero"`
}

// PutResourcePolicy attaches a resource policy to a secret, replacing the
// one it had [D], and moves LastChangedDate if the policy changed [M]. Stagelabel keeps the policy as given and checks only
// that it is a JSON object; anything else is
// MalformedPolicyDocumentException "This resource policy contains a syntax
// error." [M]. A policy longer than 20480 characters, ValidationException
// (see [Validate]); a secret scheduled for deletion,
// InvalidRequestException [M].
func (st *Store) PutResourcePolicy(in PutResourcePolicyInput) (PutResourcePolicyOutput, error) {
	const op = "PutResourcePolicy"
	if err := Validate(op, in, nil); err != nil {
		return PutResourcePolicyOutput{}, err
	}
	if err := checkPolicy(op, in.ResourcePolicy); err != nil {
		return PutResourcePolicyOutput{}, err
	}
	r, err := st.setPolicy(op, in.SecretId, in.ResourcePolicy)
	if err != nil {
		return PutResourcePolicyOutput{}, err
	}
	return PutResourcePolicyOutput{ARN: r.secret.ARN(), Name: r.secret.Name()}, nil
}

// DeleteResourcePolicyInput is the input of DeleteResourcePolicy.
type DeleteResourcePolicyInput struct {
	SecretId string `aws:"secretId,len=1..2048"`
}

// DeleteResourcePolicyOutput is the output of DeleteResourcePolicy.
type DeleteResourcePolicyOutput struct {
	ARN  string `json:",omitzero"`
	Name string `json:",omitzero"`
}

// DeleteResourcePolicy removes a secret's resource policy [D], moving
// LastChangedDate [M]; a secret without one is no error, and no change
// [M]. A secret scheduled for deletion,
// InvalidRequestException [M].
func (st *Store) DeleteResourcePolicy(in DeleteResourcePolicyInput) (DeleteResourcePolicyOutput, error) {
	const op = "DeleteResourcePolicy"
	if err := Validate(op, in, nil); err != nil {
		return DeleteResourcePolicyOutput{}, err
	}
	r, err := st.setPolicy(op, in.SecretId, "")
	if err != nil {
		return DeleteResourcePolicyOutput{}, err
	}
	return DeleteResourcePolicyOutput{ARN: r.secret.ARN(), Name: r.secret.Name()}, nil
}

// setPolicy sets the policy of the secret secretID names ("" for none),
// moving LastChangedDate if it changed [M], and returns the record it
// leaves.
func (st *Store) setPolicy(op, secretID, policy string) (*record, error) {
	old, next, err := st.update(op, secretID, false, func(r *record, now time.Time) (*record, error) {
		if r.meta.policy == policy {
			return r, nil
		}
		n := r.cloneMeta()
		n.meta.policy, n.lastChanged = policy, now
		return n, nil
	})
	if err != nil {
		return nil, err
	}
	st.report(op, old, next, "")
	return next, nil
}

// GetResourcePolicyInput is the input of GetResourcePolicy.
type GetResourcePolicyInput struct {
	SecretId string `aws:"secretId,len=1..2048"`
}

// GetResourcePolicyOutput is the output of GetResourcePolicy.
// ResourcePolicy is empty, and the member left out, when the secret has
// none [D].
type GetResourcePolicyOutput struct {
	ARN            string `json:",omitzero"`
	Name           string `json:",omitzero"`
	ResourcePolicy string `json:",omitzero"`
}

// GetResourcePolicy returns a secret's resource policy, as it was put. It
// works on a secret scheduled for deletion, as DescribeSecret does [M].
func (st *Store) GetResourcePolicy(in GetResourcePolicyInput) (GetResourcePolicyOutput, error) {
	const op = "GetResourcePolicy"
	if err := Validate(op, in, nil); err != nil {
		return GetResourcePolicyOutput{}, err
	}
	_, r, err := st.current(op, in.SecretId, true, st.now())
	if err != nil {
		return GetResourcePolicyOutput{}, err
	}
	return GetResourcePolicyOutput{ARN: r.secret.ARN(), Name: r.secret.Name(), ResourcePolicy: r.meta.policy}, nil
}

// checkPolicy checks a policy to put, once its length is validated:
// MalformedPolicyDocumentException unless it is a JSON object.
func checkPolicy(op, policy string) error {
	var doc map[string]json.RawMessage
	if json.Unmarshal([]byte(policy), &doc) != nil || doc == nil {
		return &stagelabel.Error{Op: op, Code: stagelabel.ErrMalformedPolicyDocument, Message: "This resource policy contains a syntax error."}
	}
	return nil
}
