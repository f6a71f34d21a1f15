package awsjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/sigv4"
	"github.com/stagelabel/stagelabel/store"
)

// listSecrets returns a ListSecrets request to host, signed with key for
// region at the time at unless key is the zero Key.
func listSecrets(host string, key sigv4.Key, region string, at time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	r.Host = host
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "secretsmanager.ListSecrets")
	if key.ID() != "" {
		sigv4.Sign(r, []byte("{}"), key, region, "secretsmanager", at)
	}
	return r
}

// answer serves r and returns the status and the error code (or "").
func answer(t *testing.T, h http.Handler, r *http.Request) (int, string, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var body struct {
		Type    string `json:"__type"`
		Message string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if got := rec.Header().Get("X-Amzn-ErrorType"); got != body.Type {
		t.Errorf("X-Amzn-ErrorType = %q, body's __type %q", got, body.Type)
	}
	return rec.Code, body.Type, body.Message
}

func TestHosts(t *testing.T) {
	tests := []struct {
		name   string
		opts   []awsjson.Option
		host   string
		want   int
		reason string
	}{
		{"without the option", nil, "attacker.example", 200, "every host is served"},
		{"loopback address", []awsjson.Option{awsjson.WithHosts()}, "127.0.0.1:4566", 200, "an IP address"},
		{"IPv6 loopback", []awsjson.Option{awsjson.WithHosts()}, "[::1]:4566", 200, "an IP address"},
		{"LAN address", []awsjson.Option{awsjson.WithHosts()}, "192.0.2.7:4566", 200, "an IP address"},
		{"localhost", []awsjson.Option{awsjson.WithHosts()}, "localhost:4566", 200, "localhost"},
		{"under .localhost", []awsjson.Option{awsjson.WithHosts()}, "emu.localhost", 200, "resolves to loopback in browsers"},
		{"no Host", []awsjson.Option{awsjson.WithHosts()}, "", 200, "HTTP/1.0"},
		{"a name given", []awsjson.Option{awsjson.WithHosts("emu.internal")}, "EMU.Internal.:4566", 200, "without case, port or final dot"},
		{"another name", []awsjson.Option{awsjson.WithHosts("emu.internal")}, "attacker.example:4566", 421, "DNS rebinding"},
		{"a subdomain of a name given", []awsjson.Option{awsjson.WithHosts("emu.internal")}, "x.emu.internal", 421, "names match whole"},
		{"every host", []awsjson.Option{awsjson.WithHosts("*")}, "attacker.example", 200, "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(tt.opts...)
			status, code, msg := answer(t, h, listSecrets(tt.host, sigv4.Key{}, "", time.Time{}))
			if status != tt.want {
				t.Fatalf("Host %q: status %d (%s %s), want %d: %s", tt.host, status, code, msg, tt.want, tt.reason)
			}
			if got := h.AllowsHost(tt.host); got != (tt.want == 200) {
				t.Errorf("AllowsHost(%q) = %v, want %v: as the handler answers", tt.host, got, tt.want == 200)
			}
			if status == 421 && (code != "MisdirectedRequestException" || !strings.Contains(msg, "'"+tt.host+"'")) {
				t.Errorf("Host %q: %s %q", tt.host, code, msg)
			}
		})
	}
}

var (
	devKey  = sigv4.NewKey("AKIDDEV", "dev-secret").WithAccount("111122223333")
	acctKey = sigv4.NewKey("444455556666", "acct-secret")
)

func credentials(t testing.TB) sigv4.Credentials {
	t.Helper()
	c, err := sigv4.NewCredentials(devKey, acctKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCredentials(t *testing.T) {
	var log bytes.Buffer
	h := newHandler(awsjson.WithCredentials(credentials(t)), awsjson.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	now := time.Now()
	if v := h.Verifier(); v == nil || newHandler().Verifier() != nil {
		t.Errorf("Verifier() = %v, want one with credentials, nil without", v)
	} else {
		r := listSecrets("localhost", devKey, "us-east-1", now)
		body, _ := io.ReadAll(r.Body)
		if _, _, err := v.Verify(r, body); err != nil {
			t.Errorf("Verifier().Verify(a request signed by a key given) = %v", err)
		}
	}
	tests := []struct {
		name string
		req  *http.Request
		code string
		msg  string // the beginning of the message
	}{
		{"signed", listSecrets("localhost", devKey, "us-east-1", now), "", ""},
		{"signed by a 12-digit key", listSecrets("localhost", acctKey, "eu-west-1", now), "", ""},
		{"unsigned", listSecrets("localhost", sigv4.Key{}, "", now), "MissingAuthenticationTokenException", "Request is missing Authentication Token"},
		{"unknown key", listSecrets("localhost", sigv4.NewKey("AKIDNOBODY", "x"), "us-east-1", now), "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"wrong secret", listSecrets("localhost", sigv4.NewKey("AKIDDEV", "guess"), "us-east-1", now), "InvalidSignatureException", "The request signature we calculated does not match"},
		{"stale", listSecrets("localhost", devKey, "us-east-1", now.Add(-6*time.Minute)), "InvalidSignatureException", "Signature expired: "},
		{"tampered body", func() *http.Request {
			r := listSecrets("localhost", devKey, "us-east-1", now)
			r.Body = http.NoBody
			return r
		}(), "InvalidSignatureException", "The request signature we calculated does not match"},
		{"malformed", func() *http.Request {
			r := listSecrets("localhost", devKey, "us-east-1", now)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=", "Credential ", 1))
			return r
		}(), "IncompleteSignatureException", "'Credential' not a valid key=value pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code, msg := answer(t, h, tt.req)
			want := 200
			if tt.code != "" {
				want = 400
			}
			if status != want || code != tt.code || !strings.HasPrefix(msg, tt.msg) {
				t.Errorf("%d %s %q, want %d %s %q…", status, code, msg, want, tt.code, tt.msg)
			}
		})
	}
	for _, secret := range []string{"dev-secret", "acct-secret", "Signature=", "guess"} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, log.String())
		}
	}
}

