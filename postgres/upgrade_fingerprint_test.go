package postgres

import (
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/storetest"
)

// TestUpgradeTo00003KeepsIdempotencyKeys fills a schema of migration 2 (no
// fingerprints) with a keyed session and opens it with this build: the old
// key replays its own request and refuses others, naming its session.
func TestUpgradeTo00003KeepsIdempotencyKeys(t *testing.T) {
	ctx := t.Context()
	schemaDSN, conn := oldSchema(t, 2)
	const uid = "00000000-0000-4000-8000-000000000001"
	base := storetest.Epoch.Truncate(time.Millisecond)
	for _, stmt := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO users (user_id, partner_id, external_uid, created_at) VALUES ($1, 'p', 'u', $2)`, []any{uid, base}},
		{`INSERT INTO sessions (user_id, location_id, resource_id, status, currency, created_at, start_time)
			VALUES ($1, 'garage-app', 'stall 7', 'active', 'USD', $2, $2)`, []any{uid, base}},
		{`INSERT INTO idempotency_keys (user_id, key, session_id, created_at)
			SELECT $1, 'before-upgrade', id, $2 FROM sessions`, []any{uid, base}},
	} {
		if _, err := conn.Exec(ctx, stmt.q, stmt.args...); err != nil {
			t.Fatalf("%s: %v", stmt.q, err)
		}
	}
	conn.Close(ctx)

	db, err := Open(ctx, schemaDSN, coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ns := coord.NewSession{UserID: uid, LocationID: "garage-app", ResourceID: "stall 7", Currency: "USD", IdempotencyKey: "before-upgrade"}
	list, err := db.Sessions(ctx, coord.SessionFilter{UserID: uid})
	if err != nil || len(list) != 1 {
		t.Fatalf("sessions after the upgrade: %v, %v", list, err)
	}
	first := list[0]
	storetest.CheckKeyedSessionAfterUpgrade(t, db, ns, first)
}
