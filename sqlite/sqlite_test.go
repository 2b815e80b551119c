package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/storetest"
)

// open opens the database at path, closed when t ends.
func open(t *testing.T, path string, cfg coord.StoreConfig) *DB {
	t.Helper()
	db, err := Open(t.Context(), path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func(coord.StoreConfig) coord.Store {
		path := filepath.Join(t.TempDir(), "coord.db")
		return func(cfg coord.StoreConfig) coord.Store { return open(t, path, cfg) }
	})
}

func TestPragmas(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	for _, pool := range []querier{db.writer, db.reader} {
		for pragma, want := range map[string]string{
			"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000", "temp_store": "2",
		} {
			var got string
			if err := pool.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s = %s, want %s", pragma, got, want)
			}
		}
	}
	if _, err := db.reader.ExecContext(t.Context(), `DELETE FROM secrets`); err == nil {
		t.Error("the reader pool accepted a write")
	}
}

// TestOneOpenSessionInSchema shows that the database itself, not only Go,
// refuses a second open session.
func TestOneOpenSessionInSchema(t *testing.T) {
	db, u := openWithUser(t)
	for _, row := range []string{
		`'ended', 0, 1, 0, 'USD', NULL`, `'cancelled', NULL, NULL, 0, 'USD', NULL`, `'active', 0, NULL, NULL, NULL, NULL`,
	} {
		if _, err := db.writer.ExecContext(t.Context(), insertRow(row), u.UserID); err != nil {
			t.Fatalf("insert %s: %v", row, err)
		}
	}
	_, err := db.writer.ExecContext(t.Context(), insertRow(`'pending', NULL, NULL, NULL, NULL, 'CRD-X'`), u.UserID)
	if !isUnique(err) {
		t.Fatalf("second open session: %v, want a unique violation", err)
	}
}

// openWithUser opens a fresh database with one user in it.
func openWithUser(t *testing.T) (*DB, *coord.User) {
	t.Helper()
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	u, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	return db, u
}

// insertRow is an INSERT of a session of user ? with the given status,
// start_time, end_time, cost_amount, cost_currency and barcode.
func insertRow(values string) string {
	return `INSERT INTO sessions (user_id, location_id, currency, created_at,
		status, start_time, end_time, cost_amount, cost_currency, barcode)
		VALUES (?, 'l', 'USD', 0, ` + values + `)`
}

// TestCoherenceInSchema shows that the CHECK constraints (the same as the
// PostgreSQL store's) refuse a session whose columns contradict its status.
func TestCoherenceInSchema(t *testing.T) {
	db, u := openWithUser(t)
	for _, row := range []string{
		`'ended', 0, NULL, 0, 'USD', NULL`,        // ended without an end
		`'ended', 0, 1, NULL, NULL, NULL`,         // ended without a bill
		`'active', NULL, NULL, NULL, NULL, NULL`,  // active without a start
		`'cancelled', NULL, NULL, 0, NULL, NULL`,  // a bill without a currency
		`'pending', NULL, NULL, NULL, NULL, NULL`, // pending without a barcode
	} {
		_, err := db.writer.ExecContext(t.Context(), insertRow(row), u.UserID)
		if err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
			t.Errorf("insert %s: %v, want a CHECK violation", row, err)
		}
	}
	_, err := db.writer.ExecContext(t.Context(), `UPDATE users SET plate_text = 'X' WHERE user_id = ?`, u.UserID)
	if err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
		t.Errorf("a plate without its country: %v, want a CHECK violation", err)
	}
}

