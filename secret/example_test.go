package secret_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

const (
	example1 version.ID = "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"
	example2 version.ID = "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE"
)

// myTestDatabaseSecret returns the secret of the AWS examples: EXAMPLE1
// put first, EXAMPLE2 put after it, so EXAMPLE2 is AWSCURRENT and EXAMPLE1
// AWSPREVIOUS.
func myTestDatabaseSecret() secret.Secret {
	s := secret.New("MyTestDatabaseSecret")
	s, _ = s.Put(version.New(example1, version.WithString(`{"password":"one"}`)))
	s, _ = s.Put(version.New(example2, version.WithString(`{"password":"two"}`)))
	return s
}

// show prints each version of s with its labels, oldest first.
func show(s secret.Secret) {
	for _, id := range s.VersionIDs() {
		fmt.Println(id, s.Labels(id))
	}
}

// The first example of the AWS documentation: add a staging label to a
// version.
func ExampleSecret_MoveLabel() {
	s := myTestDatabaseSecret()
	s, err := s.MoveLabel("STAGINGLABEL1", "", example1)
	if err != nil {
		fmt.Println(err)
		return
	}
	show(s)
	// Output:
	// EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE [AWSPREVIOUS STAGINGLABEL1]
	// EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE [AWSCURRENT]
}

// The second example of the AWS documentation: remove a staging label from
// a version.
func ExampleSecret_MoveLabel_remove() {
	s := myTestDatabaseSecret()
	s, _ = s.MoveLabel("STAGINGLABEL1", "", example1)
	s, err := s.MoveLabel("STAGINGLABEL1", example1, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	show(s)
	// Output:
	// EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE [AWSPREVIOUS]
	// EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE [AWSCURRENT]
}

// The third example of the AWS documentation: move AWSCURRENT. Its old
// version gets AWSPREVIOUS; here the new one had it, so the two swap.
func ExampleSecret_MoveLabel_current() {
	s := myTestDatabaseSecret()
	s, err := s.MoveLabel(stage.Current, example2, example1)
	if err != nil {
		fmt.Println(err)
		return
	}
	show(s)
	// Output:
	// EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE [AWSCURRENT]
	// EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE [AWSPREVIOUS]
}

// A label attached elsewhere moves only when RemoveFromVersionId names its
// holder; the error carries the AWS code and message.
func ExampleSecret_MoveLabel_error() {
	s := myTestDatabaseSecret()
	_, err := s.MoveLabel(stage.Current, "", example1)
	var e *stagelabel.Error
	if errors.As(err, &e) {
		fmt.Println(e.ErrorCode())
		fmt.Println(e.ErrorMessage())
	}
	fmt.Println(errors.Is(err, stagelabel.ErrInvalidParameter))
	// Output:
	// InvalidParameterException
	// The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE, so you must explicitly reference that version in RemoveFromVersionId.
	// true
}

// A full rotation, as a rotation function performs it: RotateSecret makes
// an empty AWSPENDING version, PutSecretValue fills it, AWSCURRENT moves to
// it, and AWSPENDING is removed.
func ExampleSecret_Rotate() {
	const next version.ID = "EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE"
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	s := myTestDatabaseSecret()

	s, err := s.Rotate(next, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := s.Get("", stage.Pending); errors.Is(err, stagelabel.ErrResourceNotFound) {
		fmt.Println("AWSPENDING has no value yet")
	}
	s, err = s.Put(version.New(next, version.WithString(`{"password":"three"}`)), stage.Pending)
	if err == nil {
		s, err = s.MoveLabel(stage.Current, example2, next)
	}
	if err == nil {
		s, err = s.MoveLabel(stage.Pending, next, "")
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	show(s)
	// Output:
	// AWSPENDING has no value yet
	// EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE []
	// EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE [AWSPREVIOUS]
	// EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE [AWSCURRENT]
}

// A put without labels makes the new version current; the old current
// becomes AWSPREVIOUS and the one before is deprecated, but still there.
func ExampleSecret_Put() {
	s := myTestDatabaseSecret()
	s, err := s.Put(version.New("EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE", version.WithString("three")))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s)
	fmt.Println(s.LabelMap())
	// Output:
	// secret "MyTestDatabaseSecret" {EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE: [], EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE: [AWSPREVIOUS], EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE: [AWSCURRENT]}
	// map[AWSCURRENT:EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE AWSPREVIOUS:EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE]
}
