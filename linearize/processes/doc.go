// Package processes holds no code, only tests: TestEmulators checks with
// porcupine that emulator processes sharing one etcd cluster
// (stagelabel-emulator -etcd) behave as one linearizable store, over
// HTTP, while a member of the cluster restarts, and that every write
// one of them acknowledged is served by all of them afterwards.
//
// The test needs running emulators, which tests/etcd.sh starts (with a
// three-member etcd cluster of its own) before it runs the test:
//
//	bash tests/etcd.sh
//
// Without STAGELABEL_EMULATORS (comma-separated base URLs, such as
// http://127.0.0.1:4566) it skips, so that go test ./... skips it. With
// STAGELABEL_ETCD_RESTART, a shell command, the test runs that command
// once a quarter of its operations are done, while its clients go on,
// and continues until they have done as many again after it returned.
//
// Its model (TestModel checks that it rejects a stale read) is a plain
// statement of the staging-label rules of docs/semantics.md (§L, §V3,
// §X), written apart from the packages that implement them. TestOneStore
// runs the same history against one store served in the test's process,
// given as two emulators, which must pass: so the model and the clients'
// reading of the answers are checked by go test ./... too.
package processes