// TestReopen checks that everything survives closing and reopening the
// file, and that a simulated exit that fell due while the server was down
// settles on the first read.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "coord.db")
	clock := storetest.NewClock()
	price := coord.Price{Rate: coord.Money{Amount: 300, Currency: "EUR"}, RatePeriodM: 60, IncrementM: 1}

	db, err := Open(ctx, path, coord.StoreConfig{Clock: clock, PendingTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: "u", Email: "u@example.com", Test: true})
	if err != nil {
		t.Fatal(err)
	}
	must(t, db.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc123", Country: "us", Subdivision: "ny"}}))
	must(t, db.SetLinked(ctx, u.UserID, "sys", true))
	app, _, err := db.CreateSession(ctx, coord.NewSession{UserID: u.UserID, LocationID: "a", Currency: "EUR", ResourceID: "7"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Minute)
	if app, _, err = db.EndSession(ctx, coord.SessionRef{UserID: u.UserID, LocationID: "a", ID: app.ID}, price); err != nil {
		t.Fatal(err)
	}
	gate, _, err := db.CreateSession(ctx, coord.NewSession{UserID: u.UserID, LocationID: "g", Currency: "EUR",
		Gate: true, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if gate, err = db.Redeem(ctx, coord.SessionRef{UserID: u.UserID, LocationID: "g", ID: gate.ID}, 20*time.Minute, price); err != nil {
		t.Fatal(err)
	}
	secret, err := db.Secret(ctx, "jwt", func() ([]byte, error) { return []byte("s3cret"), nil })
	if err != nil {
		t.Fatal(err)
	}
	user, err := db.User(ctx, u.UserID)
	if err != nil {
		t.Fatal(err)
	}
	must(t, db.Close())

	clock.Advance(time.Hour) // the exit fell due while closed
	db = open(t, path, coord.StoreConfig{Clock: clock, PendingTTL: time.Hour})
	gotUser, err := db.User(ctx, u.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if gotUser.Email != user.Email || !gotUser.Test || *gotUser.Vehicle != *user.Vehicle || !gotUser.Linked["sys"] {
		t.Errorf("user = %+v, want %+v", gotUser, user)
	}
	gotSecret, err := db.Secret(ctx, "jwt", func() ([]byte, error) { return []byte("other"), nil })
	if err != nil || string(gotSecret) != string(secret) {
		t.Errorf("secret = %q, %v; want %q", gotSecret, err, secret)
	}
	list, err := db.Sessions(ctx, coord.SessionFilter{UserID: u.UserID, Limit: 10})
	if err != nil || len(list) != 2 {
		t.Fatalf("sessions = %v, %v", list, err)
	}
	if !same(list[1], app) {
		t.Errorf("app session = %+v, want %+v", list[1], app)
	}
	ended := *gate
	end := gate.StartTime.Add(20 * time.Minute)
	ended.Status, ended.EndTime, ended.Cost = coord.StatusEnded, &end, &coord.Money{Amount: 100, Currency: "EUR"}
	if !same(list[0], &ended) {
		t.Errorf("gate session = %+v, want %+v", list[0], &ended)
	}
	retry, created, err := db.CreateSession(ctx, coord.NewSession{UserID: u.UserID, LocationID: "g", Currency: "EUR",
		Gate: true, IdempotencyKey: "k"})
	if err != nil || retry.ID != gate.ID || created {
		t.Errorf("retry with key = %+v, created %v, %v; want session %d, not created", retry, created, err, gate.ID)
	}
	if _, ended, err := db.EndSession(ctx, coord.SessionRef{UserID: u.UserID, LocationID: "a", ID: app.ID}, price); err != nil || ended {
		t.Errorf("ending the ended app session again = ended %v, %v; want not ended", ended, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func same(a, b *coord.Session) bool {
	eqTime := func(x, y *time.Time) bool { return x == nil && y == nil || x != nil && y != nil && x.Equal(*y) }
	eqMoney := func(x, y *coord.Money) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.ID == b.ID && a.LocationID == b.LocationID && a.UserID == b.UserID && a.Status == b.Status &&
		a.ResourceID == b.ResourceID && a.Barcode == b.Barcode &&
		eqTime(a.StartTime, b.StartTime) && eqTime(a.EndTime, b.EndTime) && eqMoney(a.Cost, b.Cost)
}

func TestCreateSessionUnknownUser(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	_, _, err := db.CreateSession(t.Context(), coord.NewSession{UserID: "nobody", LocationID: "l", Currency: "USD"})
	if coord.ErrorCode(err) != coord.ENotFound {
		t.Errorf("CreateSession for an unknown user = %v, want %s", err, coord.ENotFound)
	}
}
