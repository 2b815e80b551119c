package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/storetest"
)

// oldDatabase is a fresh database file migrated up to version only, for
// upgrade tests to fill through db (closing it) before opening it with this
// build.
func oldDatabase(t *testing.T, version int64) (path string, db *sql.DB) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "coord.db")
	db, err := sql.Open("sqlite", WriterDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := migrateTo(t.Context(), db, version); err != nil {
		t.Fatal(err)
	}
	return path, db
}

// TestUpgradeFromInitialSchema fills a database of migration 1's schema
// (cost, planned_cost and one currency column; no CHECKs) and opens it with
// this build: every row must read back as it was stored, the planned bill
// must still settle, and no id handed out before may be handed out again.
func TestUpgradeFromInitialSchema(t *testing.T) {
	ctx := t.Context()
	path, old := oldDatabase(t, 1)
	base := storetest.Epoch.Truncate(time.Millisecond)
	ms := func(d time.Duration) int64 { return base.Add(d).UnixMilli() }
	for _, stmt := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO users (user_id, partner_id, external_uid, email, name, test, plate_text, plate_country, plate_subdivision)
			VALUES ('00000000-0000-4000-8000-000000000001', 'p', 'u', 'u@example.com', 'U', TRUE, 'ABC123', 'US', 'NY')`, nil},
		{`INSERT INTO linked_accounts VALUES ('00000000-0000-4000-8000-000000000001', 'sys', TRUE)`, nil},
		// 1: ended app session; 2: cancelled gate session; 3: redeemed gate
		// session, due to exit at +3h; 4: a session deleted again (its id stays used).
		{`INSERT INTO sessions (id, user_id, location_id, resource_id, status, currency, created_at, start_time, end_time, cost)
			VALUES (1, '00000000-0000-4000-8000-000000000001', 'a', '7', 'ended', 'EUR', ?, ?, ?, 150)`,
			[]any{ms(0), ms(0), ms(30 * time.Minute)}},
		{`INSERT INTO sessions (id, user_id, location_id, status, barcode, currency, created_at, expires_at, cost)
			VALUES (2, '00000000-0000-4000-8000-000000000001', 'g', 'cancelled', 'CRD-OLD2', 'EUR', ?, ?, 0)`,
			[]any{ms(time.Hour), ms(2 * time.Hour)}},
		{`INSERT INTO sessions (id, user_id, location_id, status, barcode, currency, created_at, expires_at, start_time, exit_at, planned_cost)
			VALUES (3, '00000000-0000-4000-8000-000000000001', 'g', 'active', 'CRD-OLD3', 'EUR', ?, ?, ?, ?, 600)`,
			[]any{ms(2 * time.Hour), ms(3 * time.Hour), ms(2 * time.Hour), ms(3 * time.Hour)}},
		{`INSERT INTO sessions (id, user_id, location_id, status, currency, created_at, start_time, end_time, cost)
			VALUES (4, '00000000-0000-4000-8000-000000000001', 'x', 'ended', 'EUR', 0, 0, 0, 0)`, nil},
		{`DELETE FROM sessions WHERE id = 4`, nil},
		{`INSERT INTO idempotency_keys VALUES ('00000000-0000-4000-8000-000000000001', 'k', 3)`, nil},
		{`INSERT INTO secrets VALUES ('link', x'0102')`, nil},
	} {
		if _, err := old.ExecContext(ctx, stmt.q, stmt.args...); err != nil {
			t.Fatalf("%s: %v", stmt.q, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	clock := storetest.NewClock()
	clock.Advance(2*time.Hour + time.Minute)
	db := open(t, path, coord.StoreConfig{Clock: clock})
	const uid = "00000000-0000-4000-8000-000000000001"
	u, err := db.User(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "u@example.com" || !u.Test || u.Vehicle == nil || u.Vehicle.Plate.Text != "ABC123" || !u.Linked["sys"] {
		t.Errorf("user after upgrade: %+v", u)
	}
	list, err := db.Sessions(ctx, coord.SessionFilter{UserID: uid})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("%d sessions after upgrade, want 3", len(list))
	}
	ended, cancelled, active := list[2], list[1], list[0]
	if ended.Status != coord.StatusEnded || *ended.Cost != (coord.Money{Amount: 150, Currency: "EUR"}) ||
		!ended.EndTime.Equal(base.Add(30*time.Minute)) || ended.ResourceID != "7" {
		t.Errorf("ended session after upgrade: %+v", ended)
	}
	if cancelled.Status != coord.StatusCancelled || *cancelled.Cost != (coord.Money{Amount: 0, Currency: "EUR"}) ||
		cancelled.Barcode != "CRD-OLD2" {
		t.Errorf("cancelled session after upgrade: %+v", cancelled)
	}
	if active.Status != coord.StatusActive || active.Cost != nil {
		t.Errorf("redeemed session after upgrade: %+v", active)
	}

	// The planned bill, stored as planned_cost, settles as before.
	clock.Advance(time.Hour)
	s, err := db.Session(ctx, coord.SessionRef{UserID: uid, LocationID: "g", ID: 3})
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != coord.StatusEnded || *s.Cost != (coord.Money{Amount: 600, Currency: "EUR"}) ||
		!s.EndTime.Equal(base.Add(3*time.Hour)) {
		t.Errorf("redeemed session settled after upgrade: %+v", s)
	}

	// The idempotency key still names its session.
	if _, _, err := db.CreateSession(ctx, coord.NewSession{UserID: uid, LocationID: "a", Currency: "EUR", IdempotencyKey: "k"}); coord.ErrorCode(err) != coord.EIdempotencyKeyReused {
		t.Errorf("reused key after upgrade: %v, want %s", err, coord.EIdempotencyKeyReused)
	}
	fresh, _, err := db.CreateSession(ctx, coord.NewSession{UserID: uid, LocationID: "a", Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if fresh.ID <= 4 {
		t.Errorf("new session got id %d, reusing one handed out before the upgrade", fresh.ID)
	}
	secret, err := db.Secret(ctx, "link", func() ([]byte, error) { return []byte("new"), nil })
	if err != nil || string(secret) != "\x01\x02" {
		t.Errorf("secret after upgrade: %q, %v", secret, err)
	}

	// A second process that raced this one to the migration applies it as a no-op.
	again, err := sql.Open("sqlite", path+"?"+params+"&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	tx, err := again.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := upOneVocabulary(ctx, tx); err != nil {
		t.Errorf("migration 2 applied twice: %v", err)
	}
}
