package sigv4

import (
	"fmt"
	"strings"
	"time"

	"github.com/stagelabel/stagelabel"
)

// The codes of AWS's errors for a request that is not signed as it must
// be. AWS's JSON services answer each with HTTP 400 [R] (docs/semantics.md
// §A5).
const (
	// ErrMissingAuthenticationToken: the request carries no signature (no
	// Authorization header beginning with "AWS4-", no presigned query;
	// §A6).
	ErrMissingAuthenticationToken stagelabel.Code = "MissingAuthenticationTokenException"
	// ErrIncompleteSignature: the signature lacks a part, or a part is not
	// of its form (§A7, §A11, §A13).
	ErrIncompleteSignature stagelabel.Code = "IncompleteSignatureException"
	// ErrInvalidSignature: the signature is whole but wrong: out of date,
	// scoped elsewhere, or not the one the secret key gives (§A8-§A10,
	// §A12, §A14, §A16, §A17).
	ErrInvalidSignature stagelabel.Code = "InvalidSignatureException"
	// ErrUnrecognizedClient: the access key id, or the session token, is
	// not one the service knows (§A15, §A18).
	ErrUnrecognizedClient stagelabel.Code = "UnrecognizedClientException"
)

// Messages AWS words for the cases, quoted from Secrets Manager's answers
// [R] where one was found, else from DynamoDB's (dynalite's recordings)
// [M].
const (
	msgMissingToken = "Request is missing Authentication Token" // §A6
	// msgUnknownKey is Secrets Manager's for an unknown access key id [R]
	// (§A15).
	msgUnknownKey = "The security token included in the request is invalid."
	// msgBadToken is DynamoDB's for a session token it does not know,
	// without the full stop [M] (§A18).
	msgBadToken = "The security token included in the request is invalid"
	// msgMismatch begins Secrets Manager's answer to a signature that is
	// not the one the secret key gives; the canonical request and the
	// string to sign follow it [R] (§A17).
	msgMismatch     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgBoth         = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header." // §A8
	msgHostUnsigned = "'Host' must be a 'SignedHeader' in the AWS Authorization."                                // §A12
	// msgContentSHA256 is S3's for a body that does not hash to its
	// X-Amz-Content-Sha256 [M] (§A16).
	msgContentSHA256 = "The provided 'x-amz-content-sha256' header does not match what was computed."
)

// refuse returns the error of code with message msg.
func refuse(code stagelabel.Code, msg string) error {
	return &stagelabel.Error{Code: code, Message: msg}
}

// mismatch returns the InvalidSignatureException of a signature that is
// not the one the secret key gives, showing the canonical request and the
// string to sign the service computed, as AWS does [R] (§A17).
func mismatch(canonical, toSign string) error {
	return refuse(ErrInvalidSignature, msgMismatch+
		"\n\nThe Canonical String for this request should have been\n'"+canonical+
		"'\n\nThe String-to-Sign should have been\n'"+toSign+"'\n")
}

// stamp is the ISO 8601 basic format of a signature's time.
const stamp = "20060102T150405Z"

// expired returns the InvalidSignatureException of a signature made at
// signed, more than skew before now: "Signature expired: 20251105T220858Z
// is now earlier than 20251106T132108Z (20251106T132608Z - 5 min.)" [R]
// (§A9).
func expired(signed, now time.Time, skew time.Duration) error {
	return refuse(ErrInvalidSignature, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s.)",
		signed.Format(stamp), now.Add(-skew).Format(stamp), now.Format(stamp), minutes(skew)))
}

// notYet returns the InvalidSignatureException of a signature made at
// signed, more than skew after now: "Signature not yet current:
// 20181017T093750Z is still later than 20181017T093639Z (20181017T093139Z
// + 5 min.)": AWS's text, recorded from another service; Secrets Manager's
// [M] (§A10).
func notYet(signed, now time.Time, skew time.Duration) error {
	return refuse(ErrInvalidSignature, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s.)",
		signed.Format(stamp), now.Add(skew).Format(stamp), now.Format(stamp), minutes(skew)))
}

// minutes words d as AWS does in these messages: "5 min", or seconds for
// a presigned request's expiry that is not whole minutes [M] (§A11).
func minutes(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return fmt.Sprintf("%d sec", d/time.Second)
}

// redacted returns an Authorization header with the value of its
// Signature parameter replaced, for the messages that quote the header:
// AWS quotes it whole, a signature included; this package quotes no
// signature [M] (§A21).
func redacted(header string) string {
	var b strings.Builder
	for {
		i := strings.Index(header, "Signature=")
		if i < 0 {
			b.WriteString(header)
			return b.String()
		}
		i += len("Signature=")
		end := strings.IndexAny(header[i:], ", \t")
		if end < 0 {
			end = len(header) - i
		}
		b.WriteString(header[:i])
		b.WriteString("<redacted>")
		header = header[i+end:]
	}
}
