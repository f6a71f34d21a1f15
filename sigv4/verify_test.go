package sigv4_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/sigv4"
)

// now is the verifier's clock in these tests.
var now = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

var (
	devKey   = sigv4.NewKey("AKIDDEV", "dev-secret").WithAccount("111122223333").WithProfile("dev")
	tokenKey = sigv4.NewKey("ASIATEMP", "temp-secret").WithSessionToken("the-token").WithProfile("temp")
)

// verifier verifies at now, for Secrets Manager, with devKey and tokenKey.
func verifier(t *testing.T) sigv4.Verifier {
	t.Helper()
	creds, err := sigv4.NewCredentials(devKey, tokenKey)
	if err != nil {
		t.Fatal(err)
	}
	return sigv4.Verifier{Credentials: creds, Service: "secretsmanager", Now: func() time.Time { return now }}
}

const body = `{"SecretId":"prod/db"}`

// request returns an unsigned GetSecretValue request as a server gets it.
func request(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	return r
}

// signed returns the request signed with k at time at.
func signed(k sigv4.Key, at time.Time) *http.Request {
	r := request(body)
	sigv4.Sign(r, []byte(body), k, "eu-west-1", "secretsmanager", at)
	return r
}

// setAuth replaces r's Authorization header with f of it.
func setAuth(r *http.Request, f func(string) string) *http.Request {
	r.Header.Set("Authorization", f(r.Header.Get("Authorization")))
	return r
}

// authWith returns r with its Authorization header rewritten by old/new
// pairs.
func authWith(r *http.Request, oldnew ...string) *http.Request {
	return setAuth(r, strings.NewReplacer(oldnew...).Replace)
}

