package sqlite

import (
	"context"
	"errors"
	"strings"

	"github.com/coordapi/coord/delivery"
)

// commitRecords is the webhook queue's delivery.RecordGroups.Commit: a
// group of outcomes as one request of the API's group commit, so that
// under load it rides in a batch that commits (and fsyncs) anyway rather
// than taking a turn of the one writer between batches; idle, it commits
// alone. A group is two statements per recordChunk outcomes
// (recordGroup): the committer runs every batch's statements one after
// another, so each one saved is time no API write waits.
func (q *WebhookQueue) commitRecords(ctx context.Context, group []delivery.Recorded) ([]bool, error) {
	stale := make([]bool, len(group))
	err := q.db.write(ctx, func(ctx context.Context, tx querier) error {
		// recordGroup tells stale outcomes apart by delivery id, so two
		// outcomes of one delivery go to statements one after the other:
		// the second finds the first's record (and its claim gone).
		for from := 0; from < len(group); {
			to := delivery.DistinctRun(group, from)
			if err := q.recordGroup(ctx, tx, group[from:to], stale[from:to]); err != nil {
				return err
			}
			from = to
		}
		return nil
	})
	return stale, q.db.fail(err, "record webhook attempts")
}

// recorded is one outcome as recordGroup's statements take it.
type recorded struct {
	ID        int64
	Claim     string
	State     string // the delivery's: pending when retrying
	Inc       int    // 1 when retrying: the attempt to make next
	Next      *int64 // NULL unless retrying
	WebhookID string
	EventID   string
	Attempt   int
	Outcome   string
	At        int64
	Status    int
	Error     string
	Latency   int64
}

func recordOf(d delivery.Delivery, o delivery.Outcome) recorded {
	r := recorded{ID: d.ID, Claim: d.Claim, State: string(o.State), WebhookID: d.WebhookID, EventID: d.EventID,
		Attempt: d.Attempt, Outcome: string(o.State), At: o.AttemptedAt.UnixMilli(), Status: o.StatusCode,
		Error: o.Error, Latency: o.Latency.Milliseconds()}
	if o.State == delivery.Retrying {
		next := o.NextAttempt.UnixMilli()
		r.State, r.Inc, r.Next = "pending", 1, &next
	}
	return r
}

// recordChunk bounds the rows of one record statement. The rows are bound
// as a VALUES list, one SQL text per length, so that the texts stay a small
// fixed set, each prepared once (stmts.go). (They were a JSON array read
// with json_each; parsing it was most of a group's cost on the writer.)
const recordChunk = 32

// Record statements by number of rows, 1 to recordChunk.
var recordUpdates, recordInserts = recordStatements()

func recordStatements() (updates, inserts [recordChunk + 1]string) {
	for n := 1; n <= recordChunk; n++ {
		updates[n] = `UPDATE webhook_deliveries AS d SET state = j.column3,
			attempt = d.attempt + j.column4, next_at = coalesce(j.column5, d.next_at), lease_until = 0, claim = ''
		FROM (VALUES ` + valueRows(n, 5) + `) AS j
		WHERE d.id = j.column1 AND d.claim = j.column2 AND d.state = 'pending'
		RETURNING id`
		inserts[n] = `INSERT INTO webhook_attempts (webhook_id, event_id, attempt, state,
			attempted_at, status_code, error, latency_ms, next_at) VALUES ` + valueRows(n, 9)
	}
	return updates, inserts
}

// valueRows is n rows of cols placeholders: (?, ?), (?, ?).
func valueRows(n, cols int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return row + strings.Repeat(", "+row, n-1)
}

// recordGroup stores a group of outcomes, each of a different delivery:
// the deliveries' rows in one UPDATE per chunk (those whose claim no
// longer holds are left, stale), the attempts of the others in one INSERT
// per chunk; a 410 disables its endpoint, in the table and for the
// committer's leases.
func (q *WebhookQueue) recordGroup(ctx context.Context, tx querier, group []delivery.Recorded, stale []bool) error {
	recs := make([]recorded, len(group))
	for i, r := range group {
		recs[i] = recordOf(r.Delivery, r.Outcome)
	}
	held := make(map[int64]bool, len(group))
	for from := 0; from < len(recs); from += recordChunk {
		chunk := recs[from:min(from+recordChunk, len(recs))]
		args := make([]any, 0, 5*len(chunk))
		for _, r := range chunk {
			args = append(args, r.ID, r.Claim, r.State, r.Inc, r.Next)
		}
		if err := heldRows(ctx, tx, recordUpdates[len(chunk)], args, held); err != nil {
			return err
		}
	}
	kept := recs[:0:0]
	for i, r := range recs {
		if stale[i] = !held[r.ID]; !stale[i] {
			kept = append(kept, r)
		}
	}
	for from := 0; from < len(kept); from += recordChunk {
		chunk := kept[from:min(from+recordChunk, len(kept))]
		args := make([]any, 0, 9*len(chunk))
		for _, r := range chunk {
			args = append(args, r.WebhookID, r.EventID, r.Attempt, r.Outcome, r.At, r.Status, r.Error, r.Latency, r.Next)
		}
		if _, err := tx.ExecContext(ctx, recordInserts[len(chunk)], args...); err != nil {
			return err
		}
	}
	for _, r := range kept {
		if r.Outcome == string(delivery.Disabled) {
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET disabled_fingerprint = fingerprint WHERE webhook_id = ?`, r.WebhookID); err != nil {
				return err
			}
			if q.db.hooks != nil {
				q.db.hooks.disable(r.WebhookID) // and no more leases for it (deliveries.go)
			}
		}
	}
	return nil
}

// heldRows runs update and adds the ids it returns to held.
func heldRows(ctx context.Context, tx querier, update string, args []any, held map[int64]bool) error {
	rows, err := tx.QueryContext(ctx, update, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		held[id] = true
	}
	return errors.Join(rows.Err(), rows.Close())
}
