package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// The steps of a rotation, the Step of each [RotationEvent], in the order
// Secrets Manager invokes the rotation function with them [D]
// (docs/semantics.md §RT13).
const (
	StepCreate = "createSecret" // make the new version, labelled AWSPENDING, with its value
	StepSet    = "setSecret"    // give the new credentials to the database or service
	StepTest   = "testSecret"   // check that the new credentials work
	StepFinish = "finishSecret" // move AWSCURRENT onto the new version
)

// steps are the steps of a rotation, in order.
var steps = [...]string{StepCreate, StepSet, StepTest, StepFinish}

// RotationEvent is what Secrets Manager invokes a rotation function with
// at each step, in the JSON it sends: {"Step": ..., "SecretId": ...,
// "ClientRequestToken": ..., "RotationToken": ...} [D] (§RT13).
type RotationEvent struct {
	Step               string // one of StepCreate, StepSet, StepTest, StepFinish
	SecretId           string // the secret's ARN
	ClientRequestToken string // the id of the version the rotation makes
	// RotationToken is a token of the rotation, which a function that
	// assumes a role gives back to PutSecretValue; the store does not
	// check it [M].
	RotationToken string `json:",omitempty"`
}

// Invoker invokes rotation functions, named by the RotationLambdaARN given
// to RotateSecret. Its methods are called from many goroutines at once.
type Invoker interface {
	// Check returns nil if function can be invoked, and otherwise why
	// not: RotateSecret then answers AccessDeniedException (§RT6).
	Check(ctx context.Context, function string) error
	// Invoke runs function with event and waits for it to end: a non-nil
	// error is the function's failure, and ends the rotation unfinished.
	Invoke(ctx context.Context, function string, event RotationEvent) error
}

// RotationFunc is a rotation function written in Go: it performs one step
// of a rotation, as an AWS Lambda rotation function does, usually by
// calling the store's operations (GetSecretValue, PutSecretValue,
// UpdateSecretVersionStage) on the secret the event names. It runs on a
// goroutine of its own, never within the operation that started the
// rotation.
type RotationFunc func(ctx context.Context, event RotationEvent) error

// Functions is an [Invoker] of Go rotation functions by their ARN, the
// RotationLambdaARN that RotateSecret is given: a function it does not
// hold cannot be invoked (AccessDeniedException). It must not be changed
// once given to a store.
type Functions map[string]RotationFunc

// ErrNoFunction is the error of [Functions.Check] for an ARN it does not
// hold.
var ErrNoFunction = errors.New("store: no such rotation function")

// Check returns nil if fs holds function, else an error wrapping
// [ErrNoFunction].
func (fs Functions) Check(_ context.Context, function string) error {
	if _, ok := fs[function]; !ok {
		return fmt.Errorf("%w: %s", ErrNoFunction, function)
	}
	return nil
}

// Invoke calls the function fs holds for function with event.
func (fs Functions) Invoke(ctx context.Context, function string, event RotationEvent) error {
	f, ok := fs[function]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoFunction, function)
	}
	return f(ctx, event)
}

// WithInvoker makes RotateSecret, and rotations that fall due (see
// [Store.RunDue]), invoke rotation functions with inv, as Secrets Manager
// invokes Lambda functions: asynchronously, after the operation that
// started the rotation has returned, one step after the other (§RT13).
//
// A store made with neither WithInvoker nor [WithManualRotation] can
// invoke no function: RotateSecret answers AccessDeniedException, as AWS
// does for a function it cannot invoke (§RT6).
func WithInvoker(inv Invoker) Option { return func(s *Store) { s.invoker = inv } }

// WithManualRotation makes RotateSecret start rotations without invoking
// any function: it creates the AWSPENDING version and returns, and the
// caller performs the steps itself (PutSecretValue with the token, then
// UpdateSecretVersionStage to move AWSCURRENT), as tests of rotation
// functions do. It is stagelabel's, not AWS's (§RT7). [WithInvoker] wins
// over it.
func WithManualRotation() Option { return func(s *Store) { s.manual = true } }

