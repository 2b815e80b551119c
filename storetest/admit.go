package storetest

import (
	"errors"

	"github.com/coordapi/coord"
)

// errNoPlate is a requirements verdict of the tests' Admit.
var errNoPlate = coord.Errorf(coord.ERequirementsNotMet, "no plate")

// needsPlate is an Admit that wants a vehicle and, when system is set, a
// linked account there; it records the users it was shown in seen.
func needsPlate(system string, seen *[]coord.User) func(*coord.User) error {
	return func(u *coord.User) error {
		*seen = append(*seen, *u)
		if u.Vehicle == nil || (system != "" && !u.Linked[system]) {
			return errNoPlate
		}
		return nil
	}
}

// CreateSession asks Admit about the user as stored now: its refusal is
// returned as it is and creates nothing, also for a replay of a key, and
// every change of the user is seen by the next start.
func testAdmit(e *env) {
	u := e.user()
	var seen []coord.User
	ns := e.newSession(u, locApp, false)
	ns.Admit = needsPlate("sys-a", &seen)

	_, _, err := e.s.CreateSession(e.ctx, ns)
	if !errors.Is(err, errNoPlate) {
		e.Fatalf("CreateSession for a user without a vehicle: %v, want Admit's error", err)
	}
	if len(seen) == 0 || seen[len(seen)-1].UserID != u.UserID || seen[len(seen)-1].PartnerID != u.PartnerID {
		e.Fatalf("Admit was shown %+v, want user %s", seen, u.UserID)
	}
	e.wantNoSessions(u)

	plate := coord.LicensePlate{Text: "abc123", Country: "us"}
	if err := e.s.SetVehicle(e.ctx, u.UserID, coord.Vehicle{Plate: plate}); err != nil {
		e.Fatal(err)
	}
	if _, _, err := e.s.CreateSession(e.ctx, ns); !errors.Is(err, errNoPlate) {
		e.Fatalf("CreateSession with a vehicle but no linked account: %v, want Admit's error", err)
	}
	if err := e.s.SetLinked(e.ctx, u.UserID, "sys-a", true); err != nil {
		e.Fatal(err)
	}
	s := e.create(ns)
	if last := seen[len(seen)-1]; last.Vehicle == nil || last.Vehicle.Plate != plate || !last.Linked["sys-a"] {
		e.Errorf("Admit was shown %+v, want the vehicle and the linked account", last)
	}
	e.end(s)

	// A replay is refused once the user no longer qualifies, as a new
	// start is; a user who qualifies again gets the replay.
	keyed := ns
	keyed.IdempotencyKey = uniq("key")
	first := e.create(keyed)
	if err := e.s.SetLinked(e.ctx, u.UserID, "sys-a", false); err != nil {
		e.Fatal(err)
	}
	if _, _, err := e.s.CreateSession(e.ctx, keyed); !errors.Is(err, errNoPlate) {
		e.Fatalf("replay for a user who unlinked: %v, want Admit's error", err)
	}
	if err := e.s.SetLinked(e.ctx, u.UserID, "sys-a", true); err != nil {
		e.Fatal(err)
	}
	if again := e.replay(keyed); again.ID != first.ID {
		e.Errorf("replay returned session %d, want %d", again.ID, first.ID)
	}
	ns.UserID = noUser
	_, _, err = e.s.CreateSession(e.ctx, ns)
	e.wantError(err, coord.ErrUserNotFound(noUser))
}

// wantNoSessions fails unless u has no session.
func (e *env) wantNoSessions(u *coord.User) {
	e.Helper()
	list, err := e.s.Sessions(e.ctx, coord.SessionFilter{UserID: u.UserID})
	if err != nil {
		e.Fatal(err)
	}
	if len(list) != 0 {
		e.Errorf("user %s has sessions %v, want none", u.UserID, ids(list))
	}
}
