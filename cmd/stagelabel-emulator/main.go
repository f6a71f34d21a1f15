// Command stagelabel-emulator serves AWS Secrets Manager's JSON protocol on
// a local address, with stagelabel's semantics behind it, for SDKs, the
// AWS CLI and tests pointed at it:
//
//	go run ./cmd/stagelabel-emulator -addr 127.0.0.1:4566 -state secrets.db
//	aws --endpoint-url http://127.0.0.1:4566 secretsmanager list-secrets
//
// It logs one line per request (operation, secret, status, duration; never
// a value or a credential). SIGINT or SIGTERM shut it down cleanly: it
// stops accepting connections, lets the requests in flight finish (for at
// most 10 s), closes the state and exits 0. A second signal ends it at
// once.
//
// # Regions and accounts
//
// One emulator serves every region and account, each a namespace of its
// own: a secret created in eu-west-1 is not one of us-east-1, and its ARN
// names its region and account. A request is served in the region its
// signature is scoped to (the client's region) and in the account of its
// key: its profile's aws_account_id with -credentials, else the access key
// id itself when that is 12 digits, as LocalStack takes it. A request
// whose signature names neither is served in -region and -account
// (us-east-1 and 123456789012 by default). A full ARN of another account
// of the caller's region finds that account's secret; one of another
// region finds nothing (docs/semantics.md §A1-§A3, §N11, §N13).
//
//	AWS_ACCESS_KEY_ID=111111111111 aws --region eu-west-1 --endpoint-url http://127.0.0.1:4566 secretsmanager list-secrets
//
// # Signatures and hosts
//
// Without -credentials, request signatures are read but not checked:
// any access key and secret will do. With -credentials FILE, a file in
// the format of the AWS shared credentials file (~/.aws/credentials),
//
//	[dev]
//	aws_access_key_id = AKIDEXAMPLE
//	aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//	aws_account_id = 111122223333   ; optional
//	aws_session_token = ...         ; optional: requests must then carry it
//
// every request must carry a valid Signature Version 4 from one of its
// keys, made less than 5 minutes ago, or it is refused with AWS's error
// (MissingAuthenticationTokenException, IncompleteSignatureException,
// UnrecognizedClientException, InvalidSignatureException; HTTP 400). A
// profile's aws_account_id is its caller's account. A file that cannot
// be read, a profile with a key id but no secret key (or the reverse), an
// access key id in two profiles or a file with no key stop the emulator
// at start.
//
// A request whose Host header names neither an IP address, nor localhost,
// nor the host of -addr, nor a name given with -allow-host (repeatable,
// or comma-separated; "*" for any) is refused with HTTP 421: a web page
// cannot read the secrets through a visitor's browser by pointing a name
// of its own at the emulator (DNS rebinding). Listening beyond loopback
// (-addr 0.0.0.0:4566) without -credentials lets anyone who can reach the
// address read and change every secret: the emulator says so in a WARN
// line at start. docs/semantics.md §A gives each check, with AWS's texts.
//
//	stagelabel-emulator -addr 0.0.0.0:4566 -credentials creds.ini -allow-host emulator,emulator.internal
//
// # Operating it
//
// Besides the protocol (POST / with X-Amz-Target), the emulator answers
// two endpoints of its own, in JSON, under the same Host check:
//
//	curl http://127.0.0.1:4566/_stagelabel/health          # 200 while it serves: version, uptime, state, secrets per namespace
//	curl -X POST http://127.0.0.1:4566/_stagelabel/reset   # removes every secret of every region and account
//
// A reset of a state kept with -state is refused (HTTP 403) unless
// -allow-reset is given. With -credentials, a reset must be signed by one
// of its keys (curl --aws-sigv4 "aws:amz:us-east-1:secretsmanager"), and
// the health of an unsigned request leaves out the state and the
// namespaces. Requests carrying an Origin header, which browsers add to
// a web page's requests, are refused.
//
// -seed FILE (repeatable) creates, at start, the secrets of a seed file
// that the state does not hold: a JSON file of secrets, each with a name,
// a value or labelled versions, and optionally a description, tags, a
// region and an account (package github.com/stagelabel/stagelabel/seed
// documents the format). The file is read, never written; a secret
// changed since it was seeded keeps its changes. -log-format json writes
// the log as one JSON object a line; -version prints the module version
// and VCS revision the binary was built from.
//
// Every flag can be given in the environment too, for containers, as
// STAGELABEL_ and its name in upper case with "_" for "-"
// (STAGELABEL_ALLOW_HOST=emulator, STAGELABEL_LOG_FORMAT=json); the
// command line overrides it.
//
// # State
//
// Without -state the secrets live in memory and are gone when it stops.
// With -state PATH they live in a bbolt database at PATH, created when
// there is none: each change is committed to it, and synced to disk,
// before it is answered, so an acknowledged change survives a crash or a
// power cut, and a change that cannot be committed is answered
// InternalServiceError (HTTP 500) and leaves no trace, so that a retry
// really retries. Concurrent changes share a sync. The database is
// opened by one emulator at a time; a second one on the same PATH refuses
// to start.
//
// With -etcd ENDPOINTS (comma-separated) they live in that etcd cluster,
// under the keys that begin with stagelabel/ (package etcdstate): each
// change is one etcd transaction, committed before it is answered and
// compared with the secret's revision in etcd. Any number of emulators may
// share a cluster: each follows the others' changes (a watch of the
// prefix) and, before each operation, waits until it has every change
// committed before the operation began, so that together they answer as
// one emulator would, reads included (docs/semantics.md §ST8). When etcd
// does not answer within 5 s (quorum lost), operations are answered
// InternalServiceError (§ST9); a change whose outcome is then unknown is
// served as etcd holds it once etcd answers again. With -etcd-local-reads
// the operations that only read are answered from the emulator's copy
// without asking the cluster: no round trip, but a read may miss another
// emulator's change by as much as the watch lags (§ST10).
//
// A JSON state file written by an older emulator at PATH is migrated on
// the first start: its secrets are written into a new database beside it,
// which then replaces it with a rename, so that a crash leaves either the
// JSON file or the database, whole. Temporary files that a crash of an
// older emulator or of a migration left beside PATH are removed at start.
//
// # Export and import
//
// The JSON snapshot format stays the way to read, copy or seed a state.
// -export FILE writes the state's snapshot to FILE ("-" for standard
// output) and exits without serving; stop the emulator that uses the state
// first. -import FILE adds the secrets of a snapshot to the state at start
// (then serves, or exports); it imports nothing when the file does not load
// or names a secret the state holds already. Snapshots hold secret values:
// keep them as safe as the secrets.
//
//	stagelabel-emulator -state secrets.db -export backup.json
//	stagelabel-emulator -state new.db -import backup.json
//
// # Rotation and time
//
// With -lambda-endpoint URL, RotateSecret and the rotations that fall due
// invoke the secret's rotation function through the Lambda Invoke API at
// URL (POST URL/2015-03-31/functions/<name>/invocations, <name> from the
// RotationLambdaARN), as sam local start-lambda, the Lambda Runtime
// Interface Emulator and LocalStack serve it: createSecret, setSecret,
// testSecret and finishSecret, one after the other, after RotateSecret
// has answered, so that the function can call the emulator back. A
// function the endpoint does not know (a DryRun invocation answered with
// an error) makes RotateSecret fail with AWS's AccessDeniedException; a
// step that fails (X-Amz-Function-Error) leaves the rotation unfinished,
// as in AWS. Each step is logged. Without -lambda-endpoint, RotateSecret
// makes the AWSPENDING version and the caller performs the steps.
//
// The emulator's clock can be moved forward, to reach rotation schedules
// and deletion windows without waiting: POST /_stagelabel/clock with
// {"advance": "25h"} (a Go duration) moves it, starts the rotations that
// fell due, waits for them, and answers {"now": "<RFC 3339 time>"}; GET
// answers the time. It answers only the hosts the emulator answers, and
// with -credentials only requests signed by one of its keys.
//
//	stagelabel-emulator -lambda-endpoint http://127.0.0.1:3001
//	curl -X POST localhost:4566/_stagelabel/clock -d '{"advance":"25h"}'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/sigv4"
	"github.com/stagelabel/stagelabel/store"
)