// rotations tracks the rotations a store runs: at most one at a time for
// each secret, by ARN; and the window each secret's last rotation that
// fell due was started in.
type rotations struct {
	mu        sync.Mutex
	idle      *sync.Cond            // signalled when running empties
	running   map[string]version.ID // ARN → the version being rotated to
	queued    map[string]queued     // ARN → the rotation to run once the running one ends
	attempted map[string]time.Time  // ARN → when its due rotation was last started
}

// queued is a rotation waiting for its secret's running rotation to end.
type queued struct {
	function string
	id       version.ID
}

// tried returns when a rotation of arn that fell due was last started,
// zero for never.
func (rs *rotations) tried(arn string) time.Time {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.attempted[arn]
}

// attempt records that the rotation of arn that fell due starts at t,
// and reports whether none started at t already.
func (rs *rotations) attempt(arn string, t time.Time) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.attempted == nil {
		rs.attempted = map[string]time.Time{}
	}
	if rs.attempted[arn].Equal(t) {
		return false
	}
	rs.attempted[arn] = t
	return true
}

// begin reports whether a rotation of arn may start, and then marks it
// running.
//
// A rotation asked for while another of the secret runs, to another
// version, is queued and run when that one ends: its RotateSecret was
// answered, so it must run (a new rotation may be asked for as soon as the
// running one's finishSecret has moved AWSCURRENT, before it has ended).
func (rs *rotations) begin(arn, function string, id version.ID, queue bool) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if running, ok := rs.running[arn]; ok {
		if queue && running != id {
			if rs.queued == nil {
				rs.queued = map[string]queued{}
			}
			rs.queued[arn] = queued{function, id}
		}
		return false
	}
	if rs.running == nil {
		rs.running = map[string]version.ID{}
		rs.idle = sync.NewCond(&rs.mu)
	}
	rs.running[arn] = id
	return true
}

// isRunning reports whether a rotation of arn is running.
func (rs *rotations) isRunning(arn string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	_, ok := rs.running[arn]
	return ok
}

// end marks the rotation of arn ended, unless one is queued for arn,
// which it returns to run now, the secret's rotation still running.
func (rs *rotations) end(arn string) (queued, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if q, ok := rs.queued[arn]; ok {
		delete(rs.queued, arn)
		rs.running[arn] = q.id
		return q, true
	}
	delete(rs.running, arn)
	if len(rs.running) == 0 {
		rs.idle.Broadcast()
	}
	return queued{}, false
}

// Wait waits until no rotation the store (any of its namespaces) started
// is running: each has invoked its function for its last step, or ended
// at a step that failed. Rotations started while it waits are waited for
// too.
func (st *Store) Wait() {
	rs := st.rotations
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for len(rs.running) > 0 {
		rs.idle.Wait()
	}
}

// start runs the rotation of the secret arn to version id with
// function, on a goroutine of its own, unless a rotation of the secret is
// running already, and reports whether it started.
func (st *Store) start(function, arn string, id version.ID) bool {
	if !st.rotations.begin(arn, function, id, true) {
		return false
	}
	go st.run(function, arn, id)
	return true
}

// run runs the rotation of the secret arn to version id with function,
// then the one queued for arn meanwhile, if any.
func (st *Store) run(function, arn string, id version.ID) {
	for {
		token, err := st.uuid("RotateSecret")
		if err != nil {
			token = string(id)
		}
		for _, step := range steps {
			e := RotationEvent{Step: step, SecretId: arn, ClientRequestToken: string(id), RotationToken: token}
			if err := st.invoker.Invoke(context.Background(), function, e); err != nil {
				break // the rotation stays unfinished (§RT14)
			}
		}
		q, ok := st.rotations.end(arn)
		if !ok {
			return
		}
		function, id = q.function, q.id
	}
}

