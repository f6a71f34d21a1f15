package rotationtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
)

// steps are a rotation's steps, in order.
var steps = []string{"createSecret", "setSecret", "testSecret", "finishSecret"}

// rig is PostgreSQL with a role, the emulator binary with a secret
// holding the role's credentials, and the rotation function served
// through the Lambda Invoke API at the emulator's -lambda-endpoint.
type rig struct {
	pg       *postgres
	sm       *secretsmanager.Client
	key      aws.Credentials // the key the emulator serves
	api      *lambdaAPI
	emulator string
	role     map[string]any // the secret's first value
	arn      string
}

const secretName = "prod/app/postgres"

func newRig(t *testing.T) *rig {
	t.Helper()
	pg := startPostgres(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Served to signed requests only, as an emulator reachable by others
	// would be: the clock too.
	key := aws.Credentials{AccessKeyID: "AKIDROTATIONTEST", SecretAccessKey: "rotationtest-secret-key"}
	creds := filepath.Join(t.TempDir(), "credentials")
	ini := fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", key.AccessKeyID, key.SecretAccessKey)
	if err := os.WriteFile(creds, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, _ := startEmulator(t, "-credentials", creds, "-lambda-endpoint", "http://"+l.Addr().String())
	sm := secretsmanager.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.StaticCredentialsProvider{Value: key},
	}, func(o *secretsmanager.Options) {
		o.BaseEndpoint = aws.String("http://" + addr)
		o.RetryMaxAttempts = 1
	})
	api := newLambdaAPI(&singleUser{sm: sm})
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: api}}
	srv.Start()
	t.Cleanup(srv.Close)

	role := pg.createRole(t, "app", "initial-password")
	value, _ := json.Marshal(role)
	out, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(secretName), SecretString: aws.String(string(value))})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{pg: pg, sm: sm, key: key, api: api, emulator: addr, role: role, arn: aws.ToString(out.ARN)}
}

// clock moves the emulator's clock forward by d, which answers once the
// rotations running and those that fell due have ended, and returns its
// time. With d zero it waits for the rotations running.
func (r *rig) clock(t *testing.T, d time.Duration) time.Time {
	t.Helper()
	status, now, msg := r.postClock(t, d, true)
	if status != http.StatusOK {
		t.Fatalf("POST /_stagelabel/clock {advance: %s} = %d %q", d, status, msg)
	}
	return now
}

// postClock posts {"advance": d} to the emulator's clock, signed with the
// rig's key (SigV4, as for Secrets Manager) when signed, and returns the
// answer's status, time and message.
func (r *rig) postClock(t *testing.T, d time.Duration, signed bool) (status int, now time.Time, msg string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"advance": d.String()})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+r.emulator+"/_stagelabel/clock", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signed {
		sum := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(t.Context(), r.key, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Now     time.Time
		Message string
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatalf("POST /_stagelabel/clock: %d, answer: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, answer.Now, answer.Message
}

// rotate calls RotateSecret with in's members and the secret's ARN, and
// waits for the rotation it starts to end.
func (r *rig) rotate(t *testing.T, in secretsmanager.RotateSecretInput) string {
	t.Helper()
	in.SecretId = aws.String(r.arn)
	out, err := r.sm.RotateSecret(t.Context(), &in)
	if err != nil {
		t.Fatalf("RotateSecret = %v", err)
	}
	r.clock(t, 0)
	return aws.ToString(out.VersionId)
}

// value returns the value of the secret's version with the label stage
// (and the id, unless ""), and its id.
func (r *rig) value(t *testing.T, stage, id string) (map[string]any, string, error) {
	t.Helper()
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.arn), VersionStage: aws.String(stage)}
	if id != "" {
		in.VersionId = aws.String(id)
	}
	out, err := r.sm.GetSecretValue(t.Context(), in)
	if err != nil {
		return nil, "", err
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &v); err != nil {
		t.Fatalf("the %s value: %v", stage, err)
	}
	return v, aws.ToString(out.VersionId), nil
}

// mustValue is value, failing the test on an error.
func (r *rig) mustValue(t *testing.T, stage, id string) (map[string]any, string) {
	t.Helper()
	v, got, err := r.value(t, stage, id)
	if err != nil {
		t.Fatalf("GetSecretValue(%s %s) = %v", stage, id, err)
	}
	return v, got
}

// login reports whether the role logs in with password; it fails the test
// if the refusal is for another reason than the password.
func (r *rig) login(t *testing.T, password any) bool {
	t.Helper()
	creds := maps.Clone(r.role)
	creds["password"] = password
	conn, err := connect(t.Context(), creds)
	if err == nil {
		conn.Close(t.Context())
		return true
	}
	if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "28P01" { // invalid_password
		t.Fatalf("logging in: %v, want a password refused (28P01)", err)
	}
	return false
}

