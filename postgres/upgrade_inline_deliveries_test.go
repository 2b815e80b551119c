package postgres

import (
	"testing"
	"time"

	"github.com/coordapi/coord/delivery"
)

// inlineDeliveriesMigration is the migration that moved the writing of
// deliveries from a trigger into the statements that insert events.
const inlineDeliveriesMigration = 6

// A database of the trigger's schema upgrades in place: the delivery the
// trigger wrote before is still claimed, and an event written after has
// exactly one delivery per endpoint (not a second from a trigger left behind).
func TestUpgradeToInlineDeliveries(t *testing.T) {
	dsn, old := schemaAt(t, inlineDeliveriesMigration-1)
	// The trigger writes evt_old's delivery.
	oldUserEvent(t, old, `INSERT INTO webhook_endpoints (webhook_id, partner_id, events, fingerprint) VALUES ('w', 'p', '{}', 'f')`)
	q := upgradedWithEvent(t, dsn)
	var triggers int
	err := q.(*WebhookQueue).db.pool.QueryRow(t.Context(),
		`SELECT count(*) FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal`).Scan(&triggers)
	if err != nil || triggers != 0 {
		t.Fatalf("triggers on events after the upgrade: %d, %v; want none", triggers, err)
	}
	ds, err := q.Claim(t.Context(), delivery.ClaimRequest{Now: time.Now().Add(time.Second), Lease: time.Minute, Limit: 5,
		Want: map[string]int{"w": 5}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range ds {
		if string(d.Body) != d.EventID {
			t.Errorf("delivery %+v: body of another event", d)
		}
		got[d.EventID]++
	}
	if len(ds) != 2 || got["evt_old"] != 1 {
		t.Fatalf("deliveries after the upgrade: %v; want evt_old's and the new event's, one each", got)
	}
}
