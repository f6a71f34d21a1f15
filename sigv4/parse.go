package sigv4

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Algorithm is the signing algorithm this package reads and checks.
const Algorithm = "AWS4-HMAC-SHA256"

// Terminator ends the credential scope of every valid signature.
const Terminator = "aws4_request"

// Credential is the Credential part of a signature: the access key id that
// signed and the scope it signed in, written
// <AccessKeyID>/<Date>/<Region>/<Service>/<Terminator>. The zero
// Credential names no key.
type Credential struct {
	AccessKeyID string
	Date        string // the day of the signature, yyyymmdd
	Region      string // such as "us-east-1"
	Service     string // such as "secretsmanager"
	Terminator  string // "aws4_request" in a valid signature
}

// ParseCredential parses s, the value of Credential= or of
// X-Amz-Credential: exactly five parts separated by slashes, trailing
// slashes ignored as AWS ignores them. The parts are not checked; a
// [Verifier] checks them. It fails with IncompleteSignatureException
// "Credential must have exactly 5 slash-delimited elements, e.g.
// keyid/date/region/service/term, got '<s>'" [M] (docs/semantics.md §A7).
func ParseCredential(s string) (Credential, error) {
	if c, ok := parseCredential(s); ok {
		return c, nil
	}
	return Credential{}, refuse(ErrIncompleteSignature,
		fmt.Sprintf("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", s))
}

// parseCredential is [ParseCredential] without the error, and without
// allocating: the parts are substrings of s.
func parseCredential(s string) (Credential, bool) {
	s = strings.TrimRight(s, "/")
	var c Credential
	var ok bool
	if c.AccessKeyID, s, ok = strings.Cut(s, "/"); !ok {
		return Credential{}, false
	}
	if c.Date, s, ok = strings.Cut(s, "/"); !ok {
		return Credential{}, false
	}
	if c.Region, s, ok = strings.Cut(s, "/"); !ok {
		return Credential{}, false
	}
	if c.Service, c.Terminator, ok = strings.Cut(s, "/"); !ok || strings.Contains(c.Terminator, "/") {
		return Credential{}, false
	}
	return c, true
}

// String returns the credential as a request writes it:
// <AccessKeyID>/<Date>/<Region>/<Service>/<Terminator>. An access key id
// is not secret: AWS writes it in logs and errors.
func (c Credential) String() string {
	return c.AccessKeyID + "/" + c.Scope()
}

// Scope returns the credential scope: <Date>/<Region>/<Service>/<Terminator>.
func (c Credential) Scope() string {
	return c.Date + "/" + c.Region + "/" + c.Service + "/" + c.Terminator
}

// Auth is the signature a request carries, read from it but not checked.
// Its String never shows the signature itself.
type Auth struct {
	Algorithm     string     // "AWS4-HMAC-SHA256" in a valid signature
	Credential    Credential // who signed, and in which scope
	SignedHeaders string     // the names of the signed headers, lower case, separated by semicolons
	Signature     string     // the signature, in hexadecimal
	Date          string     // the time of the signature, yyyymmddThhmmssZ as the request gives it
	Expires       string     // presigned: X-Amz-Expires, in seconds, as written; "" when absent
	Presigned     bool       // whether the signature came in the query parameters
}

// String returns the signature in the form of an Authorization header,
// with "<redacted>" for the signature itself.
func (a Auth) String() string {
	return a.header("<redacted>")
}

// header returns the Authorization header of a, whose Signature is
// written sig.
func (a Auth) header(sig string) string {
	return a.Algorithm + " Credential=" + a.Credential.String() + ", SignedHeaders=" + a.SignedHeaders + ", Signature=" + sig
}

