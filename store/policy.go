package store

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/stagelabel/stagelabel"
)

// MaxPolicyLen is the longest resource policy, in characters [D].
const MaxPolicyLen = 20480

// PutResourcePolicyInput is the input of PutResourcePolicy.
type PutResourcePolicyInput struct {
	SecretId          string
	ResourcePolicy    string
	BlockPublicPolicy bool // accepted; stagelabel does not judge policies [M]
}

// PutResourcePolicyOutput is the output of PutResourcePolicy.
type PutResourcePolicyOutput struct {
	ARN  string `json:",omitzero"`
	Name string `json:",omitzero"`
}

// PutResourcePolicy attaches a resource policy to a secret, replacing the
// one it had [D], and moves LastChangedDate if the policy changed [M].
// Stagelabel keeps the policy as given and checks only that it is a JSON
// object; anything else is MalformedPolicyDocumentException "This resource
// policy contains a syntax error." (the text AWS's user guide gives for a
// policy's syntax error [D], as this exception's message [M]; §P3). A policy
// longer than 20480 characters, ValidationException [M]; a secret
// scheduled for deletion, InvalidRequestException [M]. What
// [Store.ValidateResourcePolicy] checks beyond that, it does not.
func (st *Store) PutResourcePolicy(in PutResourcePolicyInput) (PutResourcePolicyOutput, error) {
	const op = "PutResourcePolicy"
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
	SecretId string
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
	r, err := st.setPolicy("DeleteResourcePolicy", in.SecretId, "")
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
	SecretId string
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
	_, r, err := st.current("GetResourcePolicy", in.SecretId, true, st.now())
	if err != nil {
		return GetResourcePolicyOutput{}, err
	}
	return GetResourcePolicyOutput{ARN: r.secret.ARN(), Name: r.secret.Name(), ResourcePolicy: r.meta.policy}, nil
}

