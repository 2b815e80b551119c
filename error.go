package coord

import (
	"errors"
	"fmt"
)

// Error codes: stable, machine-readable values of Error.Code. Only the HTTP
// adapter knows which status each maps to; the codes of the transport itself
// (method not allowed, body too large, ...) are the adapter's own
// (httpapi.TransportCodes).
const (
	EInvalid                 = "invalid_request"           // malformed input: bad JSON, wrong type
	EValidation              = "validation_failed"         // well-formed input that breaks a rule
	EUnauthorized            = "unauthorized"              // missing or bad credentials
	EForbidden               = "forbidden"                 // valid credentials, not allowed here
	ENotFound                = "not_found"                 // no such resource for this caller
	EActiveSessionExists     = "active_session_exists"     // the user already has an open session
	EPhysicalCheckout        = "physical_checkout"         // gate sessions end at the exit gate
	ENotRedeemable           = "not_redeemable"            // simulate_redemption on a non-pending session
	ELocationNotTransactable = "location_not_transactable" // not_available locations
	ERequirementsNotMet      = "requirements_not_met"      // the system's requirements are missing
	EIdempotencyKeyReused    = "idempotency_key_reused"    // same key, different request
	ELinkingUnavailable      = "linking_unavailable"       // no link URL configured for the system
	EUnavailable             = "unavailable"               // database unreachable
	ECursorExpired           = "cursor_expired"            // list_events' after is older than the events kept
	EInternal                = "internal"                  // a bug; details are logged, not returned
)

// Error is a domain error: a stable code, a human message, optional details
// (the missing requirements, the id of the open session, ...).
type Error struct {
	Code    string
	Message string
	Details []string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithDetails returns e with details appended.
func (e *Error) WithDetails(details ...string) *Error {
	e.Details = append(e.Details, details...)
	return e
}

// ErrorCode is the code of err if it is (or wraps) an *Error, else EInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}
