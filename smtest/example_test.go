package smtest_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/smtest"
	"github.com/stagelabel/stagelabel/store"
)

// In a test, smtest.New(t) gives an emulator that stops when the test
// ends, and its Client a *secretsmanager.Client ready to use. (Examples
// have no t: exampleT stands in for the test's *testing.T.)
func Example() {
	t := exampleT()
	defer t.end()
	ctx := context.Background() // in a test: t.Context()

	sm := smtest.New(t).Client()
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("prod/db"), SecretString: aws.String("first"),
	}); err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("prod/db"), SecretString: aws.String("second"),
	}); err != nil {
		t.Fatalf("PutSecretValue: %v", err)
	}
	previous, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String("prod/db"), VersionStage: aws.String("AWSPREVIOUS"),
	})
	if err != nil {
		t.Fatalf("GetSecretValue: %v", err)
	}
	fmt.Println(aws.ToString(previous.SecretString), previous.VersionStages)
	// Output: first [AWSPREVIOUS]
}

// An operation that fails returns the SDK's typed exception, as AWS's
// would: match it with errors.As. For the codes the SDK has no type for,
// such as ValidationException, match smithy.APIError and its ErrorCode.
func Example_errors() {
	t := exampleT()
	defer t.end()
	ctx := context.Background()
	sm := smtest.New(t).Client()

	_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		fmt.Println("not found:", notFound.ErrorMessage())
	}

	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name!")})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.ErrorCode()+":", apiErr.ErrorMessage())
	}
	// Output:
	// not found: Secrets Manager can't find the specified secret.
	// ValidationException: Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!
}

// The store's methods return *stagelabel.Error; APIError gives it as a
// smithy.APIError, as the SDK's errors are, and it still matches the
// store's codes.
func ExampleAPIError() {
	t := exampleT()
	defer t.end()
	e := smtest.New(t)

	_, err := e.Store().DescribeSecret(store.DescribeSecretInput{SecretId: "missing"})
	apiErr := smtest.APIError(err)
	fmt.Println(apiErr.ErrorCode(), apiErr.ErrorFault())
	fmt.Println(errors.Is(apiErr, stagelabel.ErrResourceNotFound))
	// Output:
	// ResourceNotFoundException client
	// true
}

// Advance moves the emulator's clock: a secret scheduled for deletion is
// gone once its recovery window has passed.
func ExampleEmulator_Advance() {
	t := exampleT()
	defer t.end()
	ctx := context.Background()
	e := smtest.New(t)
	sm := e.Client()

	sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("old"), SecretString: aws.String("v")})
	sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("old"), RecoveryWindowInDays: aws.Int64(7)})
	e.Advance(7 * 24 * time.Hour)

	_, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("old")})
	fmt.Println(errors.As(err, new(*types.ResourceNotFoundException)))
	// Output: true
}

// Each region holds its own secrets: a client of another region, made
// from a copy of Config, does not see those of the emulator's.
func ExampleEmulator_Config() {
	t := exampleT()
	defer t.end()
	ctx := context.Background()
	// A seeded random source: the same ARN suffixes in every run.
	e := smtest.New(t, smtest.WithRegion("eu-west-1"), smtest.WithStoreOptions(store.WithRandom(rand.NewChaCha8([32]byte{}))))

	out, _ := e.Client().CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v")})
	fmt.Println(aws.ToString(out.ARN))

	cfg := e.Config()
	cfg.Region = "us-west-2"
	list, _ := secretsmanager.NewFromConfig(cfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	fmt.Println(len(list.SecretList), "secrets in us-west-2")
	// Output:
	// arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-fLCUv2
	// 0 secrets in us-west-2
}

// exampleTB stands in for a test's *testing.T in the examples, which have
// none; it has the methods smtest.New and Emulator.Advance call.
type exampleTB struct {
	testing.TB // not set: the other methods are not called
	cleanups   []func()
}

func exampleT() *exampleTB { return &exampleTB{} }

func (t *exampleTB) Helper()          {}
func (t *exampleTB) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *exampleTB) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

// end runs the cleanups, last first, as a test's end does.
func (t *exampleTB) end() {
	for _, f := range slices.Backward(t.cleanups) {
		f()
	}
}