// checkPolicy checks a policy to put or validate: ValidationException
// outside 1 to MaxPolicyLen characters, else
// MalformedPolicyDocumentException unless it is a JSON object.
func checkPolicy(op, policy string) error {
	if err := stagelabel.ValidationError(op, stagelabel.LengthViolation("resourcePolicy", policy, 1, MaxPolicyLen)); err != nil {
		return err
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal([]byte(policy), &doc) != nil || doc == nil {
		return &stagelabel.Error{Op: op, Code: stagelabel.ErrMalformedPolicyDocument, Message: msgSyntax}
	}
	return nil
}

// ValidateResourcePolicyInput is the input of ValidateResourcePolicy.
type ValidateResourcePolicyInput struct {
	SecretId       string // the secret the policy is for; "" for none
	ResourcePolicy string
}

// ValidateResourcePolicyOutput is the output of ValidateResourcePolicy.
// ValidationErrors is never nil, so that the list is sent even when the
// policy passes, as AWS's example shows it [D] (§VP10).
type ValidateResourcePolicyOutput struct {
	PolicyValidationPassed bool                    // sent when false too [M] (§VP11)
	ValidationErrors       []ValidationErrorsEntry `json:",omitzero"`
}

// ValidationErrorsEntry is one check a policy failed: the check's name and
// what is wrong [D].
type ValidationErrorsEntry struct {
	CheckName    string `json:",omitzero"`
	ErrorMessage string `json:",omitzero"`
}

// The checks ValidateResourcePolicy reports, by the names it reports them
// under [M], and their messages, those AWS's user guide gives for a
// policy's syntax error, broad access and lockout [D] (§VP6).
const (
	CheckSyntax      = "SyntaxCheck"
	CheckBroadAccess = "BroadAccessCheck"
	CheckLockout     = "LockoutCheck"

	msgSyntax      = "This resource policy contains a syntax error."
	msgBroadAccess = "This resource policy grants broad access to your secret. Secrets Manager does not allow creating and applying such policies in the console."
	msgLockout     = "Your requested changes will not allow you to manage this secret in the future."
)

// ValidateResourcePolicy checks a resource policy without attaching it
// [D] (§VP3). AWS checks its syntax, that it grants no broad access (an automated
// reasoning engine) and that it locks no caller out [D]; stagelabel, with
// no IAM, checks what the policy's text shows, and reports each check the
// policy fails, once, in ValidationErrors, PolicyValidationPassed false
// [M] (§VP6; moto, unverified, fails the call with
// MalformedPolicyDocumentException for a syntax error instead):
//
//   - CheckSyntax: the elements of the IAM policy grammar [D]: only
//     Version ("2012-10-17" or "2008-10-17"), Id and Statement at the top,
//     Statement an object or a non-empty list of objects; in a statement
//     only Sid, Effect, Principal, NotPrincipal, Action, NotAction,
//     Resource, NotResource and Condition; Effect "Allow" or "Deny"; one
//     of Principal and NotPrincipal (a resource policy names its
//     principals [D]), of Action and NotAction, of Resource and
//     NotResource; a principal "*" or an object of AWS, Service, Federated
//     and CanonicalUser; actions "*" or "<service>:<action>"; Condition an
//     object of operators, each an object of keys; every other value a
//     string or a non-empty list of strings. A policy failing it is
//     checked no further (§VP7).
//   - CheckBroadAccess: a statement allowing any principal ("*") with no
//     Condition, the case AWS's user guide shows; broad access only
//     reasoning finds passes [M] (§VP8, §VP9).
//   - CheckLockout: a statement denying any principal every action ("*"
//     or "secretsmanager:*") with no Condition, the case AWS's user guide
//     shows; lockouts only IAM could find pass [M] (§VP8, §VP9).
//
// Principals are not looked up, so an unknown principal, which AWS
// refuses [D], passes (§VP9).
//
// Errors: a policy of more than 20480 characters or none,
// ValidationException [M] (§VP4); one that is not a JSON object,
// MalformedPolicyDocumentException "This resource policy contains a syntax
// error." [M], as for PutResourcePolicy; a SecretId that is neither an
// ARN nor made of a name's characters, ValidationException "Invalid name.
// Must be a valid name containing alphanumeric characters, or any of the
// following: -/_+=.@!" [R] (§VP2); no such secret, ResourceNotFoundException
// "Secrets Manager can't find the specified secret." [M]; a secret
// scheduled for deletion, InvalidRequestException, as PutResourcePolicy
// refuses it [M] (§VP5).
func (st *Store) ValidateResourcePolicy(in ValidateResourcePolicyInput) (ValidateResourcePolicyOutput, error) {
	const op = "ValidateResourcePolicy"
	if err := checkPolicy(op, in.ResourcePolicy); err != nil {
		return ValidateResourcePolicyOutput{}, err
	}
	if in.SecretId != "" {
		if _, _, err := st.current(op, in.SecretId, false, st.now()); err != nil {
			return ValidateResourcePolicyOutput{}, err
		}
	}
	failed := policyFindings(in.ResourcePolicy)
	return ValidateResourcePolicyOutput{PolicyValidationPassed: len(failed) == 0, ValidationErrors: failed}, nil
}

// policyFindings returns the checks policy, a JSON object, fails, as
// ValidateResourcePolicy describes them; an empty list when none.
func policyFindings(policy string) []ValidationErrorsEntry {
	failed := []ValidationErrorsEntry{}
	var doc map[string]any
	if json.Unmarshal([]byte(policy), &doc) != nil || !validPolicy(doc) {
		return append(failed, ValidationErrorsEntry{CheckSyntax, msgSyntax})
	}
	broad, lockout := false, false
	for _, s := range statements(doc["Statement"]) {
		if _, conditional := s["Condition"]; conditional || !anyone(s["Principal"]) {
			continue
		}
		switch s["Effect"] {
		case "Allow":
			broad = true
		case "Deny":
			lockout = lockout || slices.ContainsFunc(stringList(s["Action"]), func(a string) bool { return a == "*" || a == "secretsmanager:*" })
		}
	}
	if broad {
		failed = append(failed, ValidationErrorsEntry{CheckBroadAccess, msgBroadAccess})
	}
	if lockout {
		failed = append(failed, ValidationErrorsEntry{CheckLockout, msgLockout})
	}
	return failed
}

// validPolicy reports whether doc follows the IAM policy grammar as far as
// ValidateResourcePolicy checks it.
func validPolicy(doc map[string]any) bool {
	for k, v := range doc {
		switch k {
		case "Version":
			if v != "2012-10-17" && v != "2008-10-17" {
				return false
			}
		case "Id":
			if _, ok := v.(string); !ok {
				return false
			}
		case "Statement":
		default:
			return false
		}
	}
	ss := statements(doc["Statement"])
	return len(ss) > 0 && !slices.ContainsFunc(ss, func(s map[string]any) bool { return s == nil || !validStatement(s) })
}

// statements returns the statements of a Statement element: itself, or
// the members of a list, nil for those that are not objects; nil if it is
// neither an object nor a list.
func statements(v any) []map[string]any {
	switch v := v.(type) {
	case map[string]any:
		return []map[string]any{v}
	case []any:
		ss := make([]map[string]any, len(v))
		for i, s := range v {
			ss[i], _ = s.(map[string]any)
		}
		return ss
	}
	return nil
}

// validStatement reports whether s is a statement of a resource policy.
func validStatement(s map[string]any) bool {
	for k, v := range s {
		var ok bool
		switch k {
		case "Sid":
			_, ok = v.(string)
		case "Effect":
			ok = v == "Allow" || v == "Deny"
		case "Principal", "NotPrincipal":
			ok = validPrincipal(v)
		case "Action", "NotAction":
			values := stringList(v)
			ok = values != nil && !slices.ContainsFunc(values, func(a string) bool { return !validAction(a) })
		case "Resource", "NotResource":
			ok = stringList(v) != nil
		case "Condition":
			ok = validCondition(v)
		}
		if !ok {
			return false
		}
	}
	one := func(a, b string) bool {
		_, hasA := s[a]
		_, hasB := s[b]
		return hasA != hasB
	}
	_, effect := s["Effect"]
	return effect && one("Principal", "NotPrincipal") && one("Action", "NotAction") && one("Resource", "NotResource")
}

// validPrincipal reports whether v is "*" or an object of principal types,
// each naming principals.
func validPrincipal(v any) bool {
	if v == "*" {
		return true
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return false
	}
	for k, names := range m {
		switch k {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return false
		}
		if stringList(names) == nil {
			return false
		}
	}
	return true
}

// validAction reports whether a is "*" or "<service>:<action>", the service
// of letters, digits and hyphens.
func validAction(a string) bool {
	if a == "*" {
		return true
	}
	service, action, ok := strings.Cut(a, ":")
	return ok && service != "" && action != "" && strings.Trim(service, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == ""
}

// validCondition reports whether v is an object of operators, each an
// object of keys, each naming values.
func validCondition(v any) bool {
	ops, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, keys := range ops {
		keys, ok := keys.(map[string]any)
		if !ok {
			return false
		}
		for _, values := range keys {
			if !conditionValues(values) {
				return false
			}
		}
	}
	return true
}

// conditionValues reports whether v is a condition's value, a string, a
// number or a boolean, or a non-empty list of them.
func conditionValues(v any) bool {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	for _, x := range list {
		switch x.(type) {
		case string, float64, bool:
		default:
			return false
		}
	}
	return len(list) > 0
}

// anyone reports whether a Principal element names every principal: "*",
// or "*" among its AWS principals.
func anyone(v any) bool {
	if v == "*" {
		return true
	}
	m, _ := v.(map[string]any)
	return slices.Contains(stringList(m["AWS"]), "*")
}

// stringList returns the strings of an element that is a string or a
// non-empty list of strings, nil for anything else.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, len(v))
		for i, s := range v {
			var ok bool
			if out[i], ok = s.(string); !ok {
				return nil
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}
