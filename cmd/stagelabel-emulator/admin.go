package main

// Operating the emulator: its own endpoints under /_stagelabel/ (health,
// reset), seed files, the log's format and the build's version.

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/seed"
	"github.com/stagelabel/stagelabel/sigv4"
	"github.com/stagelabel/stagelabel/store"
)

// adminPrefix begins the paths of the emulator's own endpoints. The
// Secrets Manager protocol is POST / with X-Amz-Target, so that no path
// under it is one of the protocol's.
const adminPrefix = "/_stagelabel/"

// operating is how the emulator is operated: the flags of this file.
type operating struct {
	seeds      []string // -seed, in their order
	allowReset bool     // -allow-reset
	jsonLog    bool     // -log-format json
	version    bool     // -version
	etcd       string   // -etcd, set by run
}

// operatingFlags defines the flags of this file on flags.
func operatingFlags(flags *flag.FlagSet) *operating {
	o := &operating{}
	flags.Func("seed", "at start, create the secrets of the seed `FILE` (JSON; see the README) that the state does not hold;\nthe file is only read, never written; repeatable", func(v string) error {
		o.seeds = append(o.seeds, v)
		return nil
	})
	flags.BoolVar(&o.allowReset, "allow-reset", false, "let POST /_stagelabel/reset empty a state kept with -state or -etcd (in memory it always may)")
	flags.Func("log-format", "write the log as `text` (key=value lines, the default) or json (one object a line)", func(v string) error {
		switch v {
		case "text", "json":
			o.jsonLog = v == "json"
			return nil
		}
		return errors.New(`want "text" or "json"`)
	})
	flags.BoolVar(&o.version, "version", false, "print the emulator's version (module version, VCS revision, Go version) and exit")
	return o
}

// envPrefix begins the environment variables that give flags: the
// flag's name in upper case, "-" as "_" (STAGELABEL_ALLOW_RESET=true).
const envPrefix = "STAGELABEL_"

// flagsFromEnv sets each flag of flags that the environment (getenv) gives,
// before the command line is parsed, which then overrides it (or, for a
// repeatable flag, adds to it). An empty variable is no variable.
func flagsFromEnv(flags *flag.FlagSet, getenv func(string) string) error {
	var errs []error
	flags.VisitAll(func(f *flag.Flag) {
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if err := flags.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q (-%s): %w", name, v, f.Name, err))
			}
		}
	})
	return errors.Join(errs...)
}

// logger returns the log of the emulator, written to w in the format of
// -log-format.
func (o *operating) logger(w io.Writer) *slog.Logger {
	if o.jsonLog {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// seed creates the secrets of the -seed files that st does not hold.
func (o *operating) seed(st *store.Store, log *slog.Logger) error {
	for _, path := range o.seeds {
		f, err := seed.ReadFile(path)
		if err != nil {
			return fmt.Errorf("-seed: %w", err)
		}
		res, err := seed.Apply(st, f)
		for _, arn := range res.Kept {
			log.Info("seed: kept the secret the state holds", "arn", arn)
		}
		if err != nil && len(res.Created) > 0 {
			return fmt.Errorf("-seed %s: %d secrets created, then: %w", path, len(res.Created), err)
		}
		if err != nil {
			return fmt.Errorf("-seed %s: %w", path, err)
		}
		log.Info("seeded", "file", path, "created", len(res.Created), "kept", len(res.Kept))
	}
	return nil
}

// buildInfo is what the build says of the emulator.
type buildInfo struct {
	Version  string `json:"version"`            // the module's version: "(devel)" for a build of a checkout
	Revision string `json:"revision,omitempty"` // the VCS revision built, when the build recorded it
	Time     string `json:"revisionTime,omitempty"`
	Modified bool   `json:"modified,omitempty"` // the checkout had changes
	Go       string `json:"go"`
}

// readBuildInfo returns what the build recorded.
func readBuildInfo() buildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return buildInfo{Version: "(unknown)", Go: runtime.Version()}
	}
	return fromBuildInfo(bi)
}