// startTest runs what RotateSecret with RotateImmediately false runs: the
// testSecret step alone, on a version id that holds the value of
// AWSCURRENT and carries AWSPENDING, which it then takes off (§RT9).
func (st *Store) startTest(function, arn string, id version.ID) {
	if !st.rotations.begin(arn, function, id, false) {
		return
	}
	go func() {
		defer func() {
			if q, ok := st.rotations.end(arn); ok {
				st.run(q.function, arn, q.id)
			}
		}()
		const op = "RotateSecret"
		made := false
		_, _, err := st.update(op, arn, false, func(r *record, now time.Time) (*record, error) {
			made = false
			cur, ok := r.secret.Find(stage.Current)
			if p, pending := r.secret.Find(stage.Pending); pending && p.ID() != cur.ID() || !ok || !cur.HasValue() {
				return r, nil // a rotation under way, or no value to test with
			}
			v := version.New(id, version.WithCreated(now), version.WithKMSKey(r.meta.kmsKey))
			if text, ok := cur.SecretString(); ok {
				v = v.With(version.WithString(text))
			} else {
				bin, _ := cur.SecretBinary()
				v = v.With(version.WithBinary(bin))
			}
			if _, exists := r.secret.Version(id); exists {
				return r, nil
			}
			s, err := r.secret.Put(v, stage.Pending)
			if err != nil {
				return nil, opError(op, err)
			}
			n := r.clone()
			n.secret, n.pruned = s.Prune(now)
			n.lastChanged, n.touched, made = now, []version.ID{id}, true
			return n, nil
		})
		if err != nil || !made {
			return
		}
		token, _ := st.uuid(op)
		st.invoker.Invoke(context.Background(), function, RotationEvent{Step: StepTest, SecretId: arn, ClientRequestToken: string(id), RotationToken: token})
		st.update(op, arn, false, func(r *record, now time.Time) (*record, error) {
			if !slices.Contains(r.secret.Labels(id), stage.Pending) {
				return r, nil
			}
			s, err := r.secret.MoveLabel(stage.Pending, id, "")
			if err != nil {
				return nil, opError(op, err)
			}
			n := r.clone()
			n.secret, n.lastChanged = s, now
			return n, nil
		})
	}()
}

// reattempt runs again with function the unfinished rotation of r, whose
// AWSPENDING version is not the current one, as the error of
// RotateSecret that refuses a new rotation says it will be (§RT2).
func (st *Store) reattempt(r *record, function string) {
	pending, ok := r.secret.Find(stage.Pending)
	if !ok || st.invoker == nil {
		return
	}
	st.start(function, r.secret.ARN(), pending.ID())
}

// uuid returns a random version 4 UUID, as SDKs make ClientRequestTokens.
func (st *Store) uuid(op string) (string, error) {
	h, err := st.draw(op, "0123456789abcdef", 30)
	if err != nil {
		return "", err
	}
	variant, err := st.draw(op, "89ab", 1)
	if err != nil {
		return "", err
	}
	return h[:8] + "-" + h[8:12] + "-4" + h[12:15] + "-" + variant + h[15:18] + "-" + h[18:], nil
}

// RotationRules is the schedule of a secret's rotation, kept as given: the
// model's constraints are checked [D], not what the schedule means [M].
type RotationRules struct {
	AutomaticallyAfterDays *int64 `json:",omitempty" aws:"automaticallyAfterDays,range=1..1000"`
	Duration               string `json:",omitempty" aws:"duration,omitempty,len=2..3,pattern=[0-9]+h"`                                       // such as "3h"
	ScheduleExpression     string `json:",omitempty" aws:"scheduleExpression,omitempty,len=1..256,pattern=[0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+"` // such as "rate(10 days)"
}

// clone returns a copy of r that shares nothing with it.
func (r *RotationRules) clone() *RotationRules {
	if r == nil {
		return nil
	}
	c := *r
	if r.AutomaticallyAfterDays != nil {
		days := *r.AutomaticallyAfterDays
		c.AutomaticallyAfterDays = &days
	}
	return &c
}

