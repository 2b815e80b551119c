package coordclient

import (
	"crypto/rand"
	"errors"
	"strconv"

	"github.com/coordapi/coord/models"
)

// OpenSessionID is the id of the user's open session when err says a new
// one cannot start because of it (active_session_exists), so that an app
// can show or end it:
//
//	s, err := u.StartSession(ctx, "downtown-garage", nil)
//	if id, ok := coordclient.OpenSessionID(err); ok {
//		s, err = u.Session(ctx, location, id) // or end it first
//	}
func OpenSessionID(err error) (int64, bool) {
	var e *Error
	if !errors.As(err, &e) || e.Code != models.ErrorCodeActiveSessionExists || len(e.Details) == 0 {
		return 0, false
	}
	id, perr := strconv.ParseInt(e.Details[0], 10, 64)
	return id, perr == nil && id > 0
}

// MissingRequirements lists what the user lacks when err says they may not
// transact with a system yet (requirements_not_met): e.g.
// "vehicle.license_plate.text" (SetVehicle) or "linked_account" (LinkURL).
func MissingRequirements(err error) ([]string, bool) {
	var e *Error
	if !errors.As(err, &e) || e.Code != models.ErrorCodeRequirementsNotMet {
		return nil, false
	}
	return e.Details, true
}

// newIdempotencyKey names one logical call, so that the server can tell a
// retry of it from a new call.
func newIdempotencyKey() string { return "coordclient-" + rand.Text() }