// fromBuildInfo returns what bi says of the emulator. The go command
// records a version, such as v0.1.0, when it builds a module it
// downloaded, or a pseudo-version, such as
// v0.0.0-20261126101604-d950c8936cde(+dirty), with the VCS settings, when
// it builds a checkout it recognizes (not a git worktree, whose .git is a
// file, nor with -buildvcs=false); else "(devel)".
func fromBuildInfo(bi *debug.BuildInfo) buildInfo {
	b := buildInfo{Version: bi.Main.Version, Go: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String returns such a line as "stagelabel-emulator v0.1.0 (revision
// 0123abc, 2026-11-26T10:02:00Z, modified) go1.26.8".
func (b buildInfo) String() string {
	var vcs []string
	if b.Revision != "" {
		vcs = append(vcs, "revision "+b.Revision)
	}
	if b.Time != "" {
		vcs = append(vcs, b.Time)
	}
	if b.Modified {
		vcs = append(vcs, "modified")
	}
	line := "stagelabel-emulator " + b.Version
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	return line + " " + b.Go
}

// admin serves the emulator's own endpoints, and passes every other
// request to the Secrets Manager handler.
type admin struct {
	api        *awsjson.Handler
	st         *store.Store
	started    time.Time
	state      string          // -state, absolute; "" for memory or etcd
	etcd       string          // -etcd's endpoints; "" for memory or bbolt
	allowReset bool            // -allow-reset
	verifier   *sigv4.Verifier // of -credentials; nil without
	build      buildInfo
	log        *slog.Logger
}

// route is one endpoint: its method and what answers it, returning the
// status and the JSON body.
type route struct {
	method string
	serve  func(a *admin, r *http.Request, signed bool) (int, any)
}

// routes are the endpoints, by path.
var routes = map[string]route{
	adminPrefix + "health": {http.MethodGet, (*admin).health},
	adminPrefix + "reset":  {http.MethodPost, (*admin).reset},
}

// handler returns the emulator's handler: api, with the endpoints under
// /_stagelabel/ beside it.
func (o *operating) handler(api *awsjson.Handler, st *store.Store, state string, verifier *sigv4.Verifier, log *slog.Logger) http.Handler {
	if state != "" {
		if abs, err := filepath.Abs(state); err == nil {
			state = abs
		}
	}
	return &admin{api: api, st: st, started: time.Now(), state: state, etcd: o.etcd, allowReset: o.allowReset, verifier: verifier, build: readBuildInfo(), log: log}
}

// ServeHTTP answers r: from the endpoints when its path is under
// /_stagelabel/, else from the Secrets Manager handler.
func (a *admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, adminPrefix) {
		a.api.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	status, body := a.serve(r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(body)
	a.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.Duration("duration", time.Since(start)))
}

// failure is the body of an endpoint's refusal.
type failure struct {
	Error string `json:"error"`
}

// serve checks r, as the Secrets Manager handler checks its requests and
// more, and answers it.
func (a *admin) serve(r *http.Request) (int, any) {
	switch {
	case !a.api.AllowsHost(r.Host):
		// As the protocol's: a page cannot reach these through DNS rebinding.
		return http.StatusMisdirectedRequest, failure{fmt.Sprintf("This server does not answer for the host '%s'; it answers for IP addresses, localhost and the names given with -allow-host.", r.Host)}
	case r.Header.Get("Origin") != "":
		// A browser sends one with a page's request to another origin,
		// and sends a simple POST without asking first: a page the user
		// visits must not reset the emulator on localhost.
		return http.StatusForbidden, failure{"Requests from web pages (with an Origin header) are refused."}
	case r.Header.Get("X-Amz-Target") != "":
		return http.StatusBadRequest, failure{fmt.Sprintf("%s is the emulator's own endpoint, not Secrets Manager's: Secrets Manager requests (X-Amz-Target) go to /.", r.URL.Path)}
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		return http.StatusNotFound, failure{fmt.Sprintf("No endpoint %s: the emulator's are GET %shealth, POST %sreset and POST %sclock.", r.URL.Path, adminPrefix, adminPrefix, adminPrefix)}
	}
	if r.Method != rt.method {
		return http.StatusMethodNotAllowed, failure{fmt.Sprintf("%s takes %s, not %s.", r.URL.Path, rt.method, r.Method)}
	}
	signed := false
	if a.verifier != nil {
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, awsjson.MaxBodyBytes))
		if err != nil {
			return http.StatusBadRequest, failure{"The request body could not be read: " + err.Error()}
		}
		_, _, err = a.verifier.Verify(r, body)
		signed = err == nil
		if err != nil && rt.method != http.MethodGet {
			msg := err.Error()
			if e := (*stagelabel.Error)(nil); errors.As(err, &e) {
				msg = e.ErrorCode() + ": " + e.ErrorMessage()
			}
			return http.StatusForbidden, failure{"With -credentials, " + r.URL.Path + " takes requests signed (SigV4, service secretsmanager) by one of its keys: " + msg}
		}
	}
	return rt.serve(a, r, signed)
}