// stages returns the secret's labels by version id.
func (r *rig) stages(t *testing.T) (map[string][]string, *secretsmanager.DescribeSecretOutput) {
	t.Helper()
	d, err := r.sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(r.arn)})
	if err != nil {
		t.Fatal(err)
	}
	return d.VersionIdsToStages, d
}

// checkInvoked checks that the function was invoked, since the last
// check, with the steps want for the version id, all succeeding but the
// last when failed.
func (r *rig) checkInvoked(t *testing.T, id string, want []string, failed bool) {
	t.Helper()
	checkSteps(t, r.api.take(), id, want, failed)
}

// checkSteps checks that invoked are the steps want for the version id,
// all succeeding but the last when failed.
func checkSteps(t *testing.T, invoked []invocation, id string, want []string, failed bool) {
	t.Helper()
	var got []string
	for i, inv := range invoked {
		got = append(got, inv.step)
		if inv.token != id {
			t.Errorf("%s invoked for version %s, want %s", inv.step, inv.token, id)
		}
		if last := i == len(invoked)-1; (inv.err != nil) != (last && failed) {
			t.Errorf("%s: error %v, want an error: %t", inv.step, inv.err, last && failed)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps invoked mismatch (-want +got):\n%s", diff)
	}
}

// checkRotated checks the state after a rotation to the version id from a
// password old: AWSCURRENT on id with a new password that logs in,
// AWSPREVIOUS holding old, which does not. It returns the new password.
func (r *rig) checkRotated(t *testing.T, id string, old any) any {
	t.Helper()
	current, currentID := r.mustValue(t, "AWSCURRENT", "")
	previous, _ := r.mustValue(t, "AWSPREVIOUS", "")
	if currentID != id {
		t.Errorf("AWSCURRENT is on %s, want %s", currentID, id)
	}
	if current["password"] == old {
		t.Errorf("AWSCURRENT holds the old password")
	}
	if previous["password"] != old {
		t.Errorf("AWSPREVIOUS holds another password than the old one")
	}
	delete(current, "password")
	want := jsonCopy(r.role)
	delete(want, "password")
	if diff := cmp.Diff(want, current); diff != "" {
		t.Errorf("AWSCURRENT's other members mismatch (-want +got):\n%s", diff)
	}
	current, _ = r.mustValue(t, "AWSCURRENT", "")
	if !r.login(t, current["password"]) {
		t.Errorf("the password of AWSCURRENT does not log in")
	}
	if r.login(t, old) {
		t.Errorf("the password of AWSPREVIOUS still logs in")
	}
	if stages, _ := r.stages(t); len(stages[id]) != 2 || !slices.Contains(stages[id], "AWSPENDING") {
		t.Errorf("the new version carries %v, want AWSCURRENT and AWSPENDING (§RT8)", stages[id])
	}
	return current["password"]
}

// jsonCopy returns a copy of m with numbers as JSON decodes them.
func jsonCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var c map[string]any
	json.Unmarshal(b, &c)
	return c
}

// TestRotation rotates the role's password twice by RotateSecret, then
// once by a schedule reached by moving the emulator's clock.
func TestRotation(t *testing.T) {
	r := newRig(t)
	password := r.role["password"]
	if !r.login(t, password) {
		t.Fatal("the role's first password does not log in")
	}
	for i := range 2 {
		in := secretsmanager.RotateSecretInput{}
		if i == 0 {
			in.RotationLambdaARN = aws.String(functionARN)
		}
		id := r.rotate(t, in)
		r.checkInvoked(t, id, steps, false)
		password = r.checkRotated(t, id, password)
	}
	_, d := r.stages(t)
	lastRotated := aws.ToTime(d.LastRotatedDate)
	if lastRotated.IsZero() || d.NextRotationDate != nil {
		t.Errorf("after rotations without a schedule: LastRotatedDate %v, NextRotationDate %v", d.LastRotatedDate, d.NextRotationDate)
	}

	// A schedule: the function tests the current credentials, and the
	// rotation runs when the clock has moved into the next day.
	out, err := r.sm.RotateSecret(t.Context(), &secretsmanager.RotateSecretInput{
		SecretId: aws.String(r.arn), RotateImmediately: aws.Bool(false),
		RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(1)},
	})
	if err != nil || out.VersionId != nil {
		t.Fatalf("RotateSecret(RotateImmediately false) = %v, %v; want no VersionId", out, err)
	}
	now := r.clock(t, 0)
	if invoked := r.api.take(); len(invoked) != 1 || invoked[0].step != "testSecret" || invoked[0].err != nil {
		t.Errorf("RotateImmediately false invoked %+v, want testSecret succeeding", invoked)
	}
	stages, d := r.stages(t)
	next := aws.ToTime(d.NextRotationDate)
	if !next.After(now) || next.After(now.Add(48*time.Hour)) {
		t.Errorf("NextRotationDate %v, want within two days of %v", next, now)
	}
	for id, ls := range stages {
		if slices.Contains(ls, "AWSPENDING") {
			t.Errorf("after the test of the configuration, %s carries %v", id, ls)
		}
	}
	// NextRotationDate is the window's last second; a window of
	// AutomaticallyAfterDays opens at the UTC day's start (§RT17, §RT18).
	if status, _, msg := r.postClock(t, 25*time.Hour, false); status != http.StatusForbidden {
		t.Errorf("POST /_stagelabel/clock unsigned = %d %q, want 403", status, msg)
	}
	if now := r.clock(t, 25*time.Hour); now.Before(next.Truncate(24*time.Hour)) || now.After(next) {
		t.Fatalf("the clock moved to %v, outside the window that ends at NextRotationDate %v", now, next)
	}
	invoked := r.api.take()
	if len(invoked) == 0 {
		t.Fatal("moving the clock past NextRotationDate rotated nothing")
	}
	id := invoked[0].token
	checkSteps(t, invoked, id, steps, false)
	if _, ok := stages[id]; ok {
		t.Errorf("the scheduled rotation was to %s, a version that existed", id)
	}
	r.checkRotated(t, id, password)
	if _, d := r.stages(t); !aws.ToTime(d.LastRotatedDate).After(lastRotated) || !aws.ToTime(d.NextRotationDate).After(next) {
		t.Errorf("after the scheduled rotation: LastRotatedDate %v (was %v), NextRotationDate %v (was %v)", d.LastRotatedDate, lastRotated, d.NextRotationDate, next)
	}
}

