package postgres

import (
	"testing"

	"github.com/coordapi/coord"
)

// userVersionMigration added users.version.
const userVersionMigration = 7

// A user of the schema before the version column upgrades in place at
// version 1, starts sessions as stored (vehicle, linked account), and the
// writes after the upgrade move the version.
func TestUpgradeToUserVersion(t *testing.T) {
	ctx := t.Context()
	dsn, old := oldSchema(t, userVersionMigration-1)
	const uid = "00000000-0000-4000-8000-0000000000a1"
	for _, stmt := range []string{
		`INSERT INTO users (user_id, partner_id, external_uid, email, plate_text, plate_country, plate_subdivision, created_at)
			VALUES ('` + uid + `', 'p', 'u', 'u@example.com', 'abc123', 'us', '', now())`,
		`INSERT INTO linked_accounts (user_id, system_id, linked) VALUES ('` + uid + `', 'sys', true)`,
	} {
		if _, err := old.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	old.Close(ctx)

	db, err := Open(ctx, dsn, coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	version := func() int64 {
		t.Helper()
		var v int64
		if err := db.pool.QueryRow(ctx, `SELECT version FROM users WHERE user_id = $1`, uid).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := version(); v != 1 {
		t.Fatalf("version of a user from before the upgrade: %d, want 1", v)
	}
	var shown *coord.User
	s, created, err := db.CreateSession(ctx, coord.NewSession{UserID: uid, LocationID: "l", Currency: "USD",
		Admit: func(u *coord.User) error { shown = u; return nil }})
	if err != nil || !created {
		t.Fatalf("start after the upgrade: created %v, %v", created, err)
	}
	if shown.Vehicle == nil || shown.Vehicle.Plate.Text != "abc123" || !shown.Linked["sys"] || shown.Email != "u@example.com" {
		t.Errorf("user after the upgrade: %+v", shown)
	}
	if _, _, err := db.EndSession(ctx, s.Ref(), recentPrice); err != nil {
		t.Fatal(err)
	}
	if err := db.SetLinked(ctx, uid, "sys", false); err != nil {
		t.Fatal(err)
	}
	if err := db.SetVehicle(ctx, uid, coord.Vehicle{Plate: coord.LicensePlate{Text: "xyz", Country: "de"}}); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != 3 {
		t.Errorf("version after an unlink and a new plate: %d, want 3", v)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after the upgrade: %v", err)
	}
}

// Every write that changes a user moves its version, whoever makes it (a
// replica of the build before the version, during a rolling upgrade,
// writes as the plain statements below do), and a write that changes
// nothing does not.
func TestUserWritesMoveTheVersion(t *testing.T) {
	db := openInternal(t, "")
	ctx := t.Context()
	p := coord.UserProfile{PartnerID: "p", ExternalUID: "driver", Email: "a@example.com"}
	u, err := db.UpsertUser(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := parseUserID(u.UserID)
	want := int64(1)
	// external: the write is not the store's, so what it holds is stale.
	step := func(what string, err error, moved bool, external ...bool) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if moved {
			want++
		}
		var v int64
		if err := db.pool.QueryRow(ctx, `SELECT version FROM users WHERE user_id = $1`, uid).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != want {
			t.Errorf("version after %s: %d, want %d", what, v, want)
		}
		if held := db.users.get(uid); len(external) == 0 && (held == nil || held.version != v) {
			t.Errorf("held after %s: %+v, want version %d", what, held, v)
		}
	}
	exec := func(sql string) error {
		_, err := db.pool.Exec(ctx, sql, uid)
		return err
	}
	const external = true
	_, err = db.UpsertUser(ctx, p)
	step("the same token again", err, false)
	p.Name = "Driver"
	_, err = db.UpsertUser(ctx, p)
	step("a token with a new name", err, true)
	step("a plate", db.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc", Country: "us"}}), true)
	step("a link", db.SetLinked(ctx, u.UserID, "sys", true), true)
	step("the same link again", db.SetLinked(ctx, u.UserID, "sys", true), false)
	step("an unlink", db.SetLinked(ctx, u.UserID, "sys", false), true)
	step("an unlink of an account never linked", db.SetLinked(ctx, u.UserID, "other", false), false)
	step("an older build's plate", exec(`UPDATE users SET plate_text = 'xyz' WHERE user_id = $1`), true, external)
	step("an older build's same plate", exec(`UPDATE users SET plate_text = 'xyz' WHERE user_id = $1`), false, external)
	step("an older build's link", exec(`INSERT INTO linked_accounts (user_id, system_id, linked) VALUES ($1, 'third', true)`), true, external)
	step("an older build's unlink", exec(`UPDATE linked_accounts SET linked = false WHERE user_id = $1 AND system_id = 'third'`), true, external)
	step("an account deleted", exec(`DELETE FROM linked_accounts WHERE user_id = $1 AND system_id = 'sys'`), true, external)
}
