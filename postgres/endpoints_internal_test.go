package postgres

import (
	"testing"

	"github.com/coordapi/coord/delivery"
)

// Mirroring the endpoints leaves the planner their true number, so that the
// INSERT of an event's deliveries scans the table rather than an index.
func TestEndpointsAreAnalyzed(t *testing.T) {
	db := openInternal(t, "")
	ctx := t.Context()
	if _, err := db.WebhookQueue(ctx, []delivery.Endpoint{{PartnerID: "p", WebhookID: "w", Fingerprint: "f"}}, nil); err != nil {
		t.Fatal(err)
	}
	var tuples float64
	if err := db.pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'webhook_endpoints'::regclass`).Scan(&tuples); err != nil {
		t.Fatal(err)
	}
	if tuples != 1 {
		t.Fatalf("the planner counts %v endpoints, want 1", tuples)
	}
}
