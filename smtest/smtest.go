package smtest

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/seed"
	"github.com/stagelabel/stagelabel/sigv4"
	"github.com/stagelabel/stagelabel/store"
)

// The credentials of [Emulator.Config]: dummy, as an emulator needs
// none, and an access key id that is not 12 digits, so that requests are
// served in the emulator's account.
const (
	AccessKeyID     = "AKIDSMTEST"
	SecretAccessKey = "smtest-secret-access-key"
)

// Emulator is a Secrets Manager emulator serving one test. Create it with
// [New]; it stops when the test ends. Its methods are safe for concurrent
// use.
type Emulator struct {
	t      testing.TB
	srv    *httptest.Server
	st     *store.Store
	clock  *store.Clock // nil when the store was given (WithStore)
	cfg    aws.Config
	client *secretsmanager.Client
}

// options are what the [Option]s set.
type options struct {
	region, account string
	storeOpts       []store.Option
	st              *store.Store
	log             *slog.Logger
	seeds           []string
}

// Option configures an [Emulator].
type Option func(*options)

// WithRegion sets the emulator's region: that of [Emulator.Config] and
// [Emulator.Client], of [Emulator.Store]'s namespace and of requests whose
// signature names none. By default "us-east-1". It must be shaped as
// AWS's region names are ("eu-west-1"), or [New] fails the test.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithAccount sets the emulator's account: that of [Emulator.Store]'s
// namespace and of requests whose access key id is not 12 digits, as
// [Emulator.Client]'s is not. By default "123456789012". It must be 12
// digits, or [New] fails the test.
func WithAccount(account string) Option { return func(o *options) { o.account = account } }

// WithStoreOptions adds options to those the emulator makes its store
// with, after its own (region, account, clock): such as
// store.WithRandom(rand.NewChaCha8(seed)) for the same ARN suffixes in
// every run, or store.WithObserver to see each change. A store.WithClock
// among them replaces the emulator's clock, which [Emulator.Advance] then
// no longer moves.
func WithStoreOptions(opts ...store.Option) Option {
	return func(o *options) { o.storeOpts = append(o.storeOpts, opts...) }
}

// WithStore makes the emulator serve st, such as a store loaded from a
// snapshot ([store.Load]) or opened over a backend ([store.Open]), in
// place of a new one. Its namespace is the emulator's region and account
// (any [WithRegion] and [WithAccount] are ignored), and [WithStoreOptions]
// is ignored. The emulator does not hold st's clock: [Emulator.Advance]
// fails the test.
func WithStore(st *store.Store) Option { return func(o *options) { o.st = st } }

// WithLogger makes the emulator log one line per request to l (the
// operation, the secret named, the HTTP status and the duration; never a
// value or a credential).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithSeed adds the secrets of the seed file at path (the format of
// [seed], the same as the emulator's -seed) to the emulator's store before
// it serves. [New] fails the test when the file cannot be read or a secret
// of it breaks a rule. For a seed made in the test, call [seed.Apply] on
// [Emulator.Store].
func WithSeed(path string) Option { return func(o *options) { o.seeds = append(o.seeds, path) } }

// New starts an emulator, empty unless the options say otherwise, on
// 127.0.0.1, and stops it when the test and its subtests end
// (t.Cleanup). It fails the test (t.Fatalf) when an option is not valid.
func New(t testing.TB, opts ...Option) *Emulator {
	t.Helper()
	o := options{region: "us-east-1", account: "123456789012"}
	for _, opt := range opts {
		opt(&o)
	}
	e := &Emulator{t: t, st: o.st}
	if e.st == nil {
		if !sigv4.IsRegion(o.region) || !sigv4.IsAccount(o.account) {
			t.Fatalf("smtest.New: region %q, account %q: a region is such a name as eu-west-1, an account 12 digits", o.region, o.account)
		}
		e.clock = &store.Clock{}
		o.storeOpts = append([]store.Option{store.WithRegion(o.region), store.WithAccount(o.account), store.WithClock(e.clock.Now)}, o.storeOpts...)
		e.st = store.New(o.storeOpts...)
	}
	ns := e.st.Namespace()
	for _, path := range o.seeds {
		if err := applySeed(e.st, path, o.storeOpts); err != nil {
			t.Fatalf("smtest.New: %v", err)
		}
	}
	handlerOpts := []awsjson.Option{awsjson.WithIdentity(awsjson.Identity{Account: ns.Account, Region: ns.Region},
		func(id awsjson.Identity) (*store.Store, error) {
			return e.st.In(store.Namespace{Account: id.Account, Region: id.Region})
		})}
	if o.log != nil {
		handlerOpts = append(handlerOpts, awsjson.WithLogger(o.log))
	}
	e.srv = httptest.NewServer(awsjson.New(e.st, handlerOpts...))
	t.Cleanup(e.srv.Close)
	e.cfg = aws.Config{
		Region:       ns.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(e.srv.URL),
		HTTPClient:   e.srv.Client(),
	}
	e.client = secretsmanager.NewFromConfig(e.cfg)
	return e
}

// applySeed adds the secrets of the seed file at path to st, building
// them with opts.
func applySeed(st *store.Store, path string, opts []store.Option) error {
	file, err := seed.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := seed.Apply(st, file, opts...); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// URL returns the emulator's endpoint, such as "http://127.0.0.1:41093":
// what AWS_ENDPOINT_URL_SECRETS_MANAGER or the CLI's --endpoint-url take.
func (e *Emulator) URL() string { return e.srv.URL }

// Config returns the configuration of [Emulator.Client]: the emulator's
// region, static dummy credentials ([AccessKeyID], [SecretAccessKey]),
// BaseEndpoint set to [Emulator.URL] and the server's HTTP client, with
// the SDK's defaults for the rest (retries included). Change a copy to
// make other clients: another region reaches that region's secrets.
func (e *Emulator) Config() aws.Config { return e.cfg.Copy() }

// Client returns a Secrets Manager client of the emulator, made from
// [Emulator.Config]. The same client each time.
func (e *Emulator) Client() *secretsmanager.Client { return e.client }

// Store returns the store the emulator serves: that of its region and
// account, whose [store.Store.In] gives the others. What the store does
// through its methods, clients see, and the reverse.
func (e *Emulator) Store() *store.Store { return e.st }

// Now returns the time of the emulator's clock: the system time, plus
// every [Emulator.Advance] so far.
func (e *Emulator) Now() time.Time {
	if e.clock == nil {
		return time.Now()
	}
	return e.clock.Now()
}

// Advance moves the emulator's clock forward by d and returns its new
// time: what the store reads for every timestamp, for the end of a
// recovery window and for the day of a read. Call it from the test's
// goroutine: it fails the test (t.Fatalf) when d is negative, as a store's
// clock never moves back, or when the store was given with [WithStore].
func (e *Emulator) Advance(d time.Duration) time.Time {
	e.t.Helper()
	if e.clock == nil {
		e.t.Fatalf("smtest: Advance: the emulator serves a store given with WithStore, whose clock it does not hold")
	}
	now, err := e.clock.Advance(d)
	if err != nil {
		e.t.Fatalf("smtest: Advance(%v): %v", d, err)
	}
	return now
}

// String returns "smtest.Emulator at <URL>".
func (e *Emulator) String() string { return fmt.Sprintf("smtest.Emulator at %s", e.srv.URL) }
