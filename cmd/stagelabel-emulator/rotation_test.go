package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// rotateARN is the ARN of the function lambdaAPI serves.
const rotateARN = "arn:aws:lambda:us-east-1:123456789012:function:rotate"

// lambdaAPI serves the Lambda Invoke API for one function, "rotate", a
// rotation function doing what AWS's rotation template does, through
// the emulator's HTTP API: the event's steps, each failing when it is
// failAt.
type lambdaAPI struct {
	mu       sync.Mutex
	emulator string // the emulator's address, set once it listens
	failAt   string
	steps    []string // the steps invoked, in order
	versions []string // the ClientRequestToken of each
}

func (l *lambdaAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
	name, ok2 := strings.CutSuffix(name, "/invocations")
	if !ok || !ok2 || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if name != "rotate" {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:%s"}`, name)
		return
	}
	if r.Header.Get("X-Amz-Invocation-Type") == "DryRun" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var e struct{ Step, SecretId, ClientRequestToken, RotationToken string }
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil || e.RotationToken == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	l.mu.Lock()
	l.steps, l.versions = append(l.steps, e.Step), append(l.versions, e.ClientRequestToken)
	fail, addr := l.failAt == e.Step, l.emulator
	l.mu.Unlock()
	err := fmt.Errorf("failing at %s", e.Step)
	if !fail {
		err = templateStep(addr, e.Step, e.SecretId, e.ClientRequestToken)
	}
	if err != nil {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		json.NewEncoder(w).Encode(map[string]string{"errorType": "Exception", "errorMessage": err.Error()})
		return
	}
	fmt.Fprint(w, "null")
}

// invoked returns the steps invoked so far, and the versions they were
// for, and forgets them.
func (l *lambdaAPI) invoked() (steps, versions []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	steps, versions, l.steps, l.versions = l.steps, l.versions, nil, nil
	return steps, versions
}

// templateStep performs one step of AWS's rotation template against the
// emulator at addr.
func templateStep(addr, step, arn, token string) error {
	do := func(op, body string) (int, map[string]any, error) { return call(http.DefaultClient, addr, op, body) }
	status, d, err := do("DescribeSecret", fmt.Sprintf(`{"SecretId":%q}`, arn))
	if err != nil || status != 200 {
		return fmt.Errorf("DescribeSecret: %d %v %v", status, d, err)
	}
	if d["RotationEnabled"] != true {
		return fmt.Errorf("rotation is not enabled")
	}
	stagesOf := func(id string) []any { ls, _ := d["VersionIdsToStages"].(map[string]any)[id].([]any); return ls }
	switch ls := stagesOf(token); {
	case slices.Contains(ls, any("AWSCURRENT")):
		return nil
	case !slices.Contains(ls, any("AWSPENDING")):
		return fmt.Errorf("version %s is not AWSPENDING", token)
	}
	pending := fmt.Sprintf(`{"SecretId":%q,"VersionId":%q,"VersionStage":"AWSPENDING"}`, arn, token)
	switch step {
	case "createSecret":
		if status, _, err := do("GetSecretValue", pending); err != nil || status == 200 {
			return err
		}
		status, out, err := do("PutSecretValue", fmt.Sprintf(`{"SecretId":%q,"ClientRequestToken":%q,"SecretString":"rotated","VersionStages":["AWSPENDING"]}`, arn, token))
		if err != nil || status != 200 {
			return fmt.Errorf("PutSecretValue: %d %v %v", status, out, err)
		}
	case "testSecret":
		if status, out, err := do("GetSecretValue", pending); err != nil || status != 200 {
			return fmt.Errorf("GetSecretValue: %d %v %v", status, out, err)
		}
	case "finishSecret":
		current := ""
		for id, ls := range d["VersionIdsToStages"].(map[string]any) {
			if slices.Contains(ls.([]any), any("AWSCURRENT")) {
				current = id
			}
		}
		status, out, err := do("UpdateSecretVersionStage", fmt.Sprintf(`{"SecretId":%q,"VersionStage":"AWSCURRENT","RemoveFromVersionId":%q,"MoveToVersionId":%q}`, arn, current, token))
		if err != nil || status != 200 {
			return fmt.Errorf("UpdateSecretVersionStage: %d %v %v", status, out, err)
		}
	}
	return nil
}

