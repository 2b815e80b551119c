package postgres

import (
	"testing"

	"github.com/coordapi/coord/delivery"
)

// attemptsKeyMigration keyed webhook_attempts by (webhook_id, id).
const attemptsKeyMigration = 9

// A database whose attempts are keyed by id alone upgrades in place: the
// key is (webhook_id, id), webhook_attempts_recent is gone, and an
// endpoint's attempts written before list newest first, as before.
func TestUpgradeToAttemptsKeyedByEndpoint(t *testing.T) {
	db := upgradedFrom(t, attemptsKeyMigration-1,
		`INSERT INTO webhook_attempts (webhook_id, event_id, attempt, state, attempted_at, status_code, error, latency_ms)
			VALUES ('w', 'evt_1', 1, 'retrying', now(), 500, 'HTTP 500', 1), ('v', 'evt_1', 1, 'delivered', now(), 204, '', 1),
				('w', 'evt_1', 2, 'delivered', now(), 204, '', 1)`)
	ctx := t.Context()
	var key string
	var recent bool
	if err := db.pool.QueryRow(ctx, `SELECT pg_get_constraintdef(oid) FROM pg_constraint
			WHERE conrelid = 'webhook_attempts'::regclass AND contype = 'p'`).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT to_regclass('webhook_attempts_recent') IS NOT NULL`).Scan(&recent); err != nil {
		t.Fatal(err)
	}
	if key != "PRIMARY KEY (webhook_id, id)" || recent {
		t.Fatalf("after the upgrade: key %q, webhook_attempts_recent kept %v; want (webhook_id, id) and no index", key, recent)
	}
	q, err := db.WebhookQueue(ctx, []delivery.Endpoint{{PartnerID: "p", WebhookID: "w", Fingerprint: "f"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.Attempts(ctx, "w", 10)
	if err != nil || len(got) != 2 || got[0].Attempt != 2 || got[1].Attempt != 1 {
		t.Fatalf("w's attempts after the upgrade: %+v, %v; want attempt 2 then 1", got, err)
	}
}