// RotateSecretInput is the input of RotateSecret.
type RotateSecretInput struct {
	SecretId           string         `aws:"secretId,len=1..2048"`
	ClientRequestToken string         `aws:"clientRequestToken,omitempty,len=32..64"`
	RotationLambdaARN  string         `aws:"rotationLambdaARN,len=0..2048"`
	RotationRules      *RotationRules `aws:"rotationRules"`
	RotateImmediately  *bool          // nil: true
}

// RotateSecretOutput is the output of RotateSecret. VersionId is the new
// AWSPENDING version, empty when RotateImmediately was false.
type RotateSecretOutput struct {
	ARN       string `json:",omitzero"`
	Name      string `json:",omitzero"`
	VersionId string `json:",omitzero"`
}

// Errors of RotateSecret [R] (§RT5, §RT6).
const (
	msgNoFunction   = "No Lambda rotation function ARN is associated with this secret."
	msgIncomplete   = "A previous rotation isn't complete. That rotation will be reattempted."
	msgCannotInvoke = "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com."
)

// RotateSecret turns rotation on, keeps the Lambda ARN and rules given,
// and unless RotateImmediately is false starts a rotation: a version
// without value carrying AWSPENDING, as [secret.Secret.Rotate] describes,
// whose id is the ClientRequestToken (§RT1). Then, once it has returned,
// the store invokes the rotation function with the steps createSecret,
// setSecret, testSecret and finishSecret, one after the other, through
// the [Invoker] given with [WithInvoker] (§RT13); a step that fails ends
// the rotation there, leaving AWSPENDING where it is (§RT14). With
// RotateImmediately false it invokes the testSecret step alone, on a
// version it makes and unlabels again (§RT9). [Store.Wait] waits for
// what it started.
//
// LastRotatedDate is set when a rotation ends, by the step that moves
// AWSCURRENT onto the version carrying AWSPENDING (§RT11).
//
// Errors: no rotation function given nor configured,
// InvalidRequestException "No Lambda rotation function ARN is associated
// with this secret." [R]; a function the invoker cannot invoke (or no
// invoker), AccessDeniedException "Secrets Manager cannot invoke the
// specified Lambda function. Ensure that the function policy grants
// access to the principal secretsmanager.amazonaws.com." [R]; a rotation
// under way, InvalidRequestException "A previous rotation isn't complete.
// That rotation will be reattempted.", and the store invokes the function
// again for that rotation (§RT2); no ClientRequestToken,
// InvalidParameterException "You must provide a ClientRequestToken value.
// We recommend a UUID-type value." [R]. Each leaves the secret as it was.
func (st *Store) RotateSecret(in RotateSecretInput) (RotateSecretOutput, error) {
	const op = "RotateSecret"
	if err := Validate(op, in, nil); err != nil {
		return RotateSecretOutput{}, err
	}
	if in.RotationRules != nil {
		if _, err := ParseSchedule(*in.RotationRules); err != nil {
			return RotateSecretOutput{}, err
		}
	}
	immediately := in.RotateImmediately == nil || *in.RotateImmediately
	if immediately && in.ClientRequestToken == "" {
		return RotateSecretOutput{}, noToken(op, stagelabel.ErrInvalidParameter)
	}
	st = st.owner(in.SecretId)
	_, cur, err := st.current(op, in.SecretId, false, st.now())
	if err != nil {
		return RotateSecretOutput{}, err
	}
	if st.replicaOf(cur) {
		return RotateSecretOutput{}, replicaError(op)
	}
	function := in.RotationLambdaARN
	if function == "" {
		function = cur.meta.rotation.lambdaARN
	}
	if err := st.invokable(op, function); err != nil {
		return RotateSecretOutput{}, err
	}
	id := version.ID(in.ClientRequestToken)
	var refused *record // the record whose unfinished rotation refused this one
	old, next, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		refused = nil
		n := r.cloneMeta()
		if immediately {
			s, err := r.secret.Rotate(id, now)
			if err != nil {
				if e := (*stagelabel.Error)(nil); errors.As(err, &e) && e.Message == msgIncomplete {
					refused = r
				}
				return nil, opError(op, err)
			}
			n.secret, n.pruned = s.Prune(now)
			n.lastChanged, n.touched = now, []version.ID{id}
		}
		n.meta.rotation.enabled = true
		n.meta.rotation.lambdaARN = function
		n.meta.rotation.configured = now
		if in.RotationRules != nil {
			n.meta.rotation = n.meta.rotation.withRules(in.RotationRules)
		}
		return n, nil
	})
	if refused != nil {
		st.reattempt(refused, function)
	}
	if err != nil {
		return RotateSecretOutput{}, err
	}
	out := RotateSecretOutput{ARN: next.secret.ARN(), Name: next.secret.Name()}
	if immediately {
		out.VersionId = string(id)
	}
	st.report(op, old, next, version.ID(out.VersionId))
	switch {
	case st.invoker == nil:
	case immediately:
		st.start(function, next.secret.ARN(), id)
	default:
		test := id
		if test == "" {
			token, err := st.uuid(op)
			if err != nil {
				return out, nil // the configuration stands; the test is skipped
			}
			test = version.ID(token)
		}
		st.startTest(function, next.secret.ARN(), test)
	}
	return out, nil
}

