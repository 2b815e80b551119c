package storetest

import (
	"sync"
	"time"
)

// Epoch is where every Clock starts: a fixed instant in the future, with
// sub-millisecond digits, so that a store reading the wall clock or the
// database's now() instead of its own clock, or keeping more precision
// than the API shows, fails the suite.
var Epoch = time.Date(2031, 3, 14, 15, 9, 26, 535_897_932, time.UTC)

// Clock is a controllable clock for stores under test. Wire its Now method
// into the store; the suite moves it with Advance. Safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at Epoch.
func NewClock() *Clock { return &Clock{now: Epoch} }

// Now returns the clock's current time, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
