package sigv4_test

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel/sigv4"
)

func TestParseCredentials(t *testing.T) {
	const file = `# the developers' keys
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default/secret+key
region = us-east-1

; a profile of another account
[dev]
AWS_Access_Key_ID=AKIDDEV
aws_secret_access_key=dev-secret   # inline comment
aws_account_id = 111122223333
s3 =
  max_concurrent_requests = 10

[temp]
aws_access_key_id = ASIATEMP
aws_secret_access_key = temp-secret
aws_session_token = token/with=equals

[config-only]
region = eu-west-1
`
	c, err := sigv4.ParseCredentials(strings.NewReader(file))
	if err != nil {
		t.Fatalf("ParseCredentials() = %v", err)
	}
	var got []string
	for k := range c.All() {
		got = append(got, fmt.Sprintf("%s profile=%s account=%s token=%t", k.ID(), k.Profile(), k.Account(), k.HasSessionToken()))
	}
	want := []string{
		"AKIDDEFAULT profile=default account= token=false",
		"AKIDDEV profile=dev account=111122223333 token=false",
		"ASIATEMP profile=temp account= token=true",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseCredentials() mismatch (-want +got):\n%s", diff)
	}
	// The secrets are as written: a request each key signs verifies.
	for k := range c.All() {
		v := sigv4.Verifier{Credentials: c, Now: nowFunc}
		r := request(body)
		secret := map[string]string{"AKIDDEFAULT": "default/secret+key", "AKIDDEV": "dev-secret", "ASIATEMP": "temp-secret"}[k.ID()]
		signer := sigv4.NewKey(k.ID(), secret)
		if k.HasSessionToken() {
			signer = signer.WithSessionToken("token/with=equals")
		}
		sigv4.Sign(r, []byte(body), signer, "us-east-1", "secretsmanager", now)
		if _, _, err := v.Verify(r, []byte(body)); err != nil {
			t.Errorf("Verify() of a request %s signs = %v", k.ID(), err)
		}
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"no secret key", "[a]\naws_access_key_id = AKIDA\n", "profile a: aws_access_key_id AKIDA without aws_secret_access_key"},
		{"no key id", "[a]\naws_secret_access_key = s3cr3t\n", "profile a: aws_secret_access_key without aws_access_key_id"},
		{"one key in two profiles", "[a]\naws_access_key_id = AKID\naws_secret_access_key = s1\n[b]\naws_access_key_id = AKID\naws_secret_access_key = s2\n",
			"access key AKID appears twice (profile a and profile b)"},
		{"account not 12 digits", "[a]\naws_access_key_id = AKID\naws_secret_access_key = s\naws_account_id = 1234\n", `line 4: profile a: aws_account_id "1234" is not 12 digits`},
		{"no profile", "aws_access_key_id = AKID\n", "line 1: a property before any [profile] section"},
		{"not a property", "[a]\nAKID s3cr3t\n", "line 2: neither a [section], a key = value pair nor a comment"},
		{"a section twice", "[a]\n[a]\n", "line 2: profile a appears twice"},
		{"a key twice", "[a]\naws_secret_access_key = s1\naws_secret_access_key = s2\n", "line 3: profile a: aws_secret_access_key appears twice"},
		{"a bad section", "[a\n", "line 1: a section is [name]"},
		{"no keys", "# nothing\n[default]\nregion = us-east-1\n", "no profile holds an aws_access_key_id and an aws_secret_access_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sigv4.ParseCredentials(strings.NewReader(tt.file))
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseCredentials() = %v, want %q", err, tt.want)
			}
			for _, secret := range []string{"s3cr3t", "s1", "s2"} {
				if err != nil && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows a secret", err)
				}
			}
		})
	}
}

// TestKeyHidesSecret checks that no fmt verb and no log line shows a
// key's secret or its token.
func TestKeyHidesSecret(t *testing.T) {
	k := sigv4.NewKey("AKIDDEV", "the-secret").WithSessionToken("the-token").WithAccount("111122223333").WithProfile("dev")
	var log strings.Builder
	slog.New(slog.NewTextHandler(&log, nil)).Info("key", "k", k)
	outs := []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s %q", k, k, k, k, k), fmt.Sprintf("%+v", struct{ K sigv4.Key }{k}), log.String()}
	for _, out := range outs {
		if strings.Contains(out, "the-secret") || strings.Contains(out, "the-token") {
			t.Errorf("%q shows the secret", out)
		}
	}
	if got, want := k.String(), "AKIDDEV (profile dev, account 111122223333)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNewCredentials(t *testing.T) {
	c, err := sigv4.NewCredentials(sigv4.NewKey("B", "b"), sigv4.NewKey("A", "a"))
	if err != nil || c.Len() != 2 {
		t.Fatalf("NewCredentials() = %v, %v", c, err)
	}
	if ids := slices.Collect(func(yield func(string) bool) {
		for k := range c.All() {
			if !yield(k.ID()) {
				return
			}
		}
	}); !slices.Equal(ids, []string{"A", "B"}) {
		t.Errorf("All() = %v, want A then B", ids)
	}
	for _, keys := range [][]sigv4.Key{
		{sigv4.NewKey("", "x")},
		{sigv4.NewKey("A", "")},
		{sigv4.NewKey("A", "x"), sigv4.NewKey("A", "y")},
		{sigv4.NewKey("A", "x").WithAccount("12345678901x")},
	} {
		if _, err := sigv4.NewCredentials(keys...); err == nil {
			t.Errorf("NewCredentials(%v) = nil error", keys)
		}
	}
}
