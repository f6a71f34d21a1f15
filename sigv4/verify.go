package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxSkew is how far a signature's time may lie from the service's clock,
// either way: five minutes, as Secrets Manager's answers say ("Signature
// expired: ... (... - 5 min.)", 2025 and 2026) [R] (docs/semantics.md §A9).
// Other AWS services allow fifteen.
const MaxSkew = 5 * time.Minute

// MaxExpires is the longest a presigned request may say it is valid
// (X-Amz-Expires): seven days, as for S3 [M] (docs/semantics.md §A11).
const MaxExpires = 7 * 24 * time.Hour

// UnsignedPayload, as X-Amz-Content-Sha256, leaves the body out of the
// signature.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// Verifier checks requests' signatures against a set of keys.
type Verifier struct {
	Credentials Credentials      // the keys whose signatures verify
	Service     string           // when not "", the service every credential scope must name, such as "secretsmanager"
	Now         func() time.Time // the clock; nil: time.Now
}

// Verify checks the signature of r, whose body is body (r.Body is not
// read), and returns it and the key that made it. It checks, in this order
// (AWS's, recorded on DynamoDB [M]; docs/semantics.md §A4), and fails with
//   - the errors of [Parse];
//   - IncompleteSignatureException "Date must be in ISO-8601 'basic
//     format'. Got '<date>'. See http://en.wikipedia.org/wiki/ISO_8601"
//     [M] (§A7);
//   - InvalidSignatureException "Signature expired: <date> is now earlier
//     than <now - 5 min> (<now> - 5 min.)" for a signature more than
//     [MaxSkew] old [R] (§A9), or "Signature not yet current: <date> is
//     still later than <now + 5 min> (<now> + 5 min.)" for one more than
//     MaxSkew ahead [M] (§A10); a presigned request expires after its
//     X-Amz-Expires instead [M] (§A11);
//   - InvalidSignatureException "'Host' must be a 'SignedHeader' in the
//     AWS Authorization." [M] (§A12);
//   - IncompleteSignatureException "Unsupported AWS 'algorithm':
//     '<algorithm>' (only AWS4-HMAC-SHA256 for now). " [M] (§A13);
//   - InvalidSignatureException naming each part of the credential scope
//     that is wrong: "Credential should be scoped to a valid region, not
//     '<region>'. " (a region is valid when shaped as one, see
//     [IsRegion]), "Credential should be scoped to correct service:
//     '<service>'. ", "Credential should be scoped with a valid terminator:
//     'aws4_request', not '<terminator>'. ", "Date in Credential scope does
//     not match YYYYMMDD from ISO-8601 version of date from HTTP:
//     '<scope date>' != '<date>', from '<time>'." [M] (§A14);
//   - UnrecognizedClientException "The security token included in the
//     request is invalid." for an access key id the credentials lack [R]
//     (§A15);
//   - InvalidSignatureException "The provided 'x-amz-content-sha256'
//     header does not match what was computed." for a body that does not
//     hash to the X-Amz-Content-Sha256 it came with (S3's words) [M]
//     (§A16);
//   - InvalidSignatureException "The request signature we calculated does
//     not match the signature you provided. Check your AWS Secret Access
//     Key and signing method. Consult the service documentation for
//     details." followed by the canonical request and the string to sign
//     it computed [R] (§A17): a wrong secret, a changed body, path, query
//     or signed header, a missing signed header;
//   - UnrecognizedClientException "The security token included in the
//     request is invalid" for a session token (X-Amz-Security-Token) that
//     is not the key's, or any for a key without one [M] (§A18).
//
// The canonical request states the body's hash as X-Amz-Content-Sha256
// when the request has that header, which the body must then hash to,
// else as the hash of body; an X-Amz-Content-Sha256 of UNSIGNED-PAYLOAD
// leaves the body out of the signature [M] (§A20). The rest of the
// canonical request is Signature Version 4's [D] (§A19).
func (v Verifier) Verify(r *http.Request, body []byte) (Auth, Key, error) {
	a, err := Parse(r)
	if err != nil {
		return Auth{}, Key{}, err
	}
	signed, err := time.Parse(stamp, a.Date)
	if err != nil {
		return Auth{}, Key{}, refuse(ErrIncompleteSignature,
			fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", a.Date))
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	if err := inTime(a, signed, now.UTC()); err != nil {
		return Auth{}, Key{}, err
	}
	if !signsHost(a.SignedHeaders) {
		return Auth{}, Key{}, refuse(ErrInvalidSignature, msgHostUnsigned)
	}
	if a.Algorithm != Algorithm {
		return Auth{}, Key{}, refuse(ErrIncompleteSignature,
			fmt.Sprintf("Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now). ", a.Algorithm))
	}
	if msg := v.scopeViolations(a); msg != "" {
		return Auth{}, Key{}, refuse(ErrInvalidSignature, msg)
	}
	key, ok := v.Credentials.Key(a.Credential.AccessKeyID)
	if !ok {
		return Auth{}, Key{}, refuse(ErrUnrecognizedClient, msgUnknownKey)
	}
	if !bodyMatches(r, body) {
		return Auth{}, Key{}, refuse(ErrInvalidSignature, msgContentSHA256)
	}
	canonical := canonicalRequest(r, a, body)
	toSign := stringToSign(a, canonical)
	if !hmac.Equal([]byte(signature(key.secret, a.Credential, toSign)), []byte(a.Signature)) {
		return Auth{}, Key{}, mismatch(canonical, toSign)
	}
	token := r.Header.Get(headerToken)
	if a.Presigned && token == "" {
		token = r.URL.Query().Get(queryToken)
	}
	if (token != "" || key.token != "") && subtle.ConstantTimeCompare([]byte(token), []byte(key.token)) != 1 {
		return Auth{}, Key{}, refuse(ErrUnrecognizedClient, msgBadToken)
	}
	return a, key, nil
}

// inTime checks that a signature made at signed is valid at now.
func inTime(a Auth, signed, now time.Time) error {
	oldest := MaxSkew
	if a.Presigned && a.Expires != "" {
		n, err := strconv.Atoi(a.Expires)
		switch {
		case err != nil:
			return refuse(ErrIncompleteSignature, "X-Amz-Expires should be a number")
		case n < 0:
			return refuse(ErrIncompleteSignature, "X-Amz-Expires must be non-negative")
		case time.Duration(n)*time.Second > MaxExpires:
			return refuse(ErrIncompleteSignature, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		oldest = time.Duration(n) * time.Second
	}
	switch {
	case signed.Before(now.Add(-oldest)):
		return expired(signed, now, oldest)
	case signed.After(now.Add(MaxSkew)):
		return notYet(signed, now, MaxSkew)
	}
	return nil
}

// signsHost reports whether the semicolon-separated names include host,
// in any case.
func signsHost(names string) bool {
	for name := range strings.SplitSeq(names, ";") {
		if strings.EqualFold(name, "host") {
			return true
		}
	}
	return false
}

// scopeViolations returns AWS's sentences for each part of a's credential
// scope that is wrong, "" if none.
func (v Verifier) scopeViolations(a Auth) string {
	c := a.Credential
	var msg string
	if !IsRegion(c.Region) {
		msg += fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", c.Region)
	}
	if v.Service != "" && c.Service != v.Service {
		msg += fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", v.Service)
	}
	if c.Terminator != Terminator {
		msg += fmt.Sprintf("Credential should be scoped with a valid terminator: '%s', not '%s'. ", Terminator, c.Terminator)
	}
	if c.Date != a.Date[:8] {
		msg += fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", c.Date, a.Date[:8], a.Date)
	}
	return strings.TrimSuffix(msg, " ")
}

// IsRegion reports whether s is shaped as an AWS region name: lower-case
// letters and digits in runs joined by single hyphens, at most 64 bytes,
// such as "eu-west-1" or "us-gov-east-1". A service serving every region
// takes any such name [M] (docs/semantics.md §A1).
func IsRegion(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// canonicalRequest returns the canonical request of r, whose body is
// body, under signature a:
//
//	<method>
//	<canonical URI>
//	<canonical query string>
//	<name>:<value>    (each signed header)
//
//	<signed headers>
//	<hex SHA-256 of the body, or UNSIGNED-PAYLOAD>
func canonicalRequest(r *http.Request, a Auth, body []byte) string {
	var b strings.Builder
	b.Grow(512)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	escape(&b, path, true) // every AWS service but S3 encodes the path twice [D] (§A19)
	b.WriteByte('\n')
	canonicalQuery(&b, r.URL.RawQuery, a.Presigned)
	b.WriteByte('\n')
	for name := range strings.SplitSeq(a.SignedHeaders, ";") {
		name = strings.ToLower(name)
		b.WriteString(name)
		b.WriteByte(':')
		headerValue(&b, r, name)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.ToLower(a.SignedHeaders))
	b.WriteByte('\n')
	b.WriteString(payloadHash(r, body))
	return b.String()
}

// payloadHash returns the hash of the body as the canonical request
// states it: X-Amz-Content-Sha256 when r has one, as the SDKs sign it,
// else the hash of body.
func payloadHash(r *http.Request, body []byte) string {
	if h := r.Header.Get(headerContentSHA256); h != "" {
		return h
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// bodyMatches reports whether body hashes to r's X-Amz-Content-Sha256, if
// r has one that is not UNSIGNED-PAYLOAD.
func bodyMatches(r *http.Request, body []byte) bool {
	h := r.Header.Get(headerContentSHA256)
	if h == "" || h == UnsignedPayload {
		return true
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]) == strings.ToLower(h)
}

// headerValue writes the canonical value of r's header name, lower case:
// its values trimmed, runs of blanks inside each made one space, joined
// with commas. The host is r.Host; Content-Length and Transfer-Encoding,
// which a Go server takes out of the header, come from r where needed.
func headerValue(b *strings.Builder, r *http.Request, name string) {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "transfer-encoding":
		values = r.TransferEncoding
	default:
		values = r.Header.Values(name)
		if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	}
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		space := false
		for _, c := range []byte(strings.Trim(v, " \t")) {
			if c == ' ' || c == '\t' {
				space = true
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(c)
		}
	}
}

// canonicalQuery writes the canonical query string of raw: each name and
// value decoded then encoded again strictly, the pairs sorted by name
// then value, joined by &; without X-Amz-Signature for a presigned
// request. Undecodable pairs are written as they are [M] (§A20).
func canonicalQuery(b *strings.Builder, raw string, presigned bool) {
	if raw == "" {
		return
	}
	type pair struct{ name, value string }
	var pairs []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		if presigned && name == querySignature {
			continue
		}
		var nb, vb strings.Builder
		escape(&nb, name, false)
		escape(&vb, value, false)
		pairs = append(pairs, pair{nb.String(), vb.String()})
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		if c := strings.Compare(x.name, y.name); c != 0 {
			return c
		}
		return strings.Compare(x.value, y.value)
	})
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
}

// escape writes s URI-encoded as SigV4 encodes: every byte but A-Z, a-z,
// 0-9, '-', '.', '_' and '~' (and '/' when slash) as %XX, upper case.
func escape(b *strings.Builder, s string, slash bool) {
	const hexDigits = "0123456789ABCDEF"
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' && slash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
}

// stringToSign returns the string to sign of canonical under a:
// the algorithm, the time, the scope and the hash of the canonical
// request, one a line.
func stringToSign(a Auth, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + a.Date + "\n" + a.Credential.Scope() + "\n" + hex.EncodeToString(sum[:])
}

// signature returns the hexadecimal signature of toSign with the key
// derived from secret for the scope of c.
func signature(secret string, c Credential, toSign string) string {
	k := mac([]byte("AWS4"+secret), c.Date)
	k = mac(k, c.Region)
	k = mac(k, c.Service)
	k = mac(k, c.Terminator)
	return hex.EncodeToString(mac(k, toSign))
}

// mac returns HMAC-SHA256 of data under key.
func mac(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// Sign signs r, whose body is body, with key, for region and service, at
// t, as the AWS SDKs sign: it sets X-Amz-Date, X-Amz-Security-Token when
// the key has a session token, and Authorization, signing the host and
// every header r has but those the AWS SDK for Go leaves out
// (Authorization, User-Agent, X-Amzn-Trace-Id, Expect, Transfer-Encoding,
// Content-Length). It is for tests and
// clients; a request it signs verifies with a [Verifier] holding key
// until [MaxSkew] after t.
func Sign(r *http.Request, body []byte, key Key, region, service string, t time.Time) {
	date := t.UTC().Format(stamp)
	r.Header.Set(headerDate, date)
	if key.token != "" {
		r.Header.Set(headerToken, key.token)
	}
	names := []string{"host"}
	for name := range r.Header {
		switch l := strings.ToLower(name); l {
		case "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "content-length":
		default:
			names = append(names, l)
		}
	}
	slices.Sort(names)
	a := Auth{
		Algorithm:     Algorithm,
		Credential:    Credential{AccessKeyID: key.id, Date: date[:8], Region: region, Service: service, Terminator: Terminator},
		SignedHeaders: strings.Join(slices.Compact(names), ";"),
		Date:          date,
	}
	a.Signature = signature(key.secret, a.Credential, stringToSign(a, canonicalRequest(r, a, body)))
	r.Header.Set(headerAuthorization, a.header(a.Signature))
}