// TestRotationFailures makes the function fail at each step in turn, and
// checks the secret and the database after the failure (§RT14) and after
// the reattempt that RotateSecret starts (§RT2).
func TestRotationFailures(t *testing.T) {
	r := newRig(t)
	id := r.rotate(t, secretsmanager.RotateSecretInput{RotationLambdaARN: aws.String(functionARN)})
	r.checkInvoked(t, id, steps, false)
	r.checkRotated(t, id, r.role["password"])
	if t.Failed() {
		t.FailNow() // the function does not rotate: its failures would say nothing more
	}
	for i, step := range steps {
		t.Run(step, func(t *testing.T) {
			current, currentID := r.mustValue(t, "AWSCURRENT", "")
			_, d := r.stages(t)
			lastRotated := aws.ToTime(d.LastRotatedDate)

			r.api.failingAt(step)
			id := r.rotate(t, secretsmanager.RotateSecretInput{})
			r.checkInvoked(t, id, steps[:i+1], true)
			stages, d := r.stages(t)
			if !slices.Equal(stages[id], []string{"AWSPENDING"}) || !slices.Contains(stages[currentID], "AWSCURRENT") {
				t.Errorf("after the failure, labels %v; want AWSPENDING alone on %s, AWSCURRENT on %s", stages, id, currentID)
			}
			if !aws.ToTime(d.LastRotatedDate).Equal(lastRotated) {
				t.Errorf("LastRotatedDate %v, was %v", d.LastRotatedDate, lastRotated)
			}
			pending, _, err := r.value(t, "AWSPENDING", id)
			if step == "createSecret" {
				if notFound := (*types.ResourceNotFoundException)(nil); !errors.As(err, &notFound) {
					t.Errorf("GetSecretValue of the pending version = %v, want ResourceNotFoundException: it has no value", err)
				}
			} else if err != nil || pending["password"] == current["password"] {
				t.Errorf("GetSecretValue of the pending version = %v, %v; want a new password", err, pending)
			}
			// Until setSecret has run the current password logs in; from
			// then on the pending one does, and the current one no longer:
			// a single user's rotation cut short locks out the clients
			// that read AWSCURRENT until it is finished.
			set := i > slices.Index(steps, "setSecret")
			if got := r.login(t, current["password"]); got == set {
				t.Errorf("the current password logs in: %t, want %t", got, !set)
			}
			if pending != nil {
				if got := r.login(t, pending["password"]); got != set {
					t.Errorf("the pending password logs in: %t, want %t", got, set)
				}
			}

			r.api.failingAt("")
			_, err = r.sm.RotateSecret(t.Context(), &secretsmanager.RotateSecretInput{SecretId: aws.String(r.arn)})
			var invalid *types.InvalidRequestException
			if !errors.As(err, &invalid) || invalid.ErrorMessage() != "A previous rotation isn't complete. That rotation will be reattempted." {
				t.Errorf("RotateSecret after the failure = %v, want InvalidRequestException (§RT2)", err)
			}
			r.clock(t, 0)
			r.checkInvoked(t, id, steps, false)
			r.checkRotated(t, id, current["password"])
		})
	}
}
