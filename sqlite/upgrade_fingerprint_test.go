package sqlite

import (
	"database/sql"
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/storetest"
)

// TestUpgradeTo00003KeepsIdempotencyKeys fills a database of migration 2's
// schema (no fingerprints) with a keyed session and opens it with this
// build: the old key replays its own request and refuses others, naming its
// session; a racing process applies migration 3 again as a no-op.
func TestUpgradeTo00003KeepsIdempotencyKeys(t *testing.T) {
	ctx := t.Context()
	path, old := oldDatabase(t, 2)
	for _, q := range []string{
		`INSERT INTO users (user_id, partner_id, external_uid, created_at) VALUES ('00000000-0000-4000-8000-000000000001', 'p', 'u', 0)`,
		`INSERT INTO sessions (id, user_id, location_id, resource_id, status, currency, created_at, start_time)
			VALUES (7, '00000000-0000-4000-8000-000000000001', 'garage-app', 'stall 7', 'active', 'USD', 0, 0)`,
		`INSERT INTO idempotency_keys (user_id, key, session_id, created_at) VALUES ('00000000-0000-4000-8000-000000000001', 'before-upgrade', 7, 0)`,
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db := open(t, path, coord.StoreConfig{})
	ns := coord.NewSession{UserID: "00000000-0000-4000-8000-000000000001", LocationID: "garage-app", ResourceID: "stall 7",
		Currency: "USD", IdempotencyKey: "before-upgrade"}
	first, err := db.Session(ctx, coord.SessionRef{UserID: ns.UserID, LocationID: ns.LocationID, ID: 7})
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckKeyedSessionAfterUpgrade(t, db, ns, first)

	again, err := sql.Open("sqlite", WriterDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	tx, err := again.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := upIdempotencyFingerprint(ctx, tx); err != nil {
		t.Errorf("migration 3 applied twice: %v", err)
	}
}
