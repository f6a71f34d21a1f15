// Package linearize holds no code, only a test: it checks with porcupine
// (github.com/anishathalye/porcupine) that the operations of
// [github.com/stagelabel/stagelabel/store], run by many goroutines at
// once, are linearizable, and that no acknowledged CreateSecret or
// PutSecretValue is lost. The histories include each secret's lifecycle:
// deletion with a recovery window and without, restoration, and
// re-creation under a new ARN.
//
// It is a module of its own so that porcupine stays out of the core
// module's dependencies: users of stagelabel never download it. Run the
// test from this directory:
//
//	go test -race ./...
//
// On failure it writes a visualization of the history, kept with
// go test -artifacts.
package linearize