// invokable checks that the store can start a rotation with function: that
// one is named (§RT5) and that the invoker can invoke it (§RT6).
func (st *Store) invokable(op, function string) error {
	if function == "" {
		return &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidRequest, Message: msgNoFunction}
	}
	var cause error
	switch {
	case st.invoker != nil:
		cause = st.invoker.Check(context.Background(), function)
	case !st.manual:
		cause = errors.New("store: no invoker (WithInvoker) and no manual rotation (WithManualRotation)")
	}
	if cause != nil {
		return &stagelabel.Error{Op: op, Code: stagelabel.ErrAccessDenied, Message: msgCannotInvoke, Err: cause}
	}
	return nil
}

// completes reports whether moving label onto version to of s completes
// a rotation: AWSCURRENT onto the version that carries AWSPENDING, which
// is what a rotation's finishSecret step does (§RT11).
func completes(s secret.Secret, label stage.Label, to version.ID) bool {
	return label == stage.Current && to != "" && slices.Contains(s.Labels(to), stage.Pending) && !slices.Contains(s.Labels(to), stage.Current)
}

// CancelRotateSecretInput is the input of CancelRotateSecret.
type CancelRotateSecretInput struct {
	SecretId string `aws:"secretId,len=1..2048"`
}

// CancelRotateSecretOutput is the output of CancelRotateSecret. VersionId is
// the version carrying AWSPENDING, if any: the rotation it held is left
// for the caller to clean up.
type CancelRotateSecretOutput struct {
	ARN       string `json:",omitzero"`
	Name      string `json:",omitzero"`
	VersionId string `json:",omitzero"`
}

// CancelRotateSecret turns rotation off. It leaves AWSPENDING where it is
// (the API reference warns that it may be left) [D] (§RT12), and a
// rotation running goes on: its function sees RotationEnabled false.
func (st *Store) CancelRotateSecret(in CancelRotateSecretInput) (CancelRotateSecretOutput, error) {
	const op = "CancelRotateSecret"
	if err := Validate(op, in, nil); err != nil {
		return CancelRotateSecretOutput{}, err
	}
	old, next, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		if !r.meta.rotation.enabled {
			return r, nil
		}
		n := r.cloneMeta()
		n.meta.rotation.enabled, n.lastChanged = false, now
		return n, nil
	})
	if err != nil {
		return CancelRotateSecretOutput{}, err
	}
	st.report(op, old, next, "")
	out := CancelRotateSecretOutput{ARN: next.secret.ARN(), Name: next.secret.Name()}
	if v, ok := next.secret.Find(stage.Pending); ok {
		out.VersionId = string(v.ID())
	}
	return out, nil
}

// nextWindow returns the next rotation window of r: of its schedule,
// after its last rotation, the time rotation was configured and the
// creation of its current value, whichever is latest; the zero Window
// while rotation is off or without a schedule (§RT17).
func (r *record) nextWindow() Window {
	s, last := r.schedule()
	return s.Next(last)
}