// Timeouts of the server, sized for the protocol: a request is one small
// JSON body (awsjson reads at most 1 MiB) sent at once by an SDK, and an
// answer is computed in microseconds plus one commit.
const (
	// readHeaderTimeout bounds a new connection's wait for its headers:
	// an SDK sends them at once, so a connection that has sent none after
	// a few seconds is stalled, not slow.
	readHeaderTimeout = 5 * time.Second
	// readTimeout bounds the reading of a whole request: 1 MiB at
	// 1 Mbit/s takes 8 s.
	readTimeout = 30 * time.Second
	// writeTimeout bounds a request from its headers to the end of its
	// answer, commit included: far above a commit's sync (milliseconds),
	// the answer's write (at most a few hundred KiB) and a disk's hiccup.
	writeTimeout = 30 * time.Second
	// idleTimeout outlasts the SDKs' own idle timeout on kept-alive
	// connections (90 s in the Go SDK v2, DefaultHTTPTransportIdleConnTimeout;
	// less in others), so that the client closes an idle connection first
	// and does not send a request on one the server is closing; yet a
	// client that never closes its idle connections (urllib3's pools) does
	// not keep them open for ever.
	idleTimeout = 120 * time.Second
	// maxHeaderBytes is far above an SDK's signed headers (~2 KiB).
	maxHeaderBytes = 64 << 10
	// shutdownTimeout bounds the wait for requests in flight at shutdown.
	shutdownTimeout = 10 * time.Second
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal ends the process at once
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil)
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
	case errors.As(err, new(usageError)):
		os.Exit(2) // the flag package printed the error and the usage
	default:
		fmt.Fprintln(os.Stderr, "stagelabel-emulator:", err)
		os.Exit(1)
	}
}

