package store

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Clock is a clock that tests and emulators can move forward: the system
// time plus an offset that only grows. Give its Now to [WithClock], or
// the Clock itself to [WithMovingClock], which makes [Clock.Advance] run
// what falls due in the store. The zero Clock reads the system time; it is
// safe for concurrent use.
type Clock struct {
	offset atomic.Int64 // nanoseconds added to the system time

	mu     sync.Mutex
	stores []*Store // of WithMovingClock: run what falls due at each advance
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d and returns its new time. It
// refuses to move it back: a store's times never decrease. In each store
// made with [WithMovingClock] it then waits for the rotations running,
// runs what fell due ([Store.RunDue]) and waits for the rotations that
// started ([Store.Wait]).
func (c *Clock) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return c.Now(), errors.New("store: a clock moves forward only")
	}
	c.offset.Add(int64(d))
	c.mu.Lock()
	stores := c.stores
	c.mu.Unlock()
	for _, st := range stores {
		st.Wait() // the rotations running end first, as they would have in the time skipped
		st.RunDue()
		st.Wait()
	}
	return c.Now(), nil
}

// WithMovingClock sets c as the store's clock, as WithClock(c.Now) does,
// and makes c.Advance run the rotations that fall due in the store.
func WithMovingClock(c *Clock) Option {
	return func(s *Store) {
		s.now = c.Now
		c.mu.Lock()
		defer c.mu.Unlock()
		c.stores = append(c.stores, s)
	}
}