// waitFor polls the stages of secret db until cond holds of them, for at
// most 10 s.
func waitFor(t *testing.T, addr string, what string, cond func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := mustSend(t, addr, "DescribeSecret", `{"SecretId":"db"}`)
		stages, _ := d["VersionIdsToStages"].(map[string]any)
		if cond(stages) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 10 s: %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// current returns a test of stages: that version id carries AWSCURRENT.
func current(id string) func(map[string]any) bool {
	return func(stages map[string]any) bool {
		ls, _ := stages[id].([]any)
		return slices.Contains(ls, any("AWSCURRENT"))
	}
}

// TestLambdaEndpoint runs rotations through -lambda-endpoint against a
// Lambda Invoke API served here: a rotation, a function the endpoint
// does not know, a failing step and its reattempt, and a scheduled
// rotation reached by moving the clock.
func TestLambdaEndpoint(t *testing.T) {
	api := &lambdaAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	addr, log, stop := emulator(t, "-lambda-endpoint", srv.URL)
	defer stop()
	api.mu.Lock()
	api.emulator = addr
	api.mu.Unlock()
	v1, v2, v3, v4 := token(1, 0, 0), token(2, 0, 0), token(3, 0, 0), token(4, 0, 0)
	mustSend(t, addr, "CreateSecret", fmt.Sprintf(`{"Name":"db","ClientRequestToken":%q,"SecretString":"one"}`, v1))

	out := mustSend(t, addr, "RotateSecret", fmt.Sprintf(`{"SecretId":"db","ClientRequestToken":%q,"RotationLambdaARN":%q}`, v2, rotateARN))
	if out["VersionId"] != v2 {
		t.Errorf("RotateSecret VersionId = %v, want %s", out["VersionId"], v2)
	}
	d := waitFor(t, addr, "rotation to "+v2, current(v2))
	if steps, _ := api.invoked(); !slices.Equal(steps, []string{"createSecret", "setSecret", "testSecret", "finishSecret"}) {
		t.Errorf("steps invoked = %v", steps)
	}
	if d["LastRotatedDate"] == nil || d["RotationLambdaARN"] != rotateARN {
		t.Errorf("DescribeSecret after the rotation = %v", d)
	}

	// A function the endpoint does not know: AWS's refusal, nothing stored.
	status, out := send(t, addr, "RotateSecret", fmt.Sprintf(`{"SecretId":"db","ClientRequestToken":%q,"RotationLambdaARN":"arn:aws:lambda:us-east-1:123456789012:function:nope"}`, v3))
	if status != 400 || out["__type"] != "AccessDeniedException" || out["Message"] != "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com." {
		t.Errorf("RotateSecret with an unknown function = %d %v", status, out)
	}

	// A step that fails leaves the rotation unfinished; the next
	// RotateSecret is refused and reattempts it.
	api.mu.Lock()
	api.failAt = "setSecret"
	api.mu.Unlock()
	mustSend(t, addr, "RotateSecret", fmt.Sprintf(`{"SecretId":"db","ClientRequestToken":%q}`, v3))
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.String(), "rotation step failed"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no failed step logged:\n%s", log)
		}
	}
	if steps, _ := api.invoked(); !slices.Equal(steps, []string{"createSecret", "setSecret"}) {
		t.Errorf("steps invoked before the failure = %v", steps)
	}
	api.mu.Lock()
	api.failAt = ""
	api.mu.Unlock()
	status, out = send(t, addr, "RotateSecret", fmt.Sprintf(`{"SecretId":"db","ClientRequestToken":%q}`, v4))
	if status != 400 || out["Message"] != "A previous rotation isn't complete. That rotation will be reattempted." {
		t.Errorf("RotateSecret during an unfinished rotation = %d %v", status, out)
	}
	waitFor(t, addr, "reattempted rotation to "+v3, current(v3))
	if _, versions := api.invoked(); len(versions) != 4 || versions[0] != v3 {
		t.Errorf("the reattempt was for %v, want the four steps for %s", versions, v3)
	}

	// A schedule: due the day after; moving the clock 49 hours runs the
	// rotation before the clock answers.
	out = mustSend(t, addr, "RotateSecret", `{"SecretId":"db","RotateImmediately":false,"RotationRules":{"AutomaticallyAfterDays":1}}`)
	if out["VersionId"] != nil {
		t.Errorf("RotateSecret without rotating: VersionId %v", out["VersionId"])
	}
	waitFor(t, addr, "the test of the configuration", func(map[string]any) bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return slices.Equal(api.steps, []string{"testSecret"})
	})
	api.invoked()
	d = mustSend(t, addr, "DescribeSecret", `{"SecretId":"db"}`)
	if d["NextRotationDate"] == nil {
		t.Errorf("DescribeSecret with a schedule: no NextRotationDate: %v", d)
	}
	resp, err := http.Post("http://"+addr+"/_stagelabel/clock", "application/json", strings.NewReader(`{"advance":"49h"}`))
	if err != nil {
		t.Fatal(err)
	}
	var clock struct{ Now time.Time }
	json.NewDecoder(resp.Body).Decode(&clock)
	resp.Body.Close()
	if resp.StatusCode != 200 || time.Until(clock.Now) < 48*time.Hour {
		t.Errorf("POST /_stagelabel/clock = %d, now %v; want 200 and 49 hours on", resp.StatusCode, clock.Now)
	}
	if steps, versions := api.invoked(); len(steps) != 4 || versions[0] == v3 {
		t.Errorf("the scheduled rotation invoked %v for %v, want the four steps for a new version", steps, versions)
	}
	d = mustSend(t, addr, "DescribeSecret", `{"SecretId":"db"}`)
	if ls, _ := d["VersionIdsToStages"].(map[string]any)[v3].([]any); !slices.Equal(ls, []any{"AWSPREVIOUS"}) {
		t.Errorf("after the scheduled rotation, %s carries %v, want AWSPREVIOUS", v3, ls)
	}
}

