// Command stagelabel-emulator serves AWS Secrets Manager's JSON protocol on
// a local address, with stagelabel's semantics behind it, for SDKs, the
// AWS CLI and tests pointed at it:
//
//	go run ./cmd/stagelabel-emulator -addr 127.0.0.1:4566 -state secrets.json
//	aws --endpoint-url http://127.0.0.1:4566 secretsmanager list-secrets
//
// It logs one line per request (operation, secret, status, duration; never
// a value or a credential). With -state it loads the file at start and
// saves it atomically after every change, before answering, and at
// shutdown, so an acknowledged change survives a crash; a change it could
// not save is answered InternalServiceError. Reads (LastAccessedDate) are
// saved with the next change or at shutdown. SIGINT or SIGTERM
// shut it down cleanly. Request signatures are not checked.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "stagelabel-emulator:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done. ready, if not nil, gets the address
// listened on once requests can be sent.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) error {
	flags := flag.NewFlagSet("stagelabel-emulator", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:4566", "address to listen on")
	state := flags.String("state", "", "JSON snapshot file: loaded at start, saved after each change and at shutdown")
	region := flags.String("region", "us-east-1", "region in the ARNs of new secrets")
	account := flags.String("account", "123456789012", "account id in the ARNs of new secrets")
	if err := flags.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	p := &persister{path: *state, log: log}
	st, err := p.open(store.WithRegion(*region), store.WithAccount(*account), store.WithObserver(p.changed))
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	var handler http.Handler = awsjson.New(st, awsjson.WithLogger(log))
	if *state != "" {
		handler = guard{handler, p}
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	log.Info("listening", "addr", ln.Addr().String(), "state", *state)
	if ready != nil {
		ready(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	if saveErr := p.save(); saveErr != nil {
		err = errors.Join(err, saveErr)
	}
	log.Info("stopped")
	return err
}

// persister keeps the store in its state file.
type persister struct {
	path     string
	log      *slog.Logger
	failures atomic.Int64 // saves that failed

	mu sync.Mutex // serializes saves
	st *store.Store
}

// open loads the state file, or starts empty when there is none.
func (p *persister) open(opts ...store.Option) (*store.Store, error) {
	if p.path == "" {
		p.st = store.New(opts...)
		return p.st, nil
	}
	f, err := os.Open(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		p.st = store.New(opts...)
		return p.st, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := store.Load(f, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.path, err)
	}
	p.st = st
	return st, nil
}

// changed saves the store after a change, before the change is answered.
func (p *persister) changed(store.Event) {
	if err := p.save(); err != nil {
		p.failures.Add(1)
		p.log.Error("saving state", "err", err)
	}
}

// save writes the store to a new file beside the state file and renames
// it over the state file, so that the file is always whole.
func (p *persister) save() error {
	if p.path == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	tmp, err := os.CreateTemp(filepath.Dir(p.path), filepath.Base(p.path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if err := p.st.Save(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), p.path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(p.path)) // make the rename itself durable
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

// guard holds back each answer until the change it acknowledges is saved:
// when a save failed while the request ran, it answers InternalServiceError
// (HTTP 500) instead, since the change is in memory but maybe not on disk,
// and so not acknowledged.
type guard struct {
	next http.Handler
	p    *persister
}

func (g guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	failures := g.p.failures.Load()
	b := &buffered{header: http.Header{}, code: http.StatusOK}
	g.next.ServeHTTP(b, r)
	if g.p.failures.Load() != failures {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", "InternalServiceError")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"__type":"InternalServiceError","Message":"The change could not be saved."}`)
		return
	}
	maps.Copy(w.Header(), b.header)
	w.WriteHeader(b.code)
	w.Write(b.body.Bytes())
}

// buffered is a ResponseWriter that keeps the answer for guard.
type buffered struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *buffered) Header() http.Header         { return b.header }
func (b *buffered) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *buffered) WriteHeader(code int)        { b.code = code }
