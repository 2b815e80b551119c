package coord

import (
	"strconv"
	"time"
)

// The errors a Store returns for the rules it enforces, built here so that
// every store reports them with the same code, message and details
// (storetest compares them).

// ErrUserNotFound: no user with that id.
func ErrUserNotFound(userID string) *Error {
	return Errorf(ENotFound, "user %s not found", userID)
}

// ErrSessionNotFound: no session with that id of that user at that location.
// It names neither, so that other users' ids leak nothing.
func ErrSessionNotFound(id int64) *Error {
	return Errorf(ENotFound, "session %d not found", id)
}

// ErrOpenSessionExists: the user's open session blocks a new one. Details[0]
// is its id.
func ErrOpenSessionExists(openID int64) *Error {
	return Errorf(EActiveSessionExists, "the user already has open session %d", openID).
		WithDetails(strconv.FormatInt(openID, 10))
}

// ErrIdempotencyKeyReused: the key created a session for a different
// request (see NewSession.Replays). Details[0] is that session's id.
func ErrIdempotencyKeyReused(priorID int64) *Error {
	return Errorf(EIdempotencyKeyReused, "the Idempotency-Key was already used for a different request, which created session %d", priorID).
		WithDetails(strconv.FormatInt(priorID, 10))
}

// ErrPhysicalCheckout: gate sessions cannot be ended through the API.
func ErrPhysicalCheckout(id int64) *Error {
	return Errorf(EPhysicalCheckout, "session %d ends at the exit gate", id)
}

// ErrNotRedeemable: only a pending gate session can be redeemed.
func ErrNotRedeemable(id int64) *Error {
	return Errorf(ENotRedeemable, "session %d is not a pending gate session", id)
}

// ErrNegativeDuration: a redemption's stay cannot be negative.
func ErrNegativeDuration(d time.Duration) *Error {
	return Errorf(EValidation, "negative duration %s", d)
}

// ErrStoreUnavailable: the database cannot serve now; try again later.
func ErrStoreUnavailable() *Error {
	return Errorf(EUnavailable, "database unavailable")
}
