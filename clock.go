package coord

import "time"

// Clock is the one source of time. Each component that reads the time (the
// stores, the token service) is given the same Clock when it is built, so
// that a test moves all of them with one value.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// StoreConfig is what every Store is built with. Its zero value is the
// production default.
type StoreConfig struct {
	// Clock judges every time rule of the store: billing, expiry, settlement.
	// Nil: SystemClock.
	Clock Clock
	// PendingTTL is how long a gate session may wait for its entry scan
	// before it is cancelled. 0 or less: DefaultPendingTTL.
	PendingTTL time.Duration
}

// DefaultPendingTTL is how long a gate session may wait for its entry scan
// before it is cancelled, unless configured.
const DefaultPendingTTL = 30 * time.Minute

// WithDefaults is c with its zero fields set to their defaults; stores call
// it once, when they are built.
func (c StoreConfig) WithDefaults() StoreConfig {
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.PendingTTL <= 0 {
		c.PendingTTL = DefaultPendingTTL
	}
	return c
}
