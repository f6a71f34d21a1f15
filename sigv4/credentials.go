package sigv4

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"strings"
)

// Key is an access key: its id, its secret, and what a service knows of
// it: the session token requests signed with it must carry, if any, the
// account it belongs to and the profile it was read from. Create it with
// [NewKey]; the zero Key is no key. No String, fmt verb or log line shows
// its secret or its token.
type Key struct {
	id, secret, token, account, profile string
}

// NewKey returns the key whose access key id is id and whose secret access
// key is secret.
func NewKey(id, secret string) Key { return Key{id: id, secret: secret} }

// WithSessionToken returns k with the session token every request signed
// with it must carry in X-Amz-Security-Token.
func (k Key) WithSessionToken(token string) Key { k.token = token; return k }

// WithAccount returns k as a key of account, 12 digits.
func (k Key) WithAccount(account string) Key { k.account = account; return k }

// WithProfile returns k as read from the named profile.
func (k Key) WithProfile(profile string) Key { k.profile = profile; return k }

// ID returns the access key id.
func (k Key) ID() string { return k.id }

// Account returns the account of the key, "" when unknown.
func (k Key) Account() string { return k.account }

// Profile returns the profile the key was read from, "" if none.
func (k Key) Profile() string { return k.profile }

// HasSessionToken reports whether requests signed with k must carry a
// session token.
func (k Key) HasSessionToken() bool { return k.token != "" }

// String returns the access key id, with the profile and the account when
// known: "AKIDEXAMPLE (profile dev, account 111122223333)". Never the
// secret or the token.
func (k Key) String() string {
	var about []string
	if k.profile != "" {
		about = append(about, "profile "+k.profile)
	}
	if k.account != "" {
		about = append(about, "account "+k.account)
	}
	if len(about) == 0 {
		return k.id
	}
	return k.id + " (" + strings.Join(about, ", ") + ")"
}

// GoString returns a Go expression for k with its secret and token
// redacted.
func (k Key) GoString() string {
	return fmt.Sprintf("sigv4.Key{ID: %q, Secret: \"(redacted)\", SessionToken: %t, Account: %q, Profile: %q}",
		k.id, k.token != "", k.account, k.profile)
}

// Format makes every fmt verb print k as [Key.String] does (and %#v as
// [Key.GoString]), so that no verb reaches the secret.
func (k Key) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, k.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), k.String())
}

// LogValue makes log/slog log k as [Key.String] does.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Credentials are the access keys a [Verifier] accepts signatures from,
// by access key id. Create them with [NewCredentials] or
// [ParseCredentials]; the zero Credentials hold no key, so that no
// signature verifies. Credentials are immutable and safe to share.
type Credentials struct {
	keys map[string]Key
}

// NewCredentials returns the credentials holding keys. It fails for a key
// without an id or a secret, for two keys of one id, and for an account
// that is not 12 digits.
func NewCredentials(keys ...Key) (Credentials, error) {
	c := Credentials{keys: make(map[string]Key, len(keys))}
	for _, k := range keys {
		switch {
		case k.id == "":
			return Credentials{}, fmt.Errorf("sigv4: %s: a key without an access key id", k.where())
		case k.secret == "":
			return Credentials{}, fmt.Errorf("sigv4: %s: access key %s has no secret access key", k.where(), k.id)
		case k.account != "" && !IsAccount(k.account):
			return Credentials{}, fmt.Errorf("sigv4: %s: account %q is not 12 digits", k.where(), k.account)
		}
		if other, ok := c.keys[k.id]; ok {
			return Credentials{}, fmt.Errorf("sigv4: access key %s appears twice (%s and %s)", k.id, other.where(), k.where())
		}
		c.keys[k.id] = k
	}
	return c, nil
}

// where names where k comes from, for an error.
func (k Key) where() string {
	if k.profile != "" {
		return "profile " + k.profile
	}
	return "key " + k.id
}

// Key returns the key whose access key id is id, and whether there is one.
func (c Credentials) Key(id string) (Key, bool) {
	k, ok := c.keys[id]
	return k, ok
}

// Len returns the number of keys.
func (c Credentials) Len() int { return len(c.keys) }

