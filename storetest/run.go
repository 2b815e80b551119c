// Package storetest is the conformance suite every coord.Store must pass.
// It tests through the interfaces only, so one suite holds the SQLite and
// PostgreSQL stores to the same behaviour:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) func(coord.StoreConfig) coord.Store {
//			path := emptyDatabase(t)
//			return func(cfg coord.StoreConfig) coord.Store {
//				db := open(t, path, cfg) // closed by t.Cleanup
//				return db
//			}
//		})
//	}
package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coordapi/coord"
)

// Backend makes a database for one test and returns how to open a store on
// it. Each call of open opens another store on that same database with cfg
// (the suite's clock and PendingTTL), as a restarted server would, and
// registers the store's Close with t.Cleanup; that Close must tolerate a
// store the test already closed. The database should be empty; every test
// makes its own users, so a shared database works too, except that
// SettleDue counts are then only checked as lower bounds (they are anyway).
type Backend func(t *testing.T) (open func(cfg coord.StoreConfig) coord.Store)

// Run runs the suite on backend.
func Run(t *testing.T, backend Backend) {
	tests := []struct {
		name string
		fn   func(e *env)
	}{
		{"CreateAppSession", testCreateAppSession},
		{"CreateGateSession", testCreateGateSession},
		{"OneOpenSession", testOneOpenSession},
		{"OneOpenSessionConcurrent", testOneOpenSessionConcurrent},
		{"ExpiredPendingDoesNotBlock", testExpiredPendingDoesNotBlock},
		{"IdempotencyKey", testIdempotencyKey},
		{"IdempotencyKeyConcurrent", testIdempotencyKeyConcurrent},
		{"SessionNotFound", testSessionNotFound},
		{"ConcurrentReads", testConcurrentReads},
		{"Sessions", testSessions},
		{"EndSession", testEndSession},
		{"EndSessionConcurrent", testEndSessionConcurrent},
		{"EndGateSession", testEndGateSession},
		{"Redeem", testRedeem},
		{"RedeemZero", testRedeemZero},
		{"RedeemNotRedeemable", testRedeemNotRedeemable},
		{"SettleDue", testSettleDue},
		{"OpenSessions", testOpenSessions},
		{"UpsertUser", testUpsertUser},
		{"UpsertUserConcurrent", testUpsertUserConcurrent},
		{"Vehicle", testVehicle},
		{"Linked", testLinked},
		{"Secret", testSecret},
		{"SecretConcurrent", testSecretConcurrent},
		{"PingClose", testPingClose},
		{"PageLimits", testPageLimits},
		{"IDsNeverReused", testIDsNeverReused},
		{"SettleAcrossRestart", testSettleAcrossRestart},
		{"MissingUser", testMissingUser},
		{"Admit", testAdmit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			open := backend(t)
			clock := NewClock()
			cfg := coord.StoreConfig{Clock: clock, PendingTTL: expiry}
			tc.fn(&env{T: t, ctx: t.Context(), s: open(cfg), clock: clock, open: func() coord.Store { return open(cfg) }})
		})
	}
}

// Fixture locations: one app-controlled, one gate-controlled, another app one.
const (
	locApp   = "garage-app"
	locGate  = "garage-gate"
	locOther = "garage-other"
	currency = "USD"
	expiry   = 15 * time.Minute // the stores' PendingTTL
)

// price bills 120 per hour in 15-minute steps, free for 5 minutes, capped at
// 1000: Cost(90m) = 180, Cost(10m) = 60, Cost(2m) = 0.
var price = coord.Price{
	Rate:        coord.Money{Amount: 120, Currency: currency},
	RatePeriodM: 60,
	IncrementM:  15,
	GraceM:      5,
	MaxCost:     &coord.Money{Amount: 1000, Currency: currency},
}

// env is one test's store, clock and helpers.
type env struct {
	*testing.T
	ctx   context.Context
	s     coord.Store
	clock *Clock
	open  func() coord.Store // another store on the same database and clock
}

// restart closes the store and opens another on the same database.
func (e *env) restart() {
	e.Helper()
	if err := e.s.Close(); err != nil {
		e.Fatalf("Close: %v", err)
	}
	e.s = e.open()
}

// now is the clock's time as the store must show it: UTC, whole milliseconds.
func (e *env) now() time.Time { return e.clock.Now().UTC().Truncate(time.Millisecond) }

// user creates a fresh user with a unique external uid.
func (e *env) user() *coord.User {
	e.Helper()
	u, err := e.s.UpsertUser(e.ctx, coord.UserProfile{
		PartnerID:   "partner-a",
		ExternalUID: uniq("uid"),
		Email:       "driver@example.com",
		Name:        "Driver",
		Test:        true,
	})
	if err != nil {
		e.Fatalf("UpsertUser: %v", err)
	}
	return u
}

// newSession is the request for a session of u at loc; gate sessions expire
// after expiry.
func (e *env) newSession(u *coord.User, loc string, gate bool) coord.NewSession {
	return coord.NewSession{UserID: u.UserID, LocationID: loc, Currency: currency, Gate: gate}
}

// create creates a session, checks the store reports it created and checks
// its times.
func (e *env) create(ns coord.NewSession) *coord.Session {
	e.Helper()
	s, created, err := e.s.CreateSession(e.ctx, ns)
	if err != nil {
		e.Fatalf("CreateSession(%+v): %v", ns, err)
	}
	if !created {
		e.Errorf("CreateSession(%+v) returned session %d as a replay, want created", ns, s.ID)
	}
	e.checkTimes(s)
	return s
}

// replay repeats a creation with an idempotency key, checks the store
// reports it not created and checks its times.
func (e *env) replay(ns coord.NewSession) *coord.Session {
	e.Helper()
	s, created, err := e.s.CreateSession(e.ctx, ns)
	if err != nil {
		e.Fatalf("CreateSession(%+v) again: %v", ns, err)
	}
	if created {
		e.Errorf("CreateSession(%+v) again created session %d, want a replay", ns, s.ID)
	}
	e.checkTimes(s)
	return s
}

// get reads a session back and checks its times.
func (e *env) get(s *coord.Session) *coord.Session {
	e.Helper()
	got, err := e.s.Session(e.ctx, s.Ref())
	if err != nil {
		e.Fatalf("Session(%d): %v", s.ID, err)
	}
	e.checkTimes(got)
	return got
}

// end ends an active session, checks the store reports it ended and checks
// its times.
func (e *env) end(s *coord.Session) *coord.Session {
	e.Helper()
	got, ended, err := e.s.EndSession(e.ctx, s.Ref(), price)
	if err != nil {
		e.Fatalf("EndSession(%d): %v", s.ID, err)
	}
	if !ended {
		e.Errorf("EndSession(%d) of an active session reported it already ended", s.ID)
	}
	e.checkTimes(got)
	return got
}

// redeem plays the gates of a session and checks its times.
func (e *env) redeem(s *coord.Session, d time.Duration) *coord.Session {
	e.Helper()
	got, err := e.s.Redeem(e.ctx, s.Ref(), d, price)
	if err != nil {
		e.Fatalf("Redeem(%d, %v): %v", s.ID, d, err)
	}
	e.checkTimes(got)
	return got
}

var counter atomic.Uint64

// uniq returns a name no other test uses, even against a shared database.
func uniq(prefix string) string {
	return fmt.Sprintf("%s-%x-%d", prefix, rand.Uint64(), counter.Add(1))
}
