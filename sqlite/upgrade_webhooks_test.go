package sqlite

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
)

// webhooksMigration is the migration that added webhook deliveries.
const webhooksMigration = 5

// A database of the event log's schema upgrades in place: events committed
// before have no deliveries (there were no endpoints), the next one does.
func TestUpgradeToWebhookDeliveries(t *testing.T) {
	ctx := t.Context()
	path, old := fileAt(t, webhooksMigration-1)
	fill(t, old,
		`INSERT INTO users (user_id, partner_id, external_uid, created_at) VALUES ('u-1', 'p', 'x', 1000)`,
		`INSERT INTO events (id, partner_id, seq, type, user_id, test, created_at, data)
			VALUES ('evt_old', 'p', 1, 'user.vehicle_updated', 'u-1', 0, 1000, '{}')`,
	)

	db := open(t, path, coord.StoreConfig{})
	q, err := db.WebhookQueue(ctx, []delivery.Endpoint{{PartnerID: "p", WebhookID: "w", Fingerprint: "f"}},
		func(e *coord.Event) ([]byte, error) { return []byte(e.ID), nil })
	if err != nil {
		t.Fatal(err)
	}
	must(t, db.SetVehicle(ctx, "u-1", coord.Vehicle{Plate: coord.LicensePlate{Text: "abc", Country: "us"}}))
	ds, err := q.Claim(ctx, delivery.ClaimRequest{Now: time.Now().Add(time.Second), Lease: time.Minute, Limit: 5,
		Want: map[string]int{"w": 5}})
	if err != nil || len(ds) != 1 || ds[0].EventID == "evt_old" || string(ds[0].Body) != ds[0].EventID {
		t.Fatalf("deliveries after the upgrade: %+v, %v; want the new event's only", ds, err)
	}
}

// fill runs stmts on a file of an older schema and closes it, for the
// store to upgrade.
func fill(t *testing.T, old *sql.DB, stmts ...string) {
	t.Helper()
	for _, stmt := range stmts {
		if _, err := old.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	must(t, old.Close())
}

// fileAt makes a database file migrated up to version and returns its path
// and a handle on it, for the test to fill and close before opening the
// store (which upgrades it).
func fileAt(t *testing.T, version int64) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", path+"?"+params)
	if err != nil {
		t.Fatal(err)
	}
	fsys, _ := fs.Sub(migrations, "migrations")
	p, err := goose.NewProvider(goose.DialectSQLite3, old, fsys, goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(
			goose.NewGoMigration(2, &goose.GoFunc{RunTx: upOneVocabulary}, nil),
			goose.NewGoMigration(3, &goose.GoFunc{RunTx: upIdempotencyFingerprint}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), version); err != nil {
		t.Fatal(err)
	}
	return path, old
}
