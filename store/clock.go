package store

import (
	"errors"
	"sync/atomic"
	"time"
)

// Clock is a clock that tests and emulators can move forward: the system
// time plus an offset that only grows. Give its Now to [WithClock]. The
// zero Clock reads the system time; it is safe for concurrent use.
type Clock struct {
	offset atomic.Int64 // nanoseconds added to the system time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d and returns its new time. It
// refuses to move it back: a store's times never decrease.
func (c *Clock) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return c.Now(), errors.New("store: a clock moves forward only")
	}
	c.offset.Add(int64(d))
	return c.Now(), nil
}