// TestIdentity checks the identity each request is served with.
func TestIdentity(t *testing.T) {
	def := awsjson.Identity{Account: "123456789012", Region: "us-east-1"}
	now := time.Now()
	tests := []struct {
		name  string
		creds bool
		req   *http.Request
		want  awsjson.Identity
	}{
		{"unsigned", false, listSecrets("localhost", sigv4.Key{}, "", now), def},
		{"an access key id of 12 digits names the account", false, listSecrets("localhost", sigv4.NewKey("210987654321", "any"), "eu-west-1", now), awsjson.Identity{"210987654321", "eu-west-1"}},
		{"another key id", false, listSecrets("localhost", sigv4.NewKey("AKIAIOSFODNN7EXAMPLE", "any"), "ap-south-2", now), awsjson.Identity{"123456789012", "ap-south-2"}},
		{"a region not shaped as one", false, listSecrets("localhost", sigv4.NewKey("AKID", "any"), "Mars", now), def},
		{"unchecked signature", false, listSecrets("localhost", sigv4.NewKey("AKIDDEV", "wrong"), "eu-west-1", now), awsjson.Identity{"123456789012", "eu-west-1"}},
		{"the profile's account", true, listSecrets("localhost", devKey, "eu-west-1", now), awsjson.Identity{"111122223333", "eu-west-1"}},
		{"a 12-digit key without an account", true, listSecrets("localhost", acctKey, "eu-central-1", now), awsjson.Identity{"444455556666", "eu-central-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []awsjson.Identity
			st := store.New()
			opts := []awsjson.Option{awsjson.WithIdentity(def, func(id awsjson.Identity) (*store.Store, error) {
				got = append(got, id)
				return st, nil
			})}
			if tt.creds {
				opts = append(opts, awsjson.WithCredentials(credentials(t)))
			}
			if status, code, msg := answer(t, newHandler(opts...), tt.req); status != 200 {
				t.Fatalf("%d %s %s", status, code, msg)
			}
			if diff := cmp.Diff([]awsjson.Identity{tt.want}, got); diff != "" {
				t.Errorf("identity mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIdentityStores serves each region from a store of its own, and
// answers a store's error.
func TestIdentityStores(t *testing.T) {
	var mu sync.Mutex
	stores := map[awsjson.Identity]*store.Store{}
	h := newHandler(awsjson.WithIdentity(awsjson.Identity{Account: "123456789012", Region: "us-east-1"}, func(id awsjson.Identity) (*store.Store, error) {
		if id.Region == "us-west-2" {
			return nil, &stagelabel.Error{Code: stagelabel.ErrInvalidRequest, Message: "closed region"}
		}
		if id.Region == "eu-north-1" {
			return nil, errors.New("disk on fire")
		}
		mu.Lock()
		defer mu.Unlock()
		if stores[id] == nil {
			stores[id] = store.New(store.WithAccount(id.Account), store.WithRegion(id.Region))
		}
		return stores[id], nil
	}))
	create := func(region string) (int, map[string]any) {
		body := `{"Name":"db","SecretString":"x","ClientRequestToken":"` + tok1 + `"}`
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
		sigv4.Sign(r, []byte(body), sigv4.NewKey("210987654321", "any"), region, "secretsmanager", time.Now())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var m map[string]any
		json.Unmarshal(rec.Body.Bytes(), &m)
		return rec.Code, m
	}
	for _, region := range []string{"eu-west-1", "ap-southeast-2"} {
		status, out := create(region)
		if arn, _ := out["ARN"].(string); status != 200 || !strings.HasPrefix(arn, "arn:aws:secretsmanager:"+region+":210987654321:secret:db-") {
			t.Errorf("CreateSecret in %s: %d %v", region, status, out)
		}
	}
	if status, out := create("us-west-2"); status != 400 || out["__type"] != "InvalidRequestException" {
		t.Errorf("a store's stagelabel error: %d %v", status, out)
	}
	if status, out := create("eu-north-1"); status != 500 || out["__type"] != "InternalServiceError" {
		t.Errorf("a store's other error: %d %v", status, out)
	}
}