// All returns the keys, ordered by access key id.
func (c Credentials) All() iter.Seq[Key] {
	return func(yield func(Key) bool) {
		for _, id := range slices.Sorted(maps.Keys(c.keys)) {
			if !yield(c.keys[id]) {
				return
			}
		}
	}
}

// IsAccount reports whether s is shaped as an AWS account id: 12 decimal
// digits (docs/semantics.md §A2).
func IsAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseCredentials reads an AWS shared credentials file (~/.aws/credentials):
//
//	# comment
//	[profile-name]
//	aws_access_key_id = AKIDEXAMPLE
//	aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//	aws_session_token = ...       ; optional
//	aws_account_id = 111122223333 ; optional
//
// Keys are matched without case, values are trimmed, lines beginning with
// # or ; are comments, as is the rest of a line from a # or ; that follows
// a blank, and unknown keys (region, output, role_arn...) and indented
// sub-properties are ignored. A profile without aws_access_key_id and
// aws_secret_access_key holds no key and is skipped. It fails, naming the
// line or the profile but never a secret, for a line that is neither a
// section, a key = value pair nor a comment; a property outside a section;
// a section or a key given twice; a profile with an access key id but no
// secret access key or the reverse; an aws_account_id that is not 12
// digits; one access key id in two profiles; and a file without a key
// (docs/semantics.md §A22).
func ParseCredentials(r io.Reader) (Credentials, error) {
	var keys []Key
	var (
		profile string
		k       Key
		seen    map[string]bool // the keys of the profile
		indent  bool            // the last property opened a block of sub-properties
	)
	profiles := map[string]bool{}
	end := func() error {
		switch {
		case profile == "" || k.id == "" && k.secret == "":
			return nil
		case k.id == "":
			return fmt.Errorf("profile %s: aws_secret_access_key without aws_access_key_id", profile)
		case k.secret == "":
			return fmt.Errorf("profile %s: aws_access_key_id %s without aws_secret_access_key", profile, k.id)
		}
		keys = append(keys, k.WithProfile(profile))
		return nil
	}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if indent && (raw[0] == ' ' || raw[0] == '\t') { // a sub-property: "s3 =\n  max_concurrent_requests = 10"
			continue
		}
		indent = false
		line = stripComment(line)
		if line[0] == '[' {
			name, ok := strings.CutSuffix(line[1:], "]")
			name = strings.TrimSpace(name)
			if !ok || name == "" {
				return Credentials{}, fmt.Errorf("line %d: a section is [name]", n)
			}
			if err := end(); err != nil {
				return Credentials{}, err
			}
			if profiles[name] {
				return Credentials{}, fmt.Errorf("line %d: profile %s appears twice", n, name)
			}
			profiles[name] = true
			profile, k, seen = name, Key{}, map[string]bool{}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return Credentials{}, fmt.Errorf("line %d: neither a [section], a key = value pair nor a comment", n)
		}
		if profile == "" {
			return Credentials{}, fmt.Errorf("line %d: a property before any [profile] section", n)
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		if seen[key] {
			return Credentials{}, fmt.Errorf("line %d: profile %s: %s appears twice", n, profile, key)
		}
		seen[key] = true
		indent = value == ""
		switch key {
		case "aws_access_key_id":
			k.id = value
		case "aws_secret_access_key":
			k.secret = value
		case "aws_session_token":
			k.token = value
		case "aws_account_id":
			if !IsAccount(value) {
				return Credentials{}, fmt.Errorf("line %d: profile %s: aws_account_id %q is not 12 digits", n, profile, value)
			}
			k.account = value
		}
	}
	if err := sc.Err(); err != nil {
		return Credentials{}, err
	}
	if err := end(); err != nil {
		return Credentials{}, err
	}
	if len(keys) == 0 {
		return Credentials{}, errors.New("no profile holds an aws_access_key_id and an aws_secret_access_key")
	}
	c, err := NewCredentials(keys...)
	if err != nil {
		return Credentials{}, errors.New(strings.TrimPrefix(err.Error(), "sigv4: "))
	}
	return c, nil
}

// stripComment cuts line at a # or ; that follows a blank.
func stripComment(line string) string {
	for i := 1; i < len(line); i++ {
		if (line[i] == '#' || line[i] == ';') && (line[i-1] == ' ' || line[i-1] == '\t') {
			return strings.TrimSpace(line[:i])
		}
	}
	return line
}
