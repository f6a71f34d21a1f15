package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/sigv4"
	"github.com/stagelabel/stagelabel/store"
)

// clockPath is the path of the emulator's clock: GET answers its time,
// POST {"advance": "25h"} moves it forward and runs what fell due.
const clockPath = "/_stagelabel/clock"

// invokeTimeout bounds one invocation of a rotation function: Lambda's
// own limit, 15 minutes.
const invokeTimeout = 15 * time.Minute

// dueEvery is how often the emulator looks for rotations that have fallen
// due as its clock runs on by itself: a window is at least an hour long.
var dueEvery = time.Minute

// runDue starts, every dueEvery until ctx ends, the rotations of st that
// have fallen due, so that schedules run in real time as well as when the
// clock is moved.
func runDue(ctx context.Context, st *store.Store, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			st.RunDue()
		}
	}
}

// rotation is what the emulator's rotation flags set up: the invoker of
// rotation functions and the clock that can be moved.
type rotation struct {
	lambdaEndpoint string
	clock          store.Clock
	log            *slog.Logger
}

// addRotationFlags adds -lambda-endpoint to flags.
func addRotationFlags(flags *flag.FlagSet) *rotation {
	r := &rotation{}
	flags.StringVar(&r.lambdaEndpoint, "lambda-endpoint", "", "invoke rotation functions through the Lambda Invoke API at `URL` (such as sam local start-lambda's\nhttp://127.0.0.1:3001); without it, RotateSecret makes the AWSPENDING version and the caller performs the steps")
	return r
}

// options returns the store options of the flags: the clock, and the
// invoker of -lambda-endpoint or manual rotation.
func (r *rotation) options(log *slog.Logger) ([]store.Option, error) {
	r.log = log
	opts := []store.Option{store.WithMovingClock(&r.clock)}
	if r.lambdaEndpoint == "" {
		return append(opts, store.WithManualRotation()), nil
	}
	u, err := url.Parse(r.lambdaEndpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("-lambda-endpoint %q: not an http or https URL", r.lambdaEndpoint)
	}
	return append(opts, store.WithInvoker(&lambda{endpoint: strings.TrimSuffix(u.String(), "/"), client: &http.Client{Timeout: invokeTimeout}, log: log})), nil
}

// handler returns next with the emulator's clock served at clockPath, for
// the hosts api answers, as the emulator's other endpoints are, and, with
// verifier (of -credentials), only to requests signed by one of its keys.
func (r *rotation) handler(next http.Handler, api *awsjson.Handler, verifier *sigv4.Verifier) http.Handler {
	c := &clockHandler{clock: &r.clock, api: api, verifier: verifier, log: r.log}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == clockPath {
			c.ServeHTTP(w, req)
			return
		}
		next.ServeHTTP(w, req)
	})
}

// clockHandler serves the clock.
type clockHandler struct {
	clock    *store.Clock
	api      *awsjson.Handler // whose hosts it answers
	verifier *sigv4.Verifier  // nil: requests need no signature
	log      *slog.Logger
}

// clockAnswer is the answer of clockPath.
type clockAnswer struct {
	Now     time.Time `json:"now"`              // RFC 3339, UTC
	Message string    `json:"message,omitzero"` // why a request was refused
}

