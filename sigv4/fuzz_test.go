package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel"
)

// FuzzParseAuthorization checks that any Authorization header parses or
// fails with one of this package's codes, never panicking; that a header
// that parses writes back to one that parses the same, and names the
// credential Identify finds; and that Verify, given the header, never
// panics.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		"AWS4-HMAC-SHA256 Credential=123456789012/20261122/eu-west-1/secretsmanager/aws4_request,SignedHeaders=content-type;host;x-amz-date;x-amz-target,Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e//, SignedHeaders=host, Signature=x, Credential=f/g/h/i/j",
		"AWS4-HMAC-SHA256 SignedHeaders, Signature=x",
		"AWS4-HMAC-SHA256",
		"AWS4-",
		"Bearer token",
		"AWS AKID:sig",
		"",
	} {
		f.Add(s, "20261122T103000Z")
	}
	creds, err := NewCredentials(NewKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), NewKey("a", "b"))
	if err != nil {
		f.Fatal(err)
	}
	v := Verifier{Credentials: creds, Service: "service", Now: func() time.Time { return time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC) }}
	f.Fuzz(func(t *testing.T, header, date string) {
		a, err := ParseAuthorization(header)
		if err != nil {
			var e *stagelabel.Error
			if !errors.As(err, &e) || e.Code != ErrMissingAuthenticationToken && e.Code != ErrIncompleteSignature {
				t.Fatalf("ParseAuthorization(%q) = %v, want MissingAuthenticationToken or IncompleteSignature", header, err)
			}
		} else {
			again, err := ParseAuthorization(a.header(a.Signature))
			if err != nil || again != a {
				t.Fatalf("ParseAuthorization(%q) = %+v, written back %q parses to %+v, %v", header, a, a.header(a.Signature), again, err)
			}
			if strings.Contains(a.String(), "Signature="+a.Signature+",") {
				t.Fatalf("String() = %q shows the signature", a.String())
			}
		}
		r := httptest.NewRequest(http.MethodPost, "http://localhost/", strings.NewReader("{}"))
		r.Header["Authorization"] = []string{header}
		r.Header["X-Amz-Date"] = []string{date}
		if c, ok := Identify(r); err == nil && (!ok || c != a.Credential) {
			t.Fatalf("Identify() = %v, %t, want %v", c, ok, a.Credential)
		}
		if _, _, err := v.Verify(r, []byte("{}")); err == nil && !strings.HasPrefix(header, Algorithm) {
			t.Fatalf("Verify() of %q = nil", header)
		}
	})
}

// FuzzParseCredential checks that a credential that parses writes back to
// one that parses the same.
func FuzzParseCredential(f *testing.F) {
	for _, s := range []string{"AKID/20261122/eu-west-1/secretsmanager/aws4_request", "a/b/c/d/e/", "a/b/c/d", "////", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCredential(s)
		if err != nil {
			return
		}
		if again, err := ParseCredential(c.String()); err != nil || again != c {
			t.Fatalf("ParseCredential(%q) = %+v, written back %q parses to %+v, %v", s, c, c.String(), again, err)
		}
	})
}

// FuzzParseCredentials checks that any file parses or fails, never
// panicking, and that every key it gives has an id and a secret.
func FuzzParseCredentials(f *testing.F) {
	for _, s := range []string{
		"[default]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
		"[a]\naws_access_key_id=A\naws_secret_access_key=s ; c\naws_account_id=111122223333\ns3 =\n  x = 1\n[b]\nregion=r\n",
		"[a\n", "x", "[a]\n[a]\n", "\t\n;\n#\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		c, err := ParseCredentials(strings.NewReader(file))
		if err != nil {
			return
		}
		for k := range c.All() {
			if k.id == "" || k.secret == "" || k.profile == "" {
				t.Fatalf("ParseCredentials(%q) gave %#v", file, k)
			}
		}
	})
}