func TestVerify(t *testing.T) {
	v := verifier(t)
	mismatch := "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	tests := []struct {
		name    string
		req     func() *http.Request
		body    string // the body the verifier gets; body when ""
		code    stagelabel.Code
		msg     string // exact, or the beginning of the message when it ends with "…"
		account string // of the key that verified
	}{
		{name: "signed", req: func() *http.Request { return signed(devKey, now) }, account: "111122223333"},
		{name: "signed 4 minutes ago: within the skew", req: func() *http.Request { return signed(devKey, now.Add(-4*time.Minute)) }, account: "111122223333"},
		{name: "signed 4 minutes ahead", req: func() *http.Request { return signed(devKey, now.Add(4*time.Minute)) }, account: "111122223333"},
		{name: "with the key's session token", req: func() *http.Request { return signed(tokenKey, now) }},

		{name: "no Authorization header", req: func() *http.Request { return request(body) },
			code: sigv4.ErrMissingAuthenticationToken, msg: "Request is missing Authentication Token"},
		{name: "another scheme", req: func() *http.Request { r := request(body); r.Header.Set("Authorization", "Bearer abc"); return r },
			code: sigv4.ErrMissingAuthenticationToken, msg: "Request is missing Authentication Token"},
		{name: "unknown access key id", req: func() *http.Request { return signed(sigv4.NewKey("AKIDNOBODY", "x"), now) },
			code: sigv4.ErrUnrecognizedClient, msg: "The security token included in the request is invalid."},
		{name: "wrong secret key", req: func() *http.Request { return signed(sigv4.NewKey("AKIDDEV", "not-dev-secret"), now) },
			code: sigv4.ErrInvalidSignature, msg: mismatch + "\n\nThe Canonical String for this request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:127.0.0.1:4566\nx-amz-date:20261122T103000Z\nx-amz-target:secretsmanager.GetSecretValue\n\ncontent-type;host;x-amz-date;x-amz-target\n…"},
		{name: "tampered body", req: func() *http.Request { return signed(devKey, now) }, body: `{"SecretId":"prod/other"}`,
			code: sigv4.ErrInvalidSignature, msg: mismatch + "…"},
		{name: "tampered signed header", req: func() *http.Request {
			r := signed(devKey, now)
			r.Header.Set("X-Amz-Target", "secretsmanager.DeleteSecret")
			return r
		}, code: sigv4.ErrInvalidSignature, msg: mismatch + "…"},
		{name: "missing signed header", req: func() *http.Request {
			r := signed(devKey, now)
			r.Header.Del("X-Amz-Target")
			return r
		}, code: sigv4.ErrInvalidSignature, msg: mismatch + "…"},
		{name: "body not the one X-Amz-Content-Sha256 says", req: func() *http.Request {
			r := request(body)
			r.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
			sigv4.Sign(r, []byte(body), devKey, "eu-west-1", "secretsmanager", now)
			return r
		}, code: sigv4.ErrInvalidSignature, msg: "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{name: "X-Amz-Content-Sha256 of the body", req: func() *http.Request {
			r := request(body)
			r.Header.Set("X-Amz-Content-Sha256", "f7e8785d034ab0cf4e95a95a1009431190b7a90407bd6acb5fa5aa34cb09c689")
			sigv4.Sign(r, []byte(body), devKey, "eu-west-1", "secretsmanager", now)
			return r
		}, account: "111122223333"},
		{name: "UNSIGNED-PAYLOAD leaves the body out", req: func() *http.Request {
			r := request(body)
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			sigv4.Sign(r, []byte("anything"), devKey, "eu-west-1", "secretsmanager", now)
			return r
		}, account: "111122223333"},
		{name: "signed 5 minutes and 1 second ago", req: func() *http.Request { return signed(devKey, now.Add(-5*time.Minute-time.Second)) },
			code: sigv4.ErrInvalidSignature, msg: "Signature expired: 20261122T102459Z is now earlier than 20261122T102500Z (20261122T103000Z - 5 min.)"},
		{name: "signed an hour ago", req: func() *http.Request { return signed(devKey, now.Add(-time.Hour)) },
			code: sigv4.ErrInvalidSignature, msg: "Signature expired: 20261122T093000Z is now earlier than 20261122T102500Z (20261122T103000Z - 5 min.)"},
		{name: "signed 6 minutes ahead", req: func() *http.Request { return signed(devKey, now.Add(6*time.Minute)) },
			code: sigv4.ErrInvalidSignature, msg: "Signature not yet current: 20261122T103600Z is still later than 20261122T103500Z (20261122T103000Z + 5 min.)"},
		{name: "host not signed", req: func() *http.Request { return authWith(signed(devKey, now), "content-type;host;", "content-type;") },
			code: sigv4.ErrInvalidSignature, msg: "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "date not ISO 8601", req: func() *http.Request { r := signed(devKey, now); r.Header.Set("X-Amz-Date", "2026-11-22"); return r },
			code: sigv4.ErrIncompleteSignature, msg: "Date must be in ISO-8601 'basic format'. Got '2026-11-22'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "no date", req: func() *http.Request { r := signed(devKey, now); r.Header.Del("X-Amz-Date"); return r },
			code: sigv4.ErrIncompleteSignature, msg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKIDDEV/20261122/eu-west-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=<redacted>"},
		{name: "no Signature parameter", req: func() *http.Request {
			return setAuth(signed(devKey, now), func(h string) string { return h[:strings.Index(h, ", Signature=")] })
		}, code: sigv4.ErrIncompleteSignature, msg: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDDEV/20261122/eu-west-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target"},
		{name: "no parameters", req: func() *http.Request {
			r := request(body)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256")
			return r
		}, code: sigv4.ErrIncompleteSignature, msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256"},
		{name: "a parameter without =", req: func() *http.Request { return authWith(signed(devKey, now), "SignedHeaders=", "SignedHeaders ") },
			code: sigv4.ErrIncompleteSignature, msg: "'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKIDDEV/20261122/eu-west-1/secretsmanager/aws4_request, SignedHeaders content-type;host;x-amz-date;x-amz-target, Signature=<redacted>'."},
		{name: "credential of four parts", req: func() *http.Request {
			return authWith(signed(devKey, now), "/secretsmanager/aws4_request", "/secretsmanager")
		},
			code: sigv4.ErrIncompleteSignature, msg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDDEV/20261122/eu-west-1/secretsmanager'"},
		{name: "another algorithm", req: func() *http.Request { return authWith(signed(devKey, now), "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512") },
			code: sigv4.ErrIncompleteSignature, msg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "},
		{name: "scoped elsewhere", req: func() *http.Request {
			return authWith(signed(devKey, now), "/20261122/eu-west-1/secretsmanager/aws4_request", "/20261121/EU_WEST/dynamodb/aws5_request")
		}, code: sigv4.ErrInvalidSignature, msg: "Credential should be scoped to a valid region, not 'EU_WEST'. Credential should be scoped to correct service: 'secretsmanager'. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from '20261122T103000Z'."},
		{name: "scoped for another service", req: func() *http.Request { return authWith(signed(devKey, now), "/secretsmanager/", "/ssm/") },
			code: sigv4.ErrInvalidSignature, msg: "Credential should be scoped to correct service: 'secretsmanager'."},
		{name: "signed in the header and the query", req: func() *http.Request {
			r := signed(devKey, now)
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
			return r
		}, code: sigv4.ErrInvalidSignature, msg: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{name: "session token missing", req: func() *http.Request { r := signed(tokenKey, now); r.Header.Del("X-Amz-Security-Token"); return r },
			code: sigv4.ErrInvalidSignature, msg: mismatch + "…"}, // it was signed
		{name: "session token not the key's", req: func() *http.Request {
			r := request(body)
			r.Header.Set("X-Amz-Security-Token", "another-token")
			sigv4.Sign(r, []byte(body), sigv4.NewKey("ASIATEMP", "temp-secret"), "eu-west-1", "secretsmanager", now)
			return r
		}, code: sigv4.ErrUnrecognizedClient, msg: "The security token included in the request is invalid"},
		{name: "session token for a key without one", req: func() *http.Request {
			r := request(body)
			sigv4.Sign(r, []byte(body), devKey.WithSessionToken("t"), "eu-west-1", "secretsmanager", now)
			return r
		}, code: sigv4.ErrUnrecognizedClient, msg: "The security token included in the request is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.body
			if b == "" {
				b = body
			}
			a, k, err := v.Verify(tt.req(), []byte(b))
			if prefix, ok := strings.CutSuffix(tt.msg, "…"); ok {
				check.Err(t, err, tt.code, "")
				if msg := err.(interface{ ErrorMessage() string }).ErrorMessage(); !strings.HasPrefix(msg, prefix) {
					t.Errorf("ErrorMessage() = %q, want it to begin %q", msg, prefix)
				}
				return
			}
			check.Err(t, err, tt.code, tt.msg)
			if err == nil && (k.Account() != tt.account || a.Credential.Region != "eu-west-1") {
				t.Errorf("Verify() = %v, %v, want account %q and region eu-west-1", a, k, tt.account)
			}
		})
	}
}

// TestErrorsHoldNoSecret checks that no refusal shows a secret key or a
// signature.
func TestErrorsHoldNoSecret(t *testing.T) {
	v := verifier(t)
	for _, r := range []*http.Request{
		signed(sigv4.NewKey("AKIDDEV", "not-dev-secret"), now),
		authWith(signed(devKey, now), "SignedHeaders=", "SignedHeaders "),
		setAuth(signed(devKey, now), func(h string) string { return h + ", Extra" }),
		func() *http.Request { r := signed(devKey, now); r.Header.Del("X-Amz-Date"); return r }(),
	} {
		sig := r.Header.Get("Authorization")
		sig = sig[strings.Index(sig, "Signature=")+len("Signature="):]
		_, _, err := v.Verify(r, []byte(body))
		if err == nil {
			t.Fatalf("Verify(%v) = nil", r.Header)
		}
		for _, s := range []string{sig, "dev-secret"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q holds %q", err, s)
			}
		}
	}
}

func TestParseCredential(t *testing.T) {
	tests := []struct {
		in   string
		want sigv4.Credential
		ok   bool
	}{
		{"AKID/20261122/eu-west-1/secretsmanager/aws4_request", sigv4.Credential{AccessKeyID: "AKID", Date: "20261122", Region: "eu-west-1", Service: "secretsmanager", Terminator: "aws4_request"}, true},
		{"AKID/20261122/eu-west-1/secretsmanager/aws4_request//", sigv4.Credential{AccessKeyID: "AKID", Date: "20261122", Region: "eu-west-1", Service: "secretsmanager", Terminator: "aws4_request"}, true},
		{"AKID/20261122/eu-west-1/secretsmanager", sigv4.Credential{}, false},
		{"AKID/20261122/eu-west-1/secretsmanager/aws4_request/x", sigv4.Credential{}, false},
		{"", sigv4.Credential{}, false},
	}
	for _, tt := range tests {
		got, err := sigv4.ParseCredential(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseCredential(%q) = %v, %v, want %v, ok %t", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestIdentify(t *testing.T) {
	r := signed(devKey, now)
	got, ok := sigv4.Identify(r)
	want := sigv4.Credential{AccessKeyID: "AKIDDEV", Date: "20261122", Region: "eu-west-1", Service: "secretsmanager", Terminator: "aws4_request"}
	if !ok || got != want {
		t.Errorf("Identify() = %v, %t, want %v", got, ok, want)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 SignedHeaders=x;Credential=y, Credential=AKID/d/r/s/t")
	if got, ok := sigv4.Identify(r); !ok || got.AccessKeyID != "AKID" {
		t.Errorf("Identify() = %v, %t, want the Credential parameter's", got, ok)
	}
	if _, ok := sigv4.Identify(request(body)); ok {
		t.Error("Identify() of an unsigned request: ok")
	}
	if allocs := testing.AllocsPerRun(100, func() { sigv4.Identify(r) }); allocs != 0 {
		t.Errorf("Identify() allocates %v times", allocs)
	}
}

func TestIsRegion(t *testing.T) {
	for s, want := range map[string]bool{
		"us-east-1": true, "us-gov-east-1": true, "eu-west-1": true, "local": true,
		"": false, "US-EAST-1": false, "us_east_1": false, "-us": false, "us-": false, "us--east": false,
		strings.Repeat("a", 65): false,
	} {
		if got := sigv4.IsRegion(s); got != want {
			t.Errorf("IsRegion(%q) = %t, want %t", s, got, want)
		}
	}
}

func nowFunc() time.Time { return now }
