// Command rotation walks through the scenarios of the AWS documentation of
// UpdateSecretVersionStage (add a label, remove it, move AWSCURRENT), a full
// rotation, and the calls AWS refuses, printing each secret's labels after
// each step.
//
//	go run ./examples/rotation
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

const (
	example1 version.ID = "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"
	example2 version.ID = "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE"
	example3 version.ID = "EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE"
)

func main() {
	now := time.Now()
	s := secret.New("MyTestDatabaseSecret")
	s = must(s.Put(version.New(example1, version.WithString(`{"password":"one"}`), version.WithCreated(now))))
	s = must(s.Put(version.New(example2, version.WithString(`{"password":"two"}`), version.WithCreated(now))))
	show("two values put", s)

	s = must(s.MoveLabel("STAGINGLABEL1", "", example1))
	show("add STAGINGLABEL1 to EXAMPLE1", s)
	s = must(s.MoveLabel("STAGINGLABEL1", example1, ""))
	show("remove STAGINGLABEL1 from EXAMPLE1", s)
	s = must(s.MoveLabel(stage.Current, example2, example1))
	show("move AWSCURRENT from EXAMPLE2 to EXAMPLE1", s)

	s = must(s.Rotate(example3, now))
	show("RotateSecret: EXAMPLE3 made, without a value", s)
	s = must(s.Put(version.New(example3, version.WithString(`{"password":"three"}`)), stage.Pending))
	show("PutSecretValue fills EXAMPLE3", s)
	s = must(s.MoveLabel(stage.Current, example1, example3))
	show("move AWSCURRENT to EXAMPLE3", s)
	s = must(s.MoveLabel(stage.Pending, example3, ""))
	show("remove AWSPENDING", s)

	fmt.Println("\nCalls AWS refuses, and what it answers:")
	refuse("move AWSCURRENT without RemoveFromVersionId")(s.MoveLabel(stage.Current, "", example2))
	refuse("remove AWSCURRENT")(s.MoveLabel(stage.Current, example3, ""))
	refuse("remove a label from a version without it")(s.MoveLabel(stage.Previous, example2, ""))
	refuse("reuse a ClientRequestToken with another value")(s.Put(version.New(example3, version.WithString("other"))))
}

// must returns s, or ends the program on err.
func must(s secret.Secret, err error) secret.Secret {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return s
}

func show(step string, s secret.Secret) {
	fmt.Printf("%s:\n", step)
	for _, id := range s.VersionIDs() {
		fmt.Printf("  %s %v\n", id, s.Labels(id))
	}
}

// refuse returns a function that prints the error of a call that must
// fail, and ends the program if it did not.
func refuse(what string) func(secret.Secret, error) {
	return func(_ secret.Secret, err error) {
		if err == nil {
			fmt.Fprintf(os.Stderr, "%s: succeeded, but AWS refuses it\n", what)
			os.Exit(1)
		}
		fmt.Printf("- %s:\n  %v\n", what, err)
	}
}