// schedule returns the schedule of r while rotation is on, and the time
// its next window follows (§RT17).
func (r *record) schedule() (Schedule, time.Time) {
	rot := r.meta.rotation
	s := rot.schedule
	if !rot.enabled || s == (Schedule{}) { // none, or one an older emulator kept unchecked
		return Schedule{}, time.Time{}
	}
	last := rot.lastRotated
	if rot.configured.After(last) {
		last = rot.configured
	}
	if cur, ok := r.secret.Find(stage.Current); ok && cur.Created().After(last) {
		last = cur.Created()
	}
	return s, last
}

// nextRotationDate returns DescribeSecret's NextRotationDate of r: the
// last second of its next rotation window, zero for none (§RT18).
func nextRotationDate(r *record) Time {
	w := r.nextWindow()
	if w.IsZero() {
		return Time{}
	}
	return Time{w.Close.Add(-time.Second)}
}

// RunDue starts the rotation of every secret, in every namespace of the
// store, whose next rotation window (see [ParseSchedule]) has opened at
// the store's clock, as RotateSecret without parameters would, with a
// random token (§RT19), unless a rotation of the secret is running. A rotation due in a window is started once: one
// that fails is reattempted in the schedule's next window (and by the
// next RotateSecret, §RT2). A secret scheduled for deletion, a
// replica, or a function the invoker cannot invoke is skipped. RunDue
// returns the ARNs of the secrets whose rotation it started, sorted;
// [Store.Wait] waits for them.
func (st *Store) RunDue() []string {
	now := st.now()
	var started []string
	st.spaces.Range(func(_, v any) bool {
		sp := v.(*space).self
		for _, r := range sp.records(now) {
			if sp.rotateDue(r, now) {
				started = append(started, r.secret.ARN())
			}
		}
		return true
	})
	slices.Sort(started)
	return started
}

// rotateDue starts the rotation of r if it has fallen due at now, and
// reports whether it did.
func (st *Store) rotateDue(r *record, now time.Time) bool {
	const op = "RotateSecret"
	if st.replicaOf(r) || !r.meta.deleteAt.IsZero() {
		return false
	}
	arn, function := r.secret.ARN(), r.meta.rotation.lambdaARN
	if st.rotations.isRunning(arn) {
		return false // due once it has ended
	}
	tried := st.rotations.tried(arn)
	// due reports whether the rotation of r has fallen due at now.
	due := func(r *record) bool {
		s, last := r.schedule()
		w := s.Next(last)
		tried := tried
		if p, ok := r.secret.Find(stage.Pending); ok && p.Created().After(tried) {
			tried = p.Created() // a rotation started then, by this store or another
		}
		if !w.IsZero() && !w.Open.After(tried) {
			w = s.Next(tried) // the rotation started then failed: the next window's
		}
		return !w.IsZero() && !now.Before(w.Open)
	}
	if !due(r) || !st.rotations.attempt(arn, now) || st.invokable(op, function) != nil {
		return false
	}
	token, err := st.uuid(op)
	if err != nil {
		return false
	}
	id := version.ID(token)
	var refused *record
	old, next, err := st.update(op, arn, false, func(cur *record, now time.Time) (*record, error) {
		refused = nil
		if cur != r && !due(cur) {
			return cur, nil // another store rotated it in this window (§ST8)
		}
		r := cur
		s, err := r.secret.Rotate(id, now)
		if err != nil {
			if e := (*stagelabel.Error)(nil); errors.As(err, &e) && e.Message == msgIncomplete {
				refused = r
			}
			return nil, opError(op, err)
		}
		n := r.clone()
		n.secret, n.pruned = s.Prune(now)
		n.lastChanged, n.touched = now, []version.ID{id}
		return n, nil
	})
	if refused != nil {
		st.reattempt(refused, function)
		return true
	}
	if err != nil || old == next {
		return false
	}
	st.report(op, old, next, id)
	if st.invoker != nil {
		st.start(function, arn, id)
	}
	return true
}
