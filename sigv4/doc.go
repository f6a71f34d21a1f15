// Package sigv4 reads and checks the AWS Signature Version 4 that a
// request to an AWS service carries, as the service's front does, so that
// an emulator can tell who a request comes from and refuse one that is not
// signed by a key it knows. It uses the standard library only.
//
// # Reading
//
// A request says who signed it either in its Authorization header,
//
//	AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request, SignedHeaders=host;x-amz-date, Signature=<hex>
//
// with the time in an X-Amz-Date (or Date) header, or, presigned, in the
// query parameters X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-SignedHeaders, X-Amz-Signature and X-Amz-Expires. [Parse] reads
// either form into an [Auth] without checking it; [Identify] reads only
// the [Credential] (the key id and the region), without allocating, for a
// front that wants the caller's identity on every request.
//
// # Checking
//
// [Verifier.Verify] checks a request against a set of secret keys
// ([Credentials], which [ParseCredentials] reads from an AWS shared
// credentials file): it rebuilds the canonical request from the method,
// the path, the query, the signed headers and the hash of the body, the
// string to sign and the signing key derived from the secret key and the
// scope, and compares the signature in constant time. [Sign] signs a
// request the same way, for tests and clients.
//
// # Errors
//
// Every refusal is a *[stagelabel.Error] whose code is one of AWS's:
// [ErrMissingAuthenticationToken], [ErrIncompleteSignature],
// [ErrInvalidSignature] or [ErrUnrecognizedClient], with AWS's message,
// checked in the order AWS checks them (docs/semantics.md §A4). AWS's JSON
// services answer all of them with HTTP 400 (§A5). No error, String method
// or log line of this package holds a secret key or a signature (§A21).
//
// # Evidence
//
// The texts and their order are those AWS's JSON-protocol front (the one
// Secrets Manager and DynamoDB share) answers: recorded [R] where a
// Secrets Manager answer was quoted (an unknown key, a signature that does
// not match, with its canonical request, and a signature more than five
// minutes old); recorded on DynamoDB by the emulator dynalite and modeled
// [M] for Secrets Manager for the rest. Canonicalization follows AWS's
// published Signature Version 4 test suite, which the tests replay.
// docs/semantics.md §A gives each rule with its grade and its source.
package sigv4
