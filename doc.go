// Package stagelabel is a reference implementation of the version and
// staging-label semantics of AWS Secrets Manager: which version of a secret
// carries AWSCURRENT, AWSPREVIOUS and AWSPENDING, what
// UpdateSecretVersionStage, PutSecretValue and RotateSecret do to them, and
// which calls fail with which AWS error.
//
// This package holds the AWS error codes and the error type every
// operation returns. The model lives in the packages below it:
// [github.com/stagelabel/stagelabel/stage] (labels),
// [github.com/stagelabel/stagelabel/version] (versions) and
// [github.com/stagelabel/stagelabel/secret] (a secret and its operations);
// [github.com/stagelabel/stagelabel/store] holds many secrets and applies
// the Secrets Manager operations to them, safely from many goroutines.
//
// # Versions
//
// A secret is a list of versions, oldest first. Each version has an id (the
// ClientRequestToken of the call that made it), a creation time and a
// payload, a SecretString or a SecretBinary. RotateSecret makes a version
// without a payload, which reading treats as missing until PutSecretValue
// fills it. Versions are never changed once made, except for that filling.
//
// # Staging labels
//
// A staging label names one version: a label is attached to at most one
// version of a secret, and a secret carries at most 20 distinct labels.
// Once a secret has a version, exactly one version carries AWSCURRENT,
// the version readers get by default. AWSCURRENT can be moved but never
// removed, and whenever it moves, AWSPREVIOUS moves to the version it
// left. AWSPENDING marks the version a rotation is preparing. Every other
// label, even one beginning with "AWS", is a custom label that only moves
// when a call names it.
//
// # Deprecation and pruning
//
// A version without labels is deprecated. It still exists: it can be read
// by id and labelled again. Secrets Manager removes deprecated versions
// only when a secret has more than 100 versions, and never one younger than
// a day; a removed version's id then gives InvalidRequestException.
//
// # Errors
//
// Every failed operation returns an *[Error] carrying the AWS error code
// and the exact AWS message, and changes nothing. Its [Code] is itself an
// error, so errors.Is(err, [ErrInvalidParameter]) tells the category. No
// error, String method or fmt verb prints a secret's payload.
//
// # Evidence
//
// Each behaviour is documented with the grade of the evidence for it:
//   - [R] recorded: captured from the live service, or AWS output quoted
//     verbatim by users and tools;
//   - [D] documented: stated by the AWS API reference or user guide;
//   - [M] modeled: AWS's behaviour is not known, and stagelabel chose it.
//     A later recording may change it.
//
// The reference docs/semantics.md gives every rule with its grade and its
// source; comments cite its rules by id, such as §L2.
package stagelabel
