// Package conformance holds no code, only tests: they serve a
// [github.com/stagelabel/stagelabel/store] through
// [github.com/stagelabel/stagelabel/awsjson] on a local HTTP server and
// drive it with the real AWS SDK for Go v2 Secrets Manager client, so
// that what an SDK user sees (the operations' outputs, the SDK's typed
// errors and their exact messages) is checked end to end, wire format
// included.
//
// # What is checked
//
//   - every operation the handler serves, with the outputs the SDK
//     decodes;
//   - every error the store returns, as the typed exception the SDK turns
//     it into (types.InvalidParameterException and the others; a
//     smithy.APIError with code ValidationException, for which the SDK has
//     no type), with the message docs/semantics.md gives;
//   - the steps of a rotation Lambda, from RotateSecret to the final
//     UpdateSecretVersionStage calls;
//   - the idempotency of ClientRequestToken, which the SDK fills in itself
//     when the caller leaves it out;
//   - namespaces: clients of two regions and two accounts against one
//     handler built as the emulator's, each served from its own account
//     and region (docs/semantics.md §N11, §N13);
//   - signatures checked against a credentials file, and the SDK's own
//     signer's requests.
//
// Labels are compared as sets: AWS does not specify their order.
//
// # Why a module of its own
//
// The AWS SDK is a large dependency that users of stagelabel do not need.
// Keeping these tests in a nested module, which replaces
// github.com/stagelabel/stagelabel with the directory above it, keeps the
// SDK out of the core module's go.mod. Run the tests from this directory:
//
//	go test -race ./...
package conformance
