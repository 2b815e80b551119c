package postgres

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestTheSequencerNumbersEveryBatch checks that sequence numbers a backlog
// longer than one batch, each partner's events from 1 in the order they
// were inserted, with no gap.
func TestTheSequencerNumbersEveryBatch(t *testing.T) {
	ctx := t.Context()
	db := openInternal(t, "")
	const events = 2*sequenceBatch + 500
	if _, err := db.pool.Exec(ctx, `INSERT INTO events (id, partner_id, type, user_id, test, created_at, data)
		SELECT 'evt_' || i, CASE WHEN i % 3 = 0 THEN 'p' ELSE 'q' END, 'vehicle.updated', gen_random_uuid(), false, now(), '{}'
		FROM generate_series(1, $1) AS i`, events); err != nil {
		t.Fatal(err)
	}
	if err := db.sequence(ctx); err != nil {
		t.Fatal(err)
	}
	var unnumbered, misordered int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE seq IS NULL),
			count(*) FILTER (WHERE seq IS DISTINCT FROM k)
		FROM (SELECT seq, row_number() OVER (PARTITION BY partner_id ORDER BY n) AS k FROM events) e`).Scan(&unnumbered, &misordered); err != nil {
		t.Fatal(err)
	}
	if unnumbered != 0 || misordered != 0 {
		t.Errorf("after sequence: %d of %d events unnumbered, %d not numbered in insertion order", unnumbered, events, misordered)
	}
	rows, err := db.pool.Query(ctx, `SELECT seq FROM event_counters ORDER BY partner_id`)
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 2 || seqs[0] != events/3 || seqs[1] != events-events/3 {
		t.Errorf("counters %v, want [%d %d]", seqs, events/3, events-events/3)
	}
}
