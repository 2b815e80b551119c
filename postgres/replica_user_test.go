package postgres_test

import (
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/storetest"
)

// qualifies is the session-start check of a system that wants a plate and
// a linked account at "sys": the requirements error, as the service's.
func qualifies(u *coord.User) error {
	if u.Vehicle == nil || !u.Linked["sys"] {
		return coord.Errorf(coord.ERequirementsNotMet, "not transactable")
	}
	return nil
}

// A replica holds the users it read, but a user changed on another replica
// is never started on as held: the unlinked account is a requirements
// error there at the next start, the account linked again is a start, a
// replay of a key follows the user the same way, and a new plate is what
// the check is shown.
func TestAUserChangedOnAnotherReplicaIsSeen(t *testing.T) {
	dsn := testSchema(t)
	cfg := coord.StoreConfig{Clock: storetest.NewClock()}
	a, b := open(t, dsn, cfg), open(t, dsn, cfg)
	ctx := t.Context()
	u, err := a.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: "driver"})
	if err != nil {
		t.Fatal(err)
	}
	plate := coord.LicensePlate{Text: "abc123", Country: "us"}
	if err := a.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: plate}); err != nil {
		t.Fatal(err)
	}
	if err := a.SetLinked(ctx, u.UserID, "sys", true); err != nil {
		t.Fatal(err)
	}
	var shown *coord.User
	ns := coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "USD", Admit: func(u *coord.User) error {
		shown = u
		return qualifies(u)
	}}
	price := coord.Price{Rate: coord.Money{Amount: 100, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}
	start := func(ns coord.NewSession) (*coord.Session, error) {
		t.Helper()
		s, _, err := a.CreateSession(ctx, ns)
		if err == nil {
			if _, _, err := a.EndSession(ctx, s.Ref(), price); err != nil {
				t.Fatal(err)
			}
		}
		return s, err
	}
	if _, err := start(ns); err != nil {
		t.Fatalf("start of a user who qualifies: %v", err)
	}

	if err := b.SetLinked(ctx, u.UserID, "sys", false); err != nil {
		t.Fatal(err)
	}
	if s, err := start(ns); coord.ErrorCode(err) != coord.ERequirementsNotMet {
		t.Fatalf("start after the account was unlinked on the other replica: %+v, %v; want %s", s, err, coord.ERequirementsNotMet)
	}
	if err := b.SetLinked(ctx, u.UserID, "sys", true); err != nil {
		t.Fatal(err)
	}
	keyed := ns
	keyed.IdempotencyKey = "k"
	first, err := start(keyed)
	if err != nil {
		t.Fatalf("start after the account was linked again on the other replica: %v", err)
	}

	if err := b.SetLinked(ctx, u.UserID, "sys", false); err != nil {
		t.Fatal(err)
	}
	if s, _, err := a.CreateSession(ctx, keyed); coord.ErrorCode(err) != coord.ERequirementsNotMet {
		t.Fatalf("replay after the account was unlinked on the other replica: %+v, %v; want %s", s, err, coord.ERequirementsNotMet)
	}
	if err := b.SetLinked(ctx, u.UserID, "sys", true); err != nil {
		t.Fatal(err)
	}
	if s, created, err := a.CreateSession(ctx, keyed); err != nil || created || s.ID != first.ID {
		t.Fatalf("replay after the account was linked again: %+v, created %v, %v; want session %d replayed", s, created, err, first.ID)
	}

	other := coord.LicensePlate{Text: "xyz9", Country: "de"}
	if err := b.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: other}); err != nil {
		t.Fatal(err)
	}
	if _, err := start(ns); err != nil || shown.Vehicle == nil || shown.Vehicle.Plate != other {
		t.Fatalf("start after a new plate on the other replica: %v, shown %+v; want the new plate", err, shown)
	}
	list, err := a.Sessions(ctx, coord.SessionFilter{UserID: u.UserID})
	if err != nil || len(list) != 3 {
		t.Fatalf("sessions: %d, %v; want the 3 starts that qualified", len(list), err)
	}
}