// TestClockEndpoint checks the clock's answers to what it refuses.
func TestClockEndpoint(t *testing.T) {
	addr, _, stop := emulator(t)
	defer stop()
	tests := []struct {
		name, method, host, body string
		status                   int
		origin                   string
	}{
		{"read", "GET", "", "", 200, ""},
		{"moved", "POST", "", `{"advance":"1h30m"}`, 200, ""},
		{"not moved", "POST", "", `{"advance":"0s"}`, 200, ""},
		{"moved back", "POST", "", `{"advance":"-1h"}`, 400, ""},
		{"in days", "POST", "", `{"advance":"2d"}`, 400, ""},
		{"not JSON", "POST", "", `advance=1h`, 400, ""},
		{"another method", "PUT", "", `{"advance":"1h"}`, 405, ""},
		{"another host", "POST", "attacker.example", `{"advance":"1h"}`, 421, ""},
		{"a web page's", "POST", "", `{"advance":"1h"}`, 403, "https://attacker.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, "http://"+addr+"/_stagelabel/clock", strings.NewReader(tt.body))
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
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
			if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.Now.IsZero() {
				t.Errorf("answer: %+v, %v", answer, err)
			}
			if resp.StatusCode != tt.status || (tt.status != 200) != (answer.Message != "") {
				t.Errorf("%s %s = %d %q, want %d", tt.method, tt.body, resp.StatusCode, answer.Message, tt.status)
			}
		})
	}
}

func TestFunctionName(t *testing.T) {
	tests := []struct{ arn, name, qualifier string }{
		{"arn:aws:lambda:us-east-1:123456789012:function:rotate", "rotate", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:rotate:live", "rotate", "live"},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:r", "r", ""},
		{"rotate", "rotate", ""},
		{"arn:aws:s3:::bucket", "arn:aws:s3:::bucket", ""},
	}
	for _, tt := range tests {
		if name, q := functionName(tt.arn); name != tt.name || q != tt.qualifier {
			t.Errorf("functionName(%q) = %q, %q; want %q, %q", tt.arn, name, q, tt.name, tt.qualifier)
		}
	}
}
