//go:build unix

package main

import (
	"syscall"
	"time"
)

// cpuTime returns the processor time this process has used, user and
// system; 0 when it cannot tell.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
