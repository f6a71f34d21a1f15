// Package rotationtest proves rotation end to end: a rotation function
// written in Go with aws-lambda-go, doing what AWS's single-user rotation
// template for PostgreSQL (SecretsManagerRDSPostgreSQLRotationSingleUser)
// does, served through the Lambda Invoke API by the tests, rotates the
// password of a real PostgreSQL role for the emulator binary started with
// -lambda-endpoint and -credentials: every request, the clock's too, is
// signed.
//
// The package has tests only. They start PostgreSQL in a temporary
// directory (as the postgres user when they run as root, since initdb
// refuses root) and are skipped when no PostgreSQL server binaries are
// found: pg_config --bindir, /usr/lib/postgresql/*/bin, then PATH. CI
// (.ci/run) installs Debian's postgresql package when it is missing.
//
// # What the tests check
//
// After each rotation, by RotateSecret or by moving the emulator's clock
// past a schedule (POST /_stagelabel/clock, which refuses an unsigned
// request), the password of AWSCURRENT
// logs in and the one before, now AWSPREVIOUS, does not. A function that
// fails at each step in turn leaves the state §RT14 of docs/semantics.md
// describes, and the database as far as the steps before it took it;
// RotateSecret then reattempts the rotation, which ends it.
package rotationtest
