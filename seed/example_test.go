package seed_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/stagelabel/stagelabel/seed"
	"github.com/stagelabel/stagelabel/store"
)

// A seed file gives a secret mid-rotation: its versions, oldest first,
// with their labels.
func ExampleApply() {
	f, err := seed.Read(strings.NewReader(`{"Secrets": [
		{"Name": "prod/db", "Versions": [
			{"SecretString": "current", "VersionStages": ["AWSCURRENT"]},
			{"SecretString": "pending", "VersionStages": ["AWSPENDING"]}
		]}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	// A seeded random source: the same ARN suffix in every run.
	st := store.New(store.WithRandom(rand.NewChaCha8([32]byte{})))
	res, err := seed.Apply(st, f, store.WithRandom(rand.NewChaCha8([32]byte{})))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Created)
	pending, _ := st.GetSecretValue(store.GetSecretValueInput{SecretId: "prod/db", VersionStage: "AWSPENDING"})
	fmt.Println(*pending.SecretString, pending.VersionId)
	// Output:
	// [arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-fLCUv2]
	// pending fd00dac2-ffa9-80a7-b3a6-1954474bca11
}
