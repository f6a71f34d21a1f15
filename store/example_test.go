package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/store"
)

// A store as an emulator holds it: secrets by name or ARN, each operation
// atomic, errors as AWS words them.
func Example() {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	st := store.New(store.WithClock(func() time.Time { return now }), store.WithRandom(rand.NewChaCha8([32]byte{})))
	const (
		v1 = "11111111-1111-4111-8111-111111111111"
		v2 = "22222222-2222-4222-8222-222222222222"
	)
	password := "one"
	created, _ := st.CreateSecret(store.CreateSecretInput{Name: "prod/db", ClientRequestToken: v1, SecretString: &password})
	fmt.Println(created.ARN)

	password = "two"
	st.PutSecretValue(store.PutSecretValueInput{SecretId: "prod/db", ClientRequestToken: v2, SecretString: &password})
	d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: created.ARN})
	fmt.Println(d.VersionIdsToStages)

	_, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: "prod/db", VersionStage: "AWSCURRENT", MoveToVersionId: v1})
	fmt.Println(errors.Is(err, stagelabel.ErrInvalidParameter))

	st.DeleteSecret(store.DeleteSecretInput{SecretId: "prod/db"})
	_, err = st.GetSecretValue(store.GetSecretValueInput{SecretId: "prod/db"})
	fmt.Println(err)
	// Output:
	// arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-fLCUv2
	// map[11111111-1111-4111-8111-111111111111:[AWSPREVIOUS] 22222222-2222-4222-8222-222222222222:[AWSCURRENT]]
	// true
	// GetSecretValue: InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion.
}

// Validate checks an input against the constraints its members' tags
// state, as every operation does first.
func ExampleValidate() {
	in := store.RotateSecretInput{SecretId: "db", RotationRules: &store.RotationRules{Duration: "3 hours"}}
	fmt.Println(store.Validate("RotateSecret", in, nil))
	// Output:
	// RotateSecret: ValidationException: 2 validation errors detected: Value '3 hours' at 'rotationRules.duration' failed to satisfy constraint: Member must have length less than or equal to 3; Value '3 hours' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h
}

// A rotation function written in Go, given to the store by its ARN: the
// store invokes it with the four steps once RotateSecret has answered,
// and a moving clock runs the rotations that fall due.
func ExampleFunctions() {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
	var clock store.Clock
	var st *store.Store
	rotate := func(ctx context.Context, e store.RotationEvent) error {
		switch e.Step {
		case store.StepCreate: // a new value, labelled AWSPENDING
			value := "rotated at " + e.ClientRequestToken[:8]
			_, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: e.SecretId, ClientRequestToken: e.ClientRequestToken,
				SecretString: &value, VersionStages: []string{"AWSPENDING"}})
			return err
		case store.StepFinish: // AWSCURRENT onto it
			cur, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: e.SecretId})
			if err != nil {
				return err
			}
			_, err = st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: e.SecretId, VersionStage: "AWSCURRENT",
				RemoveFromVersionId: cur.VersionId, MoveToVersionId: e.ClientRequestToken})
			return err
		}
		return nil // setSecret and testSecret: nothing to set or test here
	}
	st = store.New(store.WithMovingClock(&clock), store.WithRandom(rand.NewChaCha8([32]byte{})), store.WithInvoker(store.Functions{fn: rotate}))
	value := "first"
	st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: "11111111-1111-4111-8111-111111111111", SecretString: &value})

	_, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: "22222222-2222-4222-8222-222222222222",
		RotationLambdaARN: fn, RotationRules: &store.RotationRules{ScheduleExpression: "rate(10 days)"}})
	fmt.Println(err)
	st.Wait()
	got, _ := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
	fmt.Println(*got.SecretString)

	clock.Advance(11 * 24 * time.Hour) // the next window has opened: the rotation runs
	got, _ = st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
	fmt.Println(got.VersionStages, *got.SecretString != "rotated at 22222222")
	// Output:
	// <nil>
	// rotated at 22222222
	// [AWSCURRENT AWSPENDING] true
}