// usageError is an error in the command line, already reported.
type usageError struct{ error }

const usage = `Usage: stagelabel-emulator [-addr ADDR] [-state PATH | -etcd ENDPOINTS [-etcd-local-reads]] [-import FILE] [-export FILE] [-region R] [-account A]
                           [-credentials FILE] [-allow-host NAME,...] [-lambda-endpoint URL] [-seed FILE]
                           [-allow-reset] [-log-format text|json] [-version]

Serves AWS Secrets Manager's JSON protocol on ADDR. With -state the secrets
are kept in a bbolt database at PATH: every change is on disk before it is
answered. A JSON state file of an older emulator at PATH is migrated to a
database on the first start. With -etcd they are kept in an etcd cluster
instead. With -credentials only requests signed by a
key of FILE are served. Requests for a Host other than an IP address,
localhost, ADDR's host or an -allow-host name are refused. -seed creates
the secrets of a seed file at start. GET /_stagelabel/health says it
serves; POST /_stagelabel/reset removes every secret. SIGINT or SIGTERM
stop it cleanly. Each flag can be given in the environment too, as
STAGELABEL_<NAME> (STAGELABEL_ALLOW_HOST=emulator); the command line wins.

`

// run serves until ctx is done, or exports and returns. stdout gets the
// export to "-"; stderr the log and the usage. ready, if not nil, gets the
// address listened on once requests can be sent.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) (err error) {
	flags := flag.NewFlagSet("stagelabel-emulator", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), usage)
		flags.PrintDefaults()
	}
	addr := flags.String("addr", "127.0.0.1:4566", "`HOST:PORT` to listen on (port 0: any free port); beyond loopback, such as 0.0.0.0:4566,\nanyone who can reach it reads every secret unless -credentials is given")
	state := flags.String("state", "", "bbolt database `PATH` that keeps the secrets, created if missing; every change is\ncommitted before it is answered (a JSON state file of an older emulator there is migrated)")
	importFile := flags.String("import", "", "at start, add the secrets of the JSON snapshot `FILE` (\"-\": standard input) to the state;\nnothing is imported if it does not load or names a secret the state holds")
	etcd := flags.String("etcd", "", "keep the secrets in the etcd cluster at `ENDPOINTS` (comma-separated), under the keys stagelabel/...,\ninstead of -state; every change is committed before it is answered. Emulators sharing a cluster answer as one:\neach follows the others' changes and reads none older than an operation's start")
	localReads := flags.Bool("etcd-local-reads", false, "with -etcd, answer the operations that only read from this emulator's copy, without asking the cluster first:\nno round trip, but a read may miss a change another emulator made, by as much as this one's watch lags")
	exportFile := flags.String("export", "", "write the state as a JSON snapshot to `FILE` (\"-\": standard output) and exit without serving")
	region := flags.String("region", "us-east-1", "`REGION` of requests whose signature names none (a signed request's is its signature's)")
	account := flags.String("account", "123456789012", "`ACCOUNT` (12 digits) of requests whose access key neither is 12 digits nor has an aws_account_id in -credentials")
	credentials := flags.String("credentials", "", "serve only requests signed (SigV4) by a key of `FILE`, in the AWS shared credentials file format\n([profile] sections with aws_access_key_id, aws_secret_access_key, optional aws_account_id and aws_session_token)")
	rot := addRotationFlags(flags)
	var hosts []string
	flags.Func("allow-host", "also answer requests whose Host is `NAME` (repeatable, or comma-separated; \"*\": any host);\nIP addresses, localhost and the host of -addr are always answered", func(v string) error {
		for n := range strings.SplitSeq(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				hosts = append(hosts, n)
			}
		}
		return nil
	})
	ops := operatingFlags(flags) // admin.go: -seed, -allow-reset, -log-format, -version
	// usage reports err, a misuse of the flags, with the usage text.
	usage := func(err error) error {
		fmt.Fprintln(stderr, err)
		flags.Usage()
		return usageError{err}
	}
	if err := flagsFromEnv(flags, os.Getenv); err != nil {
		return usage(err)
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if flags.NArg() > 0 {
		return usage(fmt.Errorf("unexpected argument %q", flags.Arg(0)))
	}
	if ops.version {
		fmt.Fprintln(stdout, readBuildInfo())
		return nil
	}
	log := ops.logger(stderr)
	if !sigv4.IsRegion(*region) || !sigv4.IsAccount(*account) {
		return usage(fmt.Errorf("-region %q -account %q: a region is such a name as eu-west-1, an account 12 digits", *region, *account))
	}
	if *state != "" && *etcd != "" {
		return usage(errors.New("-state and -etcd: give one"))
	}
	opts := []store.Option{store.WithRegion(*region), store.WithAccount(*account)}
	rotOpts, err := rot.options(log)
	if err != nil {
		return usage(err)
	}
	opts = append(opts, rotOpts...)
	if *localReads {
		if *etcd == "" {
			return usage(errors.New("-etcd-local-reads: only with -etcd"))
		}
		opts = append(opts, store.WithLocalReads())
	}

	st := store.New(opts...)
	settle := loading(*state)
	defer settle() // when it does not serve
	if *state != "" {
		if *exportFile != "" && *importFile == "" {
			if _, err := os.Stat(*state); err != nil { // rather than export a new, empty state
				return fmt.Errorf("nothing to export: %w", err)
			}
		}
		db, err := openState(*state, log, opts)
		if err != nil {
			return err
		}
		defer func() {
			if closeErr := db.Close(); closeErr != nil {
				err = errors.Join(err, fmt.Errorf("closing the state %s: %w", *state, closeErr))
			}
		}()
		if st, err = store.Open(db, opts...); err != nil {
			return fmt.Errorf("state %s: %w", *state, err)
		}
	}
	if *etcd != "" {
		db, closeClient, openErr := openEtcd(ctx, *etcd)
		if openErr != nil {
			return openErr
		}
		defer closeClient()
		if st, err = store.Open(db, opts...); err != nil {
			return fmt.Errorf("-etcd %s: %w", *etcd, err)
		}
		ops.etcd = *etcd
	}
	if *importFile != "" {
		if err := importSnapshot(st, *importFile, os.Stdin, log, opts); err != nil {
			return err
		}
	}
	if err := ops.seed(st, log); err != nil {
		return err
	}
	if *exportFile != "" {
		return export(st, *exportFile, *state, stdout, log)
	}

	// Each request is served from the namespace of its account and region.
	front := []awsjson.Option{awsjson.WithLogger(log), awsjson.WithIdentity(awsjson.Identity{Account: *account, Region: *region},
		func(id awsjson.Identity) (*store.Store, error) {
			return st.In(store.Namespace{Account: id.Account, Region: id.Region})
		})}
	if *credentials != "" {
		creds, err := readCredentials(*credentials)
		if err != nil {
			return err
		}
		front = append(front, awsjson.WithCredentials(creds))
	}
	if host, _, err := net.SplitHostPort(*addr); err == nil && host != "" {
		hosts = append(hosts, host)
	}
	front = append(front, awsjson.WithHosts(hosts...))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// The clock (rotation.go) and the other endpoints of the emulator
	// (admin.go) beside the Secrets Manager handler.
	api := awsjson.New(st, front...)
	verifier := api.Verifier() // for the emulator's own endpoints too
	handler := rot.handler(ops.handler(api, st, *state, verifier, log), api, verifier)
	if rot.lambdaEndpoint != "" {
		go runDue(ctx, st, dueEvery)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String(), "state", *state)
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() && *credentials == "" {
		log.Warn("LISTENING BEYOND LOOPBACK WITHOUT -credentials: anyone who can reach this address can read and change every secret; give -credentials FILE to serve only signed requests, or listen on 127.0.0.1",
			"addr", ln.Addr().String())
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	go settle()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	start := time.Now()
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
		return fmt.Errorf("shutting down: requests still running after %v: %w", shutdownTimeout, err)
	}
	log.Info("stopped", "drained", time.Since(start).Round(time.Millisecond))
	return nil
}

// readCredentials reads the shared credentials file at path.
func readCredentials(path string) (sigv4.Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("-credentials: %w", err)
	}
	defer f.Close()
	creds, err := sigv4.ParseCredentials(f)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("-credentials %s: %w", path, err)
	}
	return creds, nil
}
