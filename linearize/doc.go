// Package linearize holds no code, only a test: it checks with porcupine
// (github.com/anishathalye/porcupine) that the operations of
// [github.com/stagelabel/stagelabel/store], run by many goroutines at
// once, are linearizable, and that no acknowledged CreateSecret or
// PutSecretValue is lost. The histories include each secret's lifecycle:
// deletion with a recovery window and without, restoration, and
// re-creation under a new ARN. They span two namespaces (two accounts of
// one region) holding the same names: each secret is a key of a namespace
// and a name, checked on its own, and some operations name a secret by
// its full ARN to the other namespace's store, which looks it up where
// the ARN says, or by an ARN of a region of no namespace, which is not
// found. TestLinearizableShared runs the same histories on two stores
// that share one backend and follow each other (storetest.Shared, as two
// processes on one etcd cluster), every other client calling the second.
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
