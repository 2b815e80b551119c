package postgres

import (
	"database/sql"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
)

// webhooksMigration is the migration that added webhook deliveries.
const webhooksMigration = 5

// A database of the event log's schema upgrades in place: events committed
// before have no deliveries (there were no endpoints), the next one does.
func TestUpgradeToWebhookDeliveries(t *testing.T) {
	dsn, old := schemaAt(t, webhooksMigration-1)
	oldUserEvent(t, old)
	q := upgradedWithEvent(t, dsn)
	ds, err := q.Claim(t.Context(), delivery.ClaimRequest{Now: time.Now().Add(time.Second), Lease: time.Minute, Limit: 5,
		Want: map[string]int{"w": 5}})
	if err != nil || len(ds) != 1 || ds[0].EventID == "evt_old" || string(ds[0].Body) != ds[0].EventID {
		t.Fatalf("deliveries after the upgrade: %+v, %v; want the new event's only", ds, err)
	}
}

// upgradedWithEvent opens the store of dsn (migrating it), mirrors the
// endpoint w of partner p, writes an event of oldUser and returns the queue.
func upgradedWithEvent(t *testing.T, dsn string) delivery.StoreQueue {
	t.Helper()
	ctx := t.Context()
	db, err := Open(ctx, dsn, coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q, err := db.WebhookQueue(ctx, []delivery.Endpoint{{PartnerID: "p", WebhookID: "w", Fingerprint: "f"}},
		func(e *coord.Event) ([]byte, error) { return []byte(e.ID), nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetVehicle(ctx, oldUser, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc", Country: "us"}}); err != nil {
		t.Fatal(err)
	}
	return q
}

// oldUser is the user of oldUserEvent.
const oldUser = "6f1c2f4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f"

// oldUserEvent writes, on a schema of the event log, a user of partner p
// and its numbered event evt_old, after the statements before, then closes old.
func oldUserEvent(t *testing.T, old *sql.DB, before ...string) {
	t.Helper()
	data := coord.UserEventData(&coord.User{UserID: oldUser, PartnerID: "p"})
	stmts := append([]string{
		`INSERT INTO users (user_id, partner_id, external_uid, created_at) VALUES ('` + oldUser + `', 'p', 'x', now())`,
	}, before...)
	stmts = append(stmts,
		`INSERT INTO events (id, partner_id, seq, type, user_id, test, created_at, data)
			VALUES ('evt_old', 'p', 1, 'user.vehicle_updated', '`+oldUser+`', false, now(), '`+string(data)+`')`,
		`INSERT INTO event_counters (partner_id, seq) VALUES ('p', 1)`)
	for _, stmt := range stmts {
		if _, err := old.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
}
