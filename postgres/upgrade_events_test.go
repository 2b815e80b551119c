package postgres

import (
	"database/sql"
	"io/fs"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/internal/pgtest"
)

// eventsMigration is the migration that added session versions and the
// event log.
const eventsMigration = 4

// A database of the schema before the event log upgrades in place: its
// sessions get version 1 and their next change is the partner's first event.
func TestUpgradeToTheEventLog(t *testing.T) {
	ctx := t.Context()
	const user = "6f1c2f4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f"
	db := upgradedFrom(t, eventsMigration-1,
		`INSERT INTO users (user_id, partner_id, external_uid, created_at) VALUES ('`+user+`', 'p', 'x', now())`,
		`INSERT INTO sessions (user_id, location_id, status, currency, created_at, start_time)
			OVERRIDING SYSTEM VALUE VALUES ('`+user+`', 'l', 'active', 'USD', now(), now())`)
	list, err := db.Sessions(ctx, coord.SessionFilter{UserID: user})
	if err != nil || len(list) != 1 || list[0].Version != 1 {
		t.Fatalf("old session after the upgrade: %+v, %v", list, err)
	}
	price := coord.Price{Rate: coord.Money{Amount: 60, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}
	ended, _, err := db.EndSession(ctx, list[0].Ref(), price)
	if err != nil || ended.Version != 2 {
		t.Fatalf("end: %+v, %v", ended, err)
	}
	events, err := db.Events(ctx, coord.EventFilter{PartnerID: "p"})
	if err != nil || len(events) != 1 || events[0].Seq != 1 || events[0].Type != coord.EventSessionEnded {
		t.Fatalf("events after the upgrade: %+v, %v", events, err)
	}
}

// upgradedFrom makes a schema at version, runs stmts on it, and opens the
// store on it, which upgrades it; the store is closed when t ends.
func upgradedFrom(t *testing.T, version int64, stmts ...string) *DB {
	t.Helper()
	dsn, old := schemaAt(t, version)
	for _, stmt := range stmts {
		if _, err := old.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(t.Context(), dsn, coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// schemaAt makes a fresh schema migrated up to version and returns its DSN
// and a database/sql handle on it, for the test to fill and close before
// opening the store (which upgrades it).
func schemaAt(t *testing.T, version int64) (string, *sql.DB) {
	t.Helper()
	base := os.Getenv("COORD_TEST_POSTGRES")
	if base == "" {
		t.Skip("COORD_TEST_POSTGRES is not set")
	}
	dsn, drop, err := pgtest.NewSchema(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	old := stdlib.OpenDB(*cfg)
	fsys, _ := fs.Sub(migrationFiles, "migrations")
	p, err := goose.NewProvider(goose.DialectPostgres, old, fsys,
		goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), version); err != nil {
		t.Fatal(err)
	}
	return dsn, old
}