// health is the body of GET /_stagelabel/health.
type health struct {
	Status        string      `json:"status"` // "ok"
	Build         buildInfo   `json:"build"`
	Started       time.Time   `json:"started"`
	UptimeSeconds float64     `json:"uptimeSeconds"`
	State         *stateInfo  `json:"state,omitempty"`
	Namespaces    []namespace `json:"namespaces,omitempty"`
}

// stateInfo says where the secrets are kept.
type stateInfo struct {
	Backend   string `json:"backend"`             // "memory", "bbolt" or "etcd"
	Path      string `json:"path,omitempty"`      // of the bbolt database
	Endpoints string `json:"endpoints,omitempty"` // of the etcd cluster
}

// namespace is one region and account and its number of secrets.
type namespace struct {
	Region  string `json:"region"`
	Account string `json:"account"`
	Secrets int    `json:"secrets"`
}

// health answers GET /_stagelabel/health: the emulator is serving, its
// build, since when, where it keeps the secrets and how many it holds in
// each namespace. With -credentials, the last two only to a request
// signed by one of its keys.
func (a *admin) health(_ *http.Request, signed bool) (int, any) {
	h := health{Status: "ok", Build: a.build, Started: a.started.UTC().Truncate(time.Second),
		UptimeSeconds: time.Since(a.started).Round(time.Millisecond).Seconds()}
	if a.verifier != nil && !signed {
		return http.StatusOK, h
	}
	h.State = &stateInfo{Backend: "memory"}
	if a.state != "" {
		h.State = &stateInfo{Backend: "bbolt", Path: a.state}
	}
	if a.etcd != "" {
		h.State = &stateInfo{Backend: "etcd", Endpoints: a.etcd}
	}
	h.Namespaces = []namespace{}
	for _, ns := range a.st.Namespaces() {
		st, err := a.st.In(ns)
		if err != nil { // a namespace the store made: valid
			continue
		}
		h.Namespaces = append(h.Namespaces, namespace{Region: ns.Region, Account: ns.Account, Secrets: st.Len()})
	}
	return http.StatusOK, h
}

// resetDone is the body of POST /_stagelabel/reset's answer.
type resetDone struct {
	Removed int    `json:"removed"`
	Error   string `json:"error,omitempty"`
}

// reset answers POST /_stagelabel/reset: it removes every secret of every
// namespace, unless the state is kept in a database and -allow-reset was
// not given.
func (a *admin) reset(*http.Request, bool) (int, any) {
	if a.state != "" && !a.allowReset {
		return http.StatusForbidden, failure{fmt.Sprintf("Reset refused: the secrets are kept in %s (-state), and a reset would delete them for good. Start the emulator with -allow-reset to allow it.", a.state)}
	}
	if a.etcd != "" && !a.allowReset {
		return http.StatusForbidden, failure{fmt.Sprintf("Reset refused: the secrets are kept in the etcd cluster at %s (-etcd), and a reset would delete them for good. Start the emulator with -allow-reset to allow it.", a.etcd)}
	}
	removed, err := a.st.Reset()
	if err != nil {
		a.log.Error("reset failed", "removed", removed, "err", err)
		return http.StatusInternalServerError, resetDone{removed, fmt.Sprintf("The reset stopped after %d secrets: a removal could not be saved (the log has the cause).", removed)}
	}
	a.log.Info("reset", "removed", removed)
	return http.StatusOK, resetDone{Removed: removed}
}
