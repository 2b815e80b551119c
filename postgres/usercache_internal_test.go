package postgres

import (
	"fmt"
	"testing"

	"github.com/coordapi/coord"
)

// A start on a user this replica holds at its version reads no user: with
// the stored plate cleared behind the store's back (the version kept), the
// held user with the plate still starts. Once the version moves, the next
// start reads the user and is refused, and a refusal is never on what is
// held: with the plate back behind its back, a held user without one is
// read again and starts.
func TestAStartOnAHeldUserReadsNoUser(t *testing.T) {
	db := openInternal(t, "")
	ctx := t.Context()
	u, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: "driver"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc", Country: "us"}}); err != nil {
		t.Fatal(err)
	}
	reads := 0
	ns := coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "USD", Admit: func(u *coord.User) error {
		reads++
		if u.Vehicle == nil {
			return coord.Errorf(coord.ERequirementsNotMet, "no plate")
		}
		return nil
	}}
	startEnd := func() error {
		t.Helper()
		s, _, err := db.CreateSession(ctx, ns)
		if err != nil {
			return err
		}
		_, _, err = db.EndSession(ctx, s.Ref(), recentPrice)
		return err
	}
	exec := func(sql string) {
		t.Helper()
		if _, err := db.pool.Exec(ctx, sql, u.UserID); err != nil {
			t.Fatal(err)
		}
	}

	// Behind the store's back and the version's: without the trigger.
	if _, err := db.pool.Exec(ctx, `ALTER TABLE users DISABLE TRIGGER users_version`); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE users SET plate_text = NULL, plate_country = NULL, plate_subdivision = NULL WHERE user_id = $1`)
	if err := startEnd(); err != nil {
		t.Fatalf("start on the held user at its version: %v", err)
	}
	exec(`UPDATE users SET version = version + 1 WHERE user_id = $1`)
	if err := startEnd(); coord.ErrorCode(err) != coord.ERequirementsNotMet {
		t.Fatalf("start once the version moved: %v, want %s", err, coord.ERequirementsNotMet)
	}
	exec(`UPDATE users SET plate_text = 'abc', plate_country = 'us', plate_subdivision = '' WHERE user_id = $1`)
	if err := startEnd(); err != nil {
		t.Fatalf("start of a held user refused, now with a plate: %v", err)
	}
	if reads != 5 {
		t.Errorf("Admit asked %d times, want 5 (held, held then read, held then read)", reads)
	}
}

// The cache holds at most usersMax users, and a read that finishes after a
// newer version was held does not put the older back.
func TestUserCacheBounds(t *testing.T) {
	c := newUserCache()
	for i := range usersMax + 10 {
		uid, _ := parseUserID(fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
		c.put(uid, &userRow{User: &coord.User{UserID: uid.String()}, version: 1})
	}
	if len(c.rows) != usersMax {
		t.Fatalf("%d users held, want %d", len(c.rows), usersMax)
	}
	uid, _ := parseUserID("00000000-0000-4000-8000-000000000001")
	c.put(uid, &userRow{User: &coord.User{Email: "new"}, version: 3})
	c.put(uid, &userRow{User: &coord.User{Email: "old"}, version: 2})
	if got := c.get(uid); got.version != 3 || got.Email != "new" {
		t.Fatalf("held %+v at version %d, want the newer, 3", got.User, got.version)
	}
}
