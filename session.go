package coord

import (
	"context"
	"time"
)

// SessionStatus is where a session is in its life.
type SessionStatus string

// The session statuses. Pending and active sessions are "open": a user has
// at most one open session across all locations.
const (
	StatusPending   SessionStatus = "pending"   // gate session waiting for the entry scan
	StatusActive    SessionStatus = "active"    // started
	StatusEnded     SessionStatus = "ended"     // ended and billed
	StatusCancelled SessionStatus = "cancelled" // gate session never redeemed; cost 0
)

// Session is a parking session of one user at one location.
type Session struct {
	ID         int64
	LocationID string
	UserID     string
	Status     SessionStatus
	StartTime  *time.Time // nil until started
	EndTime    *time.Time // nil until ended (or when a simulated exit is still ahead)
	ResourceID string
	// Barcode is the redemption barcode of a gate-controlled session; empty
	// for app-controlled (license_plate) sessions.
	Barcode string
	// Cost is set once the session is ended or cancelled.
	Cost *Money
	// Version changes with every visible change of the session (settlement
	// included); it is kept in the database, so every replica agrees on it.
	Version int64
	// SettlesAt is when the session changes by itself: a redeemed gate
	// session's simulated exit, a pending one's expiry; nil if never.
	SettlesAt *time.Time
	// PlannedCost is a redeemed gate session's bill, fixed at redemption and
	// billed at its simulated exit; nil for every other session. Not part
	// of the API: it feeds the billing metrics.
	PlannedCost *Money
}

// SessionRef names one of a user's sessions at a location: what every
// read and write of an existing session is scoped by.
type SessionRef struct {
	UserID     string
	LocationID string
	ID         int64
}

// Ref is the reference to s.
func (s *Session) Ref() SessionRef {
	return SessionRef{UserID: s.UserID, LocationID: s.LocationID, ID: s.ID}
}

// GateControlled reports whether the session starts and ends at physical gates.
func (s *Session) GateControlled() bool { return s.Barcode != "" }

// NewSession is what the store needs to create a session.
type NewSession struct {
	UserID     string
	LocationID string
	ResourceID string
	// Currency of the location's price: cancelled and free sessions bill 0 in it.
	Currency string
	// Gate sessions are created pending with a barcode and expire unredeemed
	// after the store's StoreConfig.PendingTTL, judged by the store's clock;
	// app-controlled sessions start at once.
	Gate bool
	// IdempotencyKey, when set, makes the creation retry-safe per user.
	IdempotencyKey string
	// Admit, when set, is the caller's verdict on the user (the session-start
	// requirements): the store creates the session, or replays a key's, only
	// for a user as stored that Admit accepted, and returns Admit's error
	// unchanged otherwise. Admit must not modify the user it is given. A
	// store that keeps users in memory may call it with a copy that is not
	// the newest, but then creates nothing unless the stored user is still
	// that version, and refuses only after a fresh read.
	Admit func(*User) error
}

// SessionFilter selects a page of one user's sessions, newest first.
type SessionFilter struct {
	UserID     string
	LocationID string // empty: every location
	BeforeID   int64  // 0 or less: from the newest
	Limit      int    // see Page
}

// The paging policy of session lists (the API's limit parameter).
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// Page is f with the paging policy applied, which every store does before
// it queries: a Limit of 0 or less is DefaultPageSize, one above
// MaxPageSize is MaxPageSize; a BeforeID of 0 or less is 0, from the newest.
func (f SessionFilter) Page() SessionFilter {
	switch {
	case f.Limit <= 0:
		f.Limit = DefaultPageSize
	case f.Limit > MaxPageSize:
		f.Limit = MaxPageSize
	}
	f.BeforeID = max(f.BeforeID, 0)
	return f
}

// SessionStore persists sessions. Implementations enforce every invariant in
// the database (one open session per user, one bill per session, idempotency
// keys) so that they hold across concurrent requests and server replicas, and
// read the time from their own clock so billing is testable.
//
// Lazy settlement: a read or write that meets a session whose simulated exit
// or pending expiry is due settles it first, so callers never see stale state,
// also right after a restart.
type SessionStore interface {
	// CreateSession inserts a session for an existing user (else ENotFound)
	// whom ns.Admit accepts, and reports created true. A user with an open session gets
	// EActiveSessionExists naming it (Details[0] is its id). With an
	// idempotency key already used by the user, it returns that session with
	// created false if ns replays the request that created it (see
	// NewSession.Replays; the key is stored with ns.Fingerprint()), else
	// KeyReused naming it.
	// Of concurrent calls with one key, exactly one reports created.
	CreateSession(ctx context.Context, s NewSession) (_ *Session, created bool, _ error)
	// Session returns one of the user's sessions at a location; anything
	// else (another user's, another location's, missing) is ENotFound.
	Session(ctx context.Context, ref SessionRef) (*Session, error)
	// Sessions lists a page of the user's sessions, newest first, with the
	// paging policy of SessionFilter.Page; a user without sessions (or
	// unknown) has an empty list.
	Sessions(ctx context.Context, f SessionFilter) ([]*Session, error)
	// EndSession ends an active app-controlled session, bills it with price
	// and reports ended true. Ending an ended session returns it unchanged,
	// same bill, with ended false, so that of concurrent calls exactly one
	// reports ended; a gate session is EPhysicalCheckout, whatever its
	// state; a missing one ENotFound.
	EndSession(ctx context.Context, ref SessionRef, price Price) (_ *Session, ended bool, _ error)
	// Redeem plays the gates of a pending gate session: entry now, exit after
	// d, billed with price. Other sessions: ENotRedeemable; d < 0: EValidation.
	Redeem(ctx context.Context, ref SessionRef, d time.Duration, price Price) (*Session, error)
	// OpenSessions counts the sessions open now across all users; sessions
	// whose simulated exit or expiry is due count as settled. It serves the
	// open-sessions gauge, so it must be cheap (the open-session index).
	OpenSessions(ctx context.Context) (int64, error)
	// SettleDue ends sessions whose simulated exit is due and cancels pending
	// sessions past their expiry, returning how many changed. Safe to run
	// concurrently from several replicas.
	SettleDue(ctx context.Context) (int, error)
}
