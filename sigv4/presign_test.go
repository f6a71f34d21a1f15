package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel"
)

// presigned returns a request to target signed in its query with key at
// at, valid for expires seconds ("" for no X-Amz-Expires), as the SDKs'
// presigners sign.
func presigned(target string, key Key, at time.Time, expires string) *http.Request {
	date := at.UTC().Format(stamp)
	a := Auth{
		Algorithm:     Algorithm,
		Credential:    Credential{AccessKeyID: key.id, Date: date[:8], Region: "us-east-1", Service: "secretsmanager", Terminator: Terminator},
		SignedHeaders: "host",
		Date:          date,
		Expires:       expires,
		Presigned:     true,
	}
	q := url.Values{}
	q.Set(queryAlgorithm, a.Algorithm)
	q.Set(queryCredential, a.Credential.String())
	q.Set(queryDate, a.Date)
	q.Set(querySignedHeaders, a.SignedHeaders)
	if expires != "" {
		q.Set(queryExpires, expires)
	}
	r := httptest.NewRequest(http.MethodPost, target+"&"+q.Encode(), nil)
	a.Signature = signature(key.secret, a.Credential, stringToSign(a, canonicalRequest(r, a, nil)))
	r.URL.RawQuery += "&" + querySignature + "=" + a.Signature
	return r
}

func TestPresigned(t *testing.T) {
	key := NewKey("AKIDQUERY", "query-secret")
	creds, err := NewCredentials(key)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	v := Verifier{Credentials: creds, Service: "secretsmanager", Now: func() time.Time { return now }}
	tests := []struct {
		name string
		req  *http.Request
		code stagelabel.Code
		msg  string
	}{
		{"signed now", presigned("http://localhost/?Action=x", key, now, "60"), "", ""},
		{"without X-Amz-Expires", presigned("http://localhost/?Action=x", key, now.Add(-4*time.Minute), ""), "", ""},
		{"within its expiry", presigned("http://localhost/?Action=x", key, now.Add(-time.Hour), "3600"), "", ""},
		{"past its expiry", presigned("http://localhost/?Action=x", key, now.Add(-61*time.Second), "60"), ErrInvalidSignature,
			"Signature expired: 20261122T102859Z is now earlier than 20261122T102900Z (20261122T103000Z - 1 min.)"},
		{"expiry not a number", presigned("http://localhost/?Action=x", key, now, "soon"), ErrIncompleteSignature, "X-Amz-Expires should be a number"},
		{"expiry over a week", presigned("http://localhost/?Action=x", key, now, "604801"), ErrIncompleteSignature,
			"X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"query changed", func() *http.Request {
			r := presigned("http://localhost/?Action=x", key, now, "60")
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "Action=x", "Action=y", 1)
			return r
		}(), ErrInvalidSignature, ""},
		{"a parameter missing", func() *http.Request {
			r := presigned("http://localhost/?Action=x", key, now, "60")
			q := r.URL.Query()
			q.Del(querySignedHeaders)
			q.Del(queryDate)
			r.URL.RawQuery = q.Encode()
			return r
		}(), ErrIncompleteSignature, "AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, k, err := v.Verify(tt.req, nil)
			var e *stagelabel.Error
			switch {
			case tt.code == "" && err != nil:
				t.Fatalf("Verify() = %v", err)
			case tt.code == "":
				if !a.Presigned || k.ID() != "AKIDQUERY" {
					t.Errorf("Verify() = %v, %v", a, k)
				}
			case !errors.As(err, &e) || e.Code != tt.code || tt.msg != "" && e.Message != tt.msg:
				t.Errorf("Verify() = %v, want %s %q", err, tt.code, tt.msg)
			}
		})
	}
	if c, ok := Identify(presigned("http://localhost/?Action=x", key, now, "60")); !ok || c.AccessKeyID != "AKIDQUERY" {
		t.Errorf("Identify() of a presigned request = %v, %t", c, ok)
	}
}