// Authorization header parameters and presigned query parameters.
const (
	headerAuthorization = "Authorization"
	headerDate          = "X-Amz-Date"
	headerToken         = "X-Amz-Security-Token"
	headerContentSHA256 = "X-Amz-Content-Sha256"
	queryAlgorithm      = "X-Amz-Algorithm"
	queryCredential     = "X-Amz-Credential"
	querySignature      = "X-Amz-Signature"
	querySignedHeaders  = "X-Amz-SignedHeaders"
	queryDate           = "X-Amz-Date"
	queryExpires        = "X-Amz-Expires"
	queryToken          = "X-Amz-Security-Token"
)

// ParseAuthorization parses the value of an Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=<credential>, SignedHeaders=<names>, Signature=<hex>
//
// Parameters are separated by commas or blanks; the first of each name
// counts, and unknown ones are ignored. The result has no Date: that is in another header ([Parse]
// reads it). It fails with
//   - MissingAuthenticationTokenException "Request is missing
//     Authentication Token" for a header that does not begin with "AWS4-"
//     [M] (docs/semantics.md §A6);
//   - IncompleteSignatureException "'<part>' not a valid key=value pair
//     (missing equal-sign) in Authorization header: '<header>'." [M];
//   - IncompleteSignatureException "Authorization header requires
//     'Credential' parameter. Authorization header requires 'Signature'
//     parameter. ... Authorization=<header>" naming each parameter
//     missing or empty [M] (§A7);
//   - the error of [ParseCredential].
//
// The messages quote the header with its signature replaced by
// "<redacted>" (AWS quotes it whole) [M] (§A21).
func ParseAuthorization(header string) (Auth, error) {
	a, cred, missing, err := parseHeader(header)
	switch {
	case err != nil:
		return Auth{}, err
	case missing != "":
		return Auth{}, refuse(ErrIncompleteSignature, missing+"Authorization="+redacted(header))
	}
	if a.Credential, err = ParseCredential(cred); err != nil {
		return Auth{}, err
	}
	return a, nil
}

// parseHeader reads an Authorization header into a, but for its
// credential, which it returns unparsed, with the messages of the
// parameters it lacks.
func parseHeader(header string) (a Auth, cred, missing string, err error) {
	h := strings.Trim(header, " \t") // HTTP's optional white space, as the parameters are split at
	if !strings.HasPrefix(h, "AWS4-") {
		return Auth{}, "", "", refuse(ErrMissingAuthenticationToken, msgMissingToken)
	}
	end := strings.IndexAny(h, " \t")
	if end < 0 {
		end = len(h)
	}
	a.Algorithm = h[:end]
	var seenCred, seenHeaders, seenSig bool
	for rest := h[end:]; rest != ""; {
		var part string
		if i := strings.IndexAny(rest, ", \t"); i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else {
			part, rest = rest, ""
		}
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return Auth{}, "", "", refuse(ErrIncompleteSignature,
				fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, redacted(header)))
		}
		switch { // the first of each counts, empty or not, as Identify reads it
		case k == "Credential" && !seenCred:
			cred, seenCred = v, true
		case k == "SignedHeaders" && !seenHeaders:
			a.SignedHeaders, seenHeaders = v, true
		case k == "Signature" && !seenSig:
			a.Signature, seenSig = v, true
		}
	}
	if cred == "" {
		missing += "Authorization header requires 'Credential' parameter. "
	}
	if a.Signature == "" {
		missing += "Authorization header requires 'Signature' parameter. "
	}
	if a.SignedHeaders == "" {
		missing += "Authorization header requires 'SignedHeaders' parameter. "
	}
	return a, cred, missing, nil
}

