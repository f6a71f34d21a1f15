package awsjson

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/sigv4"
	"github.com/stagelabel/stagelabel/store"
)

// ErrMisdirectedRequest is the code of the refusal of a request whose Host
// header names a host the handler does not answer for ([WithHosts]),
// answered with HTTP 421 Misdirected Request. It is stagelabel's, not
// AWS's [M] (docs/semantics.md §A23).
const ErrMisdirectedRequest stagelabel.Code = "MisdirectedRequestException"

// service is the name of the service in a Secrets Manager request's
// credential scope.
const service = "secretsmanager"

// Identity is the account and the region a request is served in: where
// AWS would look its secrets up.
type Identity struct {
	Account string // 12 digits
	Region  string // such as "eu-west-1"
}

// front is what the handler checks and works out before it runs an
// operation. The zero front checks nothing.
type front struct {
	checkHost bool
	hosts     []string // the names, besides IP addresses and localhost, the handler answers for; lower case
	anyHost   bool     // "*" was among them

	verifier *sigv4.Verifier // nil: signatures are not checked

	stores func(Identity) (*store.Store, error) // nil: the handler's store serves every request
	def    Identity
}

// WithCredentials makes the handler check every request's signature
// against creds (see [sigv4.Verifier.Verify]) and refuse, before reading
// its operation, one that is missing, incomplete, unknown, out of date or
// wrong, with AWS's error and HTTP 400 (docs/semantics.md §A4-§A18). The
// request's account is then its key's, when the credentials know it
// ([WithIdentity]). Empty credentials refuse every request.
func WithCredentials(creds sigv4.Credentials) Option {
	return func(h *Handler) { h.front.verifier = &sigv4.Verifier{Credentials: creds, Service: service} }
}

// WithHosts makes the handler refuse, with HTTP 421 and
// [ErrMisdirectedRequest], a request whose Host header names neither an
// IP address, nor localhost or a name under .localhost, nor one of names
// (compared without case, port or final dot). A web page cannot then
// read or change the secrets through a visitor's browser by pointing a
// name of its own at the handler's address (DNS rebinding): the browser
// sends that name as the Host. "*" among names allows every host. A
// request without a Host header (HTTP/1.0) is served. Without this
// option, every host is served (docs/semantics.md §A23).
func WithHosts(names ...string) Option {
	return func(h *Handler) {
		h.front.checkHost = true
		for _, n := range names {
			n = hostName(n)
			h.front.anyHost = h.front.anyHost || n == "*"
			h.front.hosts = append(h.front.hosts, n)
		}
	}
}

// WithIdentity makes the handler work out each request's [Identity] and
// serve the request from the store stores returns for it (an error it
// returns is answered as the operation's would be). The region is the
// one the request's signature is scoped to when shaped as a region name
// ([sigv4.IsRegion]). The account is, by precedence, its key's
// aws_account_id in the handler's credentials ([WithCredentials]); its
// access key id when that is 12 digits, as AWS emulators take it (real
// key ids encode their account, which stagelabel does not decode) [M];
// else def's. A request without a signature has def's account and
// region. Without [WithCredentials], the signature is read but not
// checked, for a few hundred nanoseconds and no allocation
// (docs/semantics.md §A1-§A3).
func WithIdentity(def Identity, stores func(Identity) (*store.Store, error)) Option {
	return func(h *Handler) { h.front.def, h.front.stores = def, stores }
}

// admit checks request r of operation op (its Host, its signature) and
// returns the store that serves it, and the body when it read it (to check
// the signature), nil otherwise.
func (h *Handler) admit(r *http.Request, op string) (*store.Store, []byte, error) {
	f := &h.front
	if !h.AllowsHost(r.Host) {
		return nil, nil, &stagelabel.Error{Op: op, Code: ErrMisdirectedRequest, Message: fmt.Sprintf(
			"This server does not answer for the host '%s'; it answers for IP addresses, localhost and the names it was given.", r.Host)}
	}
	if f.verifier == nil && f.stores == nil {
		return h.st, nil, nil
	}
	var (
		cred   sigv4.Credential
		key    sigv4.Key
		signed bool
		body   []byte
	)
	if f.verifier != nil {
		var err error
		if body, err = readBody(r, op); err != nil {
			return nil, nil, err
		}
		a, k, err := f.verifier.Verify(r, body)
		if err != nil {
			if e := (*stagelabel.Error)(nil); errors.As(err, &e) {
				e.Op = op
			}
			return nil, nil, err
		}
		cred, key, signed = a.Credential, k, true
	}
	if f.stores == nil {
		return h.st, body, nil
	}
	if !signed {
		cred, signed = sigv4.Identify(r)
	}
	id := f.def
	if signed && sigv4.IsRegion(cred.Region) {
		id.Region = cred.Region
	}
	switch {
	case key.Account() != "":
		id.Account = key.Account()
	case signed && sigv4.IsAccount(cred.AccessKeyID):
		id.Account = cred.AccessKeyID
	}
	st, err := f.stores(id)
	return st, body, err
}

// Verifier returns the verifier of the keys [WithCredentials] gave, which
// paths served beside the handler can check signatures with; nil without
// them.
func (h *Handler) Verifier() *sigv4.Verifier { return h.front.verifier }

// AllowsHost reports whether the handler answers requests whose Host
// header is host: always without [WithHosts], else as WithHosts says. It
// lets paths served beside the handler refuse the hosts it refuses.
func (h *Handler) AllowsHost(host string) bool { return !h.front.checkHost || h.front.allows(host) }

// allows reports whether the handler answers for host, a Host header.
func (f *front) allows(host string) bool {
	if host == "" || f.anyHost {
		return true
	}
	name := hostName(host)
	if _, err := netip.ParseAddr(name); err == nil {
		return true // a page reaches an address by its own name only
	}
	return name == "localhost" || strings.HasSuffix(name, ".localhost") || slices.Contains(f.hosts, name)
}

// hostName returns the name of host, a Host header or a name: without its
// port, brackets or final dot, lower case.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
}

// statusOf returns the HTTP status of an error of code: 500 for
// InternalServiceError, 421 for a host the handler does not answer for,
// 400 for every other, the signature's errors included [R]
// (docs/semantics.md §W2, §W3, §A5, §A23).
func statusOf(code stagelabel.Code) int {
	switch code {
	case stagelabel.ErrInternalService:
		return http.StatusInternalServerError
	case ErrMisdirectedRequest:
		return http.StatusMisdirectedRequest
	}
	return http.StatusBadRequest
}
