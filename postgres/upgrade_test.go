package postgres

import (
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/internal/pgtest"
	"github.com/coordapi/coord/storetest"
)

// oldSchema is a fresh schema migrated up to version only, for upgrade
// tests to fill through conn before opening it with this build.
func oldSchema(t *testing.T, version int64) (schemaDSN string, conn *pgx.Conn) {
	t.Helper()
	ctx := t.Context()
	dsn := os.Getenv("COORD_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("COORD_TEST_POSTGRES is not set")
	}
	schemaDSN, drop, err := pgtest.NewSchema(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	cfg, err := pgx.ParseConfig(schemaDSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrateTo(ctx, cfg, version); err != nil {
		t.Fatal(err)
	}
	if conn, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	return schemaDSN, conn
}

// TestUpgradeFromInitialSchema fills a schema of migration 1 and opens it
// with this build: every row reads back as stored, and the planned bill
// still settles.
func TestUpgradeFromInitialSchema(t *testing.T) {
	ctx := t.Context()
	schemaDSN, conn := oldSchema(t, 1)
	base := storetest.Epoch.Truncate(time.Millisecond)
	const uid = "00000000-0000-4000-8000-000000000001"
	for _, stmt := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO users (user_id, partner_id, external_uid, email, test, plate_text, plate_country, plate_subdivision, created_at)
			VALUES ($1, 'p', 'u', 'u@example.com', TRUE, 'ABC123', 'US', 'NY', $2)`, []any{uid, base}},
		{`INSERT INTO sessions (user_id, location_id, resource_id, status, currency, created_at, start_time, end_time, cost_amount, cost_currency)
			VALUES ($1, 'a', '7', 'ended', 'EUR', $2, $2, $3, 150, 'EUR')`, []any{uid, base, base.Add(30 * time.Minute)}},
		{`INSERT INTO sessions (user_id, location_id, status, barcode, currency, created_at, start_time, exit_at, planned_amount, planned_currency)
			VALUES ($1, 'g', 'active', 'CRD-OLD2', 'EUR', $2, $2, $3, 600, 'EUR')`, []any{uid, base.Add(time.Hour), base.Add(2 * time.Hour)}},
	} {
		if _, err := conn.Exec(ctx, stmt.q, stmt.args...); err != nil {
			t.Fatalf("%s: %v", stmt.q, err)
		}
	}
	conn.Close(ctx)

	clock := storetest.NewClock()
	clock.Advance(3 * time.Hour)
	db, err := Open(ctx, schemaDSN, coord.StoreConfig{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := db.Sessions(ctx, coord.SessionFilter{UserID: uid, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d sessions after upgrade, want 2", len(list))
	}
	if s := list[1]; s.Status != coord.StatusEnded || *s.Cost != (coord.Money{Amount: 150, Currency: "EUR"}) || s.ResourceID != "7" {
		t.Errorf("ended session after upgrade: %+v", s)
	}
	if s := list[0]; s.Status != coord.StatusEnded || *s.Cost != (coord.Money{Amount: 600, Currency: "EUR"}) ||
		!s.EndTime.Equal(base.Add(2*time.Hour)) {
		t.Errorf("redeemed session settled after upgrade: %+v", s)
	}
	at, err := db.Sessions(ctx, coord.SessionFilter{UserID: uid, LocationID: "a", Limit: 10})
	if err != nil || len(at) != 1 {
		t.Errorf("sessions at a after upgrade: %v, %v", at, err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after upgrade: %v", err)
	}
}
