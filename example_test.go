package stagelabel_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// The life of a secret: two values put, a rotation, and the labels after
// each step. Deprecated versions stay until pruning.
func Example() {
	const (
		v1 version.ID = "11111111-1111-1111-1111-111111111111"
		v2 version.ID = "22222222-2222-2222-2222-222222222222"
		v3 version.ID = "33333333-3333-3333-3333-333333333333"
	)
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	show := func(step string, s secret.Secret) {
		fmt.Printf("%-22s", step+":")
		for _, id := range s.VersionIDs() {
			fmt.Printf(" %.4s%v", id, s.Labels(id))
		}
		fmt.Println()
	}

	s := secret.New("prod/db")
	s, _ = s.Put(version.New(v1, version.WithString("first"), version.WithCreated(now)))
	show("create", s)
	s, _ = s.Put(version.New(v2, version.WithString("second"), version.WithCreated(now)))
	show("put", s)

	// A rotation: an empty AWSPENDING version, filled, then made current.
	s, _ = s.Rotate(v3, now)
	show("rotate", s)
	s, _ = s.Put(version.New(v3, version.WithString("third")), stage.Pending)
	s, _ = s.MoveLabel(stage.Current, v2, v3)
	show("move AWSCURRENT", s)
	s, _ = s.MoveLabel(stage.Pending, v3, "")
	show("remove AWSPENDING", s)

	// Calls that break a rule fail with the AWS error and change nothing.
	_, err := s.MoveLabel(stage.Current, v3, "")
	fmt.Println(errors.Is(err, stagelabel.ErrInvalidParameter), err)

	// Output:
	// create:                1111[AWSCURRENT]
	// put:                   1111[AWSPREVIOUS] 2222[AWSCURRENT]
	// rotate:                1111[AWSPREVIOUS] 2222[AWSCURRENT] 3333[AWSPENDING]
	// move AWSCURRENT:       1111[] 2222[AWSPREVIOUS] 3333[AWSCURRENT AWSPENDING]
	// remove AWSPENDING:     1111[] 2222[AWSPREVIOUS] 3333[AWSCURRENT]
	// true UpdateSecretVersionStage: InvalidParameterException: You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.
}

// Error has ErrorCode and ErrorMessage, as the AWS SDK's smithy.APIError
// has (but not its ErrorFault: see the smtest module's APIError).
func ExampleError() {
	err := error(&stagelabel.Error{
		Op:      "UpdateSecretVersionStage",
		Code:    stagelabel.ErrInvalidParameter,
		Message: "You must specify RemoveFromVersionId, MoveToVersionId, or both.",
	})
	var api interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if errors.As(err, &api) {
		fmt.Println(api.ErrorCode())
		fmt.Println(api.ErrorMessage())
	}
	// Output:
	// InvalidParameterException
	// You must specify RemoveFromVersionId, MoveToVersionId, or both.
}