func (c *clockHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	answer := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(clockAnswer{Now: c.clock.Now().UTC(), Message: msg})
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<10))
	switch {
	case !c.api.AllowsHost(r.Host):
		answer(http.StatusMisdirectedRequest, "This emulator does not answer for host "+r.Host+".")
		return
	case r.Header.Get("Origin") != "": // a web page's request, as admin.go refuses it
		answer(http.StatusForbidden, "Requests from web pages (with an Origin header) are refused.")
		return
	case err != nil:
		answer(http.StatusBadRequest, "The body could not be read: "+err.Error())
		return
	case r.Method == http.MethodGet:
		answer(http.StatusOK, "")
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", "GET, POST")
		answer(http.StatusMethodNotAllowed, "GET reads the clock, POST moves it.")
		return
	}
	if c.verifier != nil {
		if _, _, err := c.verifier.Verify(r, body); err != nil {
			answer(http.StatusForbidden, err.Error())
			return
		}
	}
	var in struct {
		Advance string `json:"advance"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		answer(http.StatusBadRequest, `The body is not {"advance": "<duration>"}: `+err.Error())
		return
	}
	d, err := time.ParseDuration(in.Advance)
	if err != nil || d < 0 {
		answer(http.StatusBadRequest, fmt.Sprintf("advance %q is not a duration of Go's form (such as 25h or 90m) of zero or more: the clock moves forward only.", in.Advance))
		return
	}
	now, _ := c.clock.Advance(d) // runs what fell due, and waits for the rotations
	c.log.Info("clock", "advance", d.String(), "now", now.UTC().Format(time.RFC3339))
	answer(http.StatusOK, "")
}

// lambda is a [store.Invoker] that calls the Lambda Invoke API,
// POST <endpoint>/2015-03-31/functions/<name>/invocations, which AWS
// Lambda, sam local start-lambda, the Lambda Runtime Interface Emulator and
// LocalStack serve.
type lambda struct {
	endpoint string // without a final slash
	client   *http.Client
	log      *slog.Logger
}

// Check asks the endpoint whether it can invoke function with a DryRun
// invocation: an answer other than 2xx, or none, means it cannot.
func (l *lambda) Check(ctx context.Context, function string) error {
	_, _, err := l.post(ctx, function, "DryRun", []byte("{}"))
	if err != nil {
		l.log.Warn("rotation function cannot be invoked", "function", function, "err", err)
	}
	return err
}

// Invoke invokes function with event and waits for its answer: a
// function error (the X-Amz-Function-Error header) or an answer other than
// 2xx is the step's failure.
func (l *lambda) Invoke(ctx context.Context, function string, event store.RotationEvent) error {
	body, err := json.Marshal(event)
	if err != nil {
		return err
	}
	start := time.Now()
	failed, payload, err := l.post(ctx, function, "RequestResponse", body)
	if err == nil && failed != "" {
		var e struct{ ErrorType, ErrorMessage string }
		json.Unmarshal(payload, &e)
		err = fmt.Errorf("function error (%s): %s: %s", failed, e.ErrorType, e.ErrorMessage)
	}
	attrs := []any{"function", function, "step", event.Step, "secret", event.SecretId, "version", event.ClientRequestToken, "duration", time.Since(start).Round(time.Millisecond)}
	if err != nil {
		l.log.Warn("rotation step failed", append(attrs, "err", err)...)
		return err
	}
	l.log.Info("rotation step", attrs...)
	return nil
}

// post invokes function with body and the invocation type, and returns
// the X-Amz-Function-Error header of the answer and its payload.
func (l *lambda) post(ctx context.Context, function, invocation string, body []byte) (functionError string, payload []byte, err error) {
	name, qualifier := functionName(function)
	target := l.endpoint + "/2015-03-31/functions/" + url.PathEscape(name) + "/invocations"
	if qualifier != "" {
		target += "?Qualifier=" + url.QueryEscape(qualifier)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", invocation)
	resp, err := l.client.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	payload, err = io.ReadAll(io.LimitReader(resp.Body, 6<<20)) // Lambda's largest synchronous answer
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Message string } // AWS's "Message", LocalStack's "message": json matches either
		json.Unmarshal(payload, &e)
		msg := e.Message
		if msg == "" {
			msg = strings.TrimSpace(string(payload[:min(len(payload), 200)]))
		}
		return "", nil, fmt.Errorf("%s %s: HTTP %d %s: %s", invocation, name, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), msg)
	}
	return resp.Header.Get("X-Amz-Function-Error"), payload, nil
}

// functionName returns the name of the Lambda function that
// RotationLambdaARN names, arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>],
// and its qualifier; anything else is taken as the name.
func functionName(arn string) (name, qualifier string) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" {
		return arn, ""
	}
	if len(parts) > 7 {
		qualifier = parts[7]
	}
	return parts[6], qualifier
}
