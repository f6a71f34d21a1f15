// Package smtest starts an in-process AWS Secrets Manager emulator for Go
// tests, and points the AWS SDK for Go v2 at it, in one line:
//
//	func TestRotation(t *testing.T) {
//		sm := smtest.New(t).Client() // a *secretsmanager.Client, ready to use
//		_, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
//			Name: aws.String("prod/db"), SecretString: aws.String("s3cret"),
//		})
//		...
//	}
//
// [New] serves stagelabel's Secrets Manager (the
// [github.com/stagelabel/stagelabel/awsjson] handler over a
// [github.com/stagelabel/stagelabel/store.Store]) on an
// [net/http/httptest.Server] at 127.0.0.1, and closes it when the test
// ends (t.Cleanup). Each test gets its own emulator, empty: tests run in
// parallel without sharing a secret.
//
// # Clients
//
// [Emulator.Client] is a client of the emulator's region (us-east-1
// unless [WithRegion]) with static dummy credentials. [Emulator.Config]
// is the same configuration, its BaseEndpoint set to the emulator, for
// other clients or other options:
//
//	cfg := e.Config()
//	cfg.Region = "eu-west-1" // the secrets of another region
//	sm := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
//
// Neither reads the environment or ~/.aws: a test does not depend on the
// machine it runs on, and never reaches AWS.
//
// # Regions and accounts
//
// As in AWS, each region and account holds its own secrets: a request is
// served from the namespace of the region its signature is scoped to (the
// client's region) and of the account a 12-digit access key id names,
// else the emulator's account (123456789012 unless [WithAccount]).
// [Emulator.Store] is the store of the emulator's own region and account;
// its [store.Store.In] gives the others.
//
// # Errors
//
// An operation that fails returns what the SDK returns against AWS: an
// error wrapping the SDK's typed exception (such as
// *types.ResourceNotFoundException), or a [smithy.APIError] with AWS's code
// for the codes the SDK has no type for (ValidationException), each with
// AWS's message. Match them with errors.As, as with AWS (see the examples).
//
// The store's own methods return *[stagelabel.Error], which has ErrorCode
// and ErrorMessage but not smithy.APIError's ErrorFault: the core module
// does not import smithy. [APIError] adapts one, so that one helper can
// check errors from both.
//
// # Seeds
//
// [WithSeed] starts the emulator with the secrets of a seed file, the
// format the emulator's -seed reads ([seed]): one file can seed a test's
// emulator and a shared one.
//
//	e := smtest.New(t, smtest.WithSeed("testdata/secrets.json"))
//
// # Time
//
// The store reads a [store.Clock] that [Emulator.Advance] moves forward:
// a test sees a secret scheduled for deletion purged, or a version's last
// access move to another day, without waiting.
package smtest
