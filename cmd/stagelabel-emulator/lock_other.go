//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package main

// lockDir does nothing where flock is missing: two emulators started at
// the same instant on one JSON state file could then both migrate it.
func lockDir(dir string) (unlock func(), err error) { return func() {}, nil }
