package postgres

import (
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
	ctx := t.Context()
	dsn, old := schemaAt(t, webhooksMigration-1)
	const user = "6f1c2f4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f"
	for _, stmt := range []string{
		`INSERT INTO users (user_id, partner_id, external_uid, created_at) VALUES ('` + user + `', 'p', 'x', now())`,
		`INSERT INTO events (id, partner_id, seq, type, user_id, test, created_at, data)
			VALUES ('evt_old', 'p', 1, 'user.vehicle_updated', '` + user + `', false, now(), '{}')`,
		`INSERT INTO event_counters (partner_id, seq) VALUES ('p', 1)`,
	} {
		if _, err := old.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, dsn, coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := db.WebhookQueue(ctx, []delivery.Endpoint{{PartnerID: "p", WebhookID: "w", Fingerprint: "f"}},
		func(e *coord.Event) ([]byte, error) { return []byte(e.ID), nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetVehicle(ctx, user, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc", Country: "us"}}); err != nil {
		t.Fatal(err)
	}
	ds, err := q.Claim(ctx, delivery.ClaimRequest{Now: time.Now().Add(time.Second), Lease: time.Minute, Limit: 5,
		Want: map[string]int{"w": 5}})
	if err != nil || len(ds) != 1 || ds[0].EventID == "evt_old" || string(ds[0].Body) != ds[0].EventID {
		t.Fatalf("deliveries after the upgrade: %+v, %v; want the new event's only", ds, err)
	}
}
