package sqlite

import (
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
)

// deliveriesFromStoreMigration dropped the trigger that wrote deliveries.
const deliveriesFromStoreMigration = 8

// A database whose trigger wrote the deliveries upgrades in place: the
// trigger is gone, the rows it wrote stay, and an event committed after
// gets one delivery per matching endpoint — the store's, not two.
func TestUpgradeToDeliveriesFromTheStore(t *testing.T) {
	ctx := t.Context()
	path, old := fileAt(t, deliveriesFromStoreMigration-1)
	fill(t, old,
		`INSERT INTO users (user_id, partner_id, external_uid, created_at) VALUES ('u-1', 'p', 'x', 1000)`,
		`INSERT INTO webhook_endpoints (webhook_id, partner_id, events, fingerprint) VALUES ('w', 'p', '', 'f')`,
		`INSERT INTO events (id, partner_id, seq, type, user_id, test, created_at, data)
			VALUES ('evt_old', 'p', 1, 'user.vehicle_updated', 'u-1', 0, 1000, '{}')`,
	)

	db := open(t, path, coord.StoreConfig{})
	var triggers int
	must(t, db.reader.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger'`).Scan(&triggers))
	if triggers != 0 {
		t.Errorf("%d triggers after the upgrade, want none", triggers)
	}
	if _, err := db.WebhookQueue(ctx, []delivery.Endpoint{{PartnerID: "p", WebhookID: "w", Fingerprint: "f"}}, nil); err != nil {
		t.Fatal(err)
	}
	must(t, db.SetVehicle(ctx, "u-1", coord.Vehicle{Plate: coord.LicensePlate{Text: "abc", Country: "us"}}))
	rows, err := db.reader.QueryContext(ctx, `SELECT event_id, count(*) FROM webhook_deliveries GROUP BY event_id ORDER BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		must(t, rows.Scan(&id, &n))
		got[id] = n
	}
	must(t, rows.Err())
	if len(got) != 2 || got["evt_old"] != 1 {
		t.Fatalf("deliveries by event %v, want evt_old's from the trigger and one of the new event", got)
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("event %s has %d deliveries, want 1", id, n)
		}
	}
}
