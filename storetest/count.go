package storetest

import "time"

// testOpenSessions checks the open-sessions count, including sessions whose
// exit or expiry is due but not yet settled, which must not count.
func testOpenSessions(e *env) {
	// Other tests may share the database: move past every gate session they
	// left and settle it, so that only app sessions (never due) remain.
	e.clock.Advance(48 * time.Hour)
	if _, err := e.s.SettleDue(e.ctx); err != nil {
		e.Fatalf("SettleDue: %v", err)
	}
	base := e.openSessions()

	e.create(e.newSession(e.user(), locApp, false))                           // active, never due
	e.create(e.newSession(e.user(), locGate, true))                           // pending, expires in 15 min
	e.redeem(e.create(e.newSession(e.user(), locGate, true)), 10*time.Minute) // active, exits in 10 min
	e.end(e.create(e.newSession(e.user(), locApp, false)))                    // ended
	if got := e.openSessions(); got != base+3 {
		e.Fatalf("OpenSessions = %d, want %d", got, base+3)
	}
	e.clock.Advance(10 * time.Minute) // the exit is due, not yet settled
	if got := e.openSessions(); got != base+2 {
		e.Fatalf("OpenSessions with a due exit = %d, want %d", got, base+2)
	}
	e.clock.Advance(5 * time.Minute) // the expiry is due too
	if got := e.openSessions(); got != base+1 {
		e.Fatalf("OpenSessions with a due expiry = %d, want %d", got, base+1)
	}
}

func (e *env) openSessions() int64 {
	e.Helper()
	n, err := e.s.OpenSessions(e.ctx)
	if err != nil {
		e.Fatalf("OpenSessions: %v", err)
	}
	return n
}
