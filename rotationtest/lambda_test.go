package rotationtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
)

// functionARN is the ARN of the one function lambdaAPI serves.
const (
	functionName = "postgres-single-user"
	functionARN  = "arn:aws:lambda:us-east-1:123456789012:function:" + functionName
)

// invocation is one invocation of the function: its step, version and
// outcome.
type invocation struct {
	step, token string
	err         error
}

// lambdaAPI serves the Lambda Invoke API,
// POST /2015-03-31/functions/<name>/invocations, for one function, a
// [lambda.Handler], as AWS Lambda does: a DryRun answers 204, a function
// error 200 with X-Amz-Function-Error and the error as the payload, an
// unknown function 404 ResourceNotFoundException. It records the
// invocations and can make the function fail at a step.
type lambdaAPI struct {
	handler lambda.Handler

	mu      sync.Mutex
	failAt  string // the step at which the function fails, before it does anything
	invoked []invocation
}

// newLambdaAPI returns the API serving f's handler.
func newLambdaAPI(f *singleUser) *lambdaAPI {
	api := &lambdaAPI{}
	api.handler = lambda.NewHandler(func(ctx context.Context, e events.SecretsManagerSecretRotationEvent) error {
		api.mu.Lock()
		fail := api.failAt == e.Step
		api.mu.Unlock()
		if fail {
			return fmt.Errorf("%s failed, as the test asked", e.Step)
		}
		return f.Handle(ctx, e)
	})
	return api
}

// failingAt makes the function fail at step ("": at none).
func (api *lambdaAPI) failingAt(step string) {
	api.mu.Lock()
	defer api.mu.Unlock()
	api.failAt = step
}

// take returns the invocations since the last call.
func (api *lambdaAPI) take() []invocation {
	api.mu.Lock()
	defer api.mu.Unlock()
	got := api.invoked
	api.invoked = nil
	return got
}

func (api *lambdaAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
	name, ok2 := strings.CutSuffix(name, "/invocations")
	if !ok || !ok2 || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if name != functionName {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"Type": "User", "Message": "Function not found: " + name})
		return
	}
	if r.Header.Get("X-Amz-Invocation-Type") == "DryRun" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	payload, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var e events.SecretsManagerSecretRotationEvent
	json.Unmarshal(payload, &e)
	out, err := api.handler.Invoke(r.Context(), payload)
	api.mu.Lock()
	api.invoked = append(api.invoked, invocation{step: e.Step, token: e.ClientRequestToken, err: err})
	api.mu.Unlock()
	if err != nil {
		var fe messages.InvokeResponse_Error
		if !errors.As(err, &fe) {
			fe = messages.InvokeResponse_Error{Type: fmt.Sprintf("%T", err), Message: err.Error()}
		}
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		out, _ = json.Marshal(fe)
	}
	w.Write(out)
}
