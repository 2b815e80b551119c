package postgres

import (
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
)

// brinMigration made the indexes retention deletes by BRIN.
const brinMigration = 8

// A database of the B-tree time indexes upgrades in place: the three are
// BRIN afterwards, and retention still deletes exactly what is older than
// its cutoff from the rows written before.
func TestUpgradeToBRINTimeIndexes(t *testing.T) {
	data := string(coord.UserEventData(&coord.User{UserID: oldUser, PartnerID: "p"}))
	var stmts []string
	for i, age := range []string{"10 days", "1 day"} {
		n := string(rune('1' + i))
		stmts = append(stmts,
			`INSERT INTO events (id, partner_id, seq, type, user_id, test, created_at, data)
				VALUES ('evt_`+n+`', 'p', `+n+`, 'user.vehicle_updated', '`+oldUser+`', false, now() - interval '`+age+`', '`+data+`')`,
			`INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, next_at)
				VALUES ('w', 'evt_`+n+`', now() - interval '`+age+`', now())`,
			`INSERT INTO webhook_attempts (webhook_id, event_id, attempt, state, attempted_at, status_code, error, latency_ms)
				VALUES ('w', 'evt_`+n+`', 1, 'retrying', now() - interval '`+age+`', 500, '', 1)`)
	}
	stmts = append(stmts, `INSERT INTO event_counters (partner_id, seq) VALUES ('p', 2)`)
	ctx := t.Context()
	db := upgradedFrom(t, brinMigration-1, stmts...)
	rows, err := db.pool.Query(ctx, `SELECT c.relname || ' ' || a.amname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
		WHERE c.relname IN ('events_created', 'webhook_deliveries_created', 'webhook_attempts_at')
			AND c.relnamespace = current_schema()::regnamespace ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	indexes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	want := []string{"events_created brin", "webhook_attempts_at brin", "webhook_deliveries_created brin"}
	if err != nil || !slices.Equal(indexes, want) {
		t.Fatalf("time indexes after the upgrade: %q, %v; want %q", indexes, err, want)
	}
	if _, err := db.PruneEvents(ctx, time.Now().Add(-5*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, table := range []string{"events", "webhook_deliveries", "webhook_attempts"} {
		col := map[string]string{"events": "id", "webhook_deliveries": "event_id", "webhook_attempts": "event_id"}[table]
		rows, err := db.pool.Query(ctx, `SELECT '`+table+` ' || `+col+` FROM `+table+` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, kept...)
	}
	if want := []string{"events evt_2", "webhook_deliveries evt_2", "webhook_attempts evt_2"}; !slices.Equal(left, want) {
		t.Errorf("after retention: %q; want only the day-old rows %q", left, want)
	}
}