// Parse reads the signature r carries, from its Authorization header and
// its X-Amz-Date header (or Date, in HTTP's format), or from its presigned
// query parameters, without checking it. It fails as
// [ParseAuthorization] does, and with
//   - InvalidSignatureException "Found both 'X-Amz-Algorithm' as a
//     query-string param and 'Authorization' as HTTP header." for a
//     request signed both ways [M] (docs/semantics.md §A8);
//   - MissingAuthenticationTokenException for one signed neither way [M]
//     (§A6);
//   - IncompleteSignatureException, as for a missing parameter, for a
//     header without a date: "Authorization header requires existence of
//     either a 'X-Amz-Date' or a 'Date' header." [M] (§A7);
//   - IncompleteSignatureException "AWS query-string parameters must
//     include 'X-Amz-Credential'. ... Re-examine the query-string
//     parameters." naming each query parameter missing [M] (§A7).
func Parse(r *http.Request) (Auth, error) {
	header := r.Header.Get(headerAuthorization)
	var q url.Values
	if strings.Contains(r.URL.RawQuery, queryAlgorithm) {
		q = r.URL.Query()
		if !q.Has(queryAlgorithm) {
			q = nil
		}
	}
	switch {
	case header != "" && q != nil:
		return Auth{}, refuse(ErrInvalidSignature, msgBoth)
	case q != nil:
		return parseQuery(q)
	case header == "":
		return Auth{}, refuse(ErrMissingAuthenticationToken, msgMissingToken)
	}
	a, cred, missing, err := parseHeader(header)
	if err != nil {
		return Auth{}, err
	}
	a.Date = r.Header.Get(headerDate)
	if a.Date == "" {
		if d := r.Header.Get("Date"); d == "" {
			missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
		} else if t, err := http.ParseTime(d); err == nil {
			a.Date = t.UTC().Format(stamp)
		} else {
			a.Date = d // refused for its form by Verify
		}
	}
	if missing != "" {
		return Auth{}, refuse(ErrIncompleteSignature, missing+"Authorization="+redacted(header))
	}
	if a.Credential, err = ParseCredential(cred); err != nil {
		return Auth{}, err
	}
	return a, nil
}

// parseQuery reads a presigned request's query parameters q.
func parseQuery(q url.Values) (Auth, error) {
	var missing string
	for _, p := range [...]string{queryAlgorithm, queryCredential, querySignature, querySignedHeaders, queryDate} {
		if q.Get(p) == "" {
			missing += "AWS query-string parameters must include '" + p + "'. "
		}
	}
	if missing != "" {
		return Auth{}, refuse(ErrIncompleteSignature, missing+"Re-examine the query-string parameters.")
	}
	cred, err := ParseCredential(q.Get(queryCredential))
	if err != nil {
		return Auth{}, err
	}
	return Auth{
		Algorithm:     q.Get(queryAlgorithm),
		Credential:    cred,
		SignedHeaders: q.Get(querySignedHeaders),
		Signature:     q.Get(querySignature),
		Date:          q.Get(queryDate),
		Expires:       q.Get(queryExpires),
		Presigned:     true,
	}, nil
}

// Identify returns the credential r is signed with, read from its
// Authorization header or its X-Amz-Credential query parameter without
// checking anything else, and whether it has one of five parts. For a
// request signed in its header it allocates nothing (BenchmarkIdentify),
// so that a front may read the caller's identity on every request
// (docs/semantics.md §A1-§A3).
func Identify(r *http.Request) (Credential, bool) {
	if h := r.Header[headerAuthorization]; len(h) > 0 && h[0] != "" { // the key is in canonical form
		return parseCredential(credentialParam(h[0]))
	}
	if strings.Contains(r.URL.RawQuery, queryCredential) {
		return parseCredential(r.URL.Query().Get(queryCredential))
	}
	return Credential{}, false
}

// credentialParam returns the value of the Credential parameter of an
// Authorization header, "" if it has none.
func credentialParam(h string) string {
	for {
		i := strings.Index(h, "Credential=")
		if i < 0 {
			return ""
		}
		if i == 0 || strings.IndexByte(", \t", h[i-1]) < 0 { // inside another parameter's value
			h = h[i+len("Credential="):]
			continue
		}
		v := h[i+len("Credential="):]
		for end := range len(v) {
			if v[end] == ',' || v[end] == ' ' || v[end] == '\t' {
				return v[:end]
			}
		}
		return v
	}
}
