package main

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
)

// loading readies the garbage collector for loading the state at path,
// and returns the function that puts it back; call it once the server
// serves (and again, harmlessly, when it stops).
//
// Loading builds every secret at once and keeps nearly all it builds:
// collecting at a running server's pace would mark the growing heap again
// and again, which on a million secrets (a 300 MB state, a 1 GB heap) makes
// start-up take 4.5 s instead of 2.5 s. So while the state loads the
// collector waits until the heap reaches a bound sized from the state's
// file, above what loading it takes (about five bytes of heap a byte of
// file, garbage included), and only then collects. Putting it back runs
// one collection that returns what loading left behind to the system
// (marking a million secrets takes 2 s: it runs while the server serves),
// then restores the pace and limit that GOGC and GOMEMLIMIT set.
func loading(path string) (settle func()) {
	bound := int64(1 << 30)
	if info, err := os.Stat(path); err == nil && info.Size() < (math.MaxInt64-bound)/6 {
		bound += 6 * info.Size()
	}
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(min(bound, debug.SetMemoryLimit(-1)))
	var once sync.Once
	return func() {
		once.Do(func() {
			debug.FreeOSMemory()
			debug.SetMemoryLimit(limit)
			debug.SetGCPercent(percent)
		})
	}
}
