package sqlite

import (
	"context"
	"database/sql"

	"github.com/coordapi/coord/delivery"
)

// commitRecords is the webhook queue's delivery.RecordGroups.Commit: a
// group of outcomes as one request of the API's group commit, so that
// under load it rides in a batch that commits (and fsyncs) anyway rather
// than taking a turn of the one writer between batches; idle, it commits
// alone.
func (q *WebhookQueue) commitRecords(ctx context.Context, group []delivery.Recorded) ([]bool, error) {
	stale := make([]bool, len(group))
	err := q.db.write(ctx, func(ctx context.Context, tx querier) error {
		for i, r := range group {
			var err error
			if stale[i], err = recordOne(ctx, tx, r.Delivery, r.Outcome); err != nil {
				return err
			}
		}
		return nil
	})
	return stale, q.db.fail(err, "record webhook attempts")
}

// recordOne stores one outcome in tx; stale when the claim is no longer held.
func recordOne(ctx context.Context, tx querier, d delivery.Delivery, o delivery.Outcome) (stale bool, err error) {
	state, attempt, next := string(o.State), 0, sql.NullInt64{}
	if o.State == delivery.Retrying {
		state, attempt, next = "pending", 1, sql.NullInt64{Int64: o.NextAttempt.UnixMilli(), Valid: true}
	}
	res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, attempt = attempt + ?,
		next_at = coalesce(?, next_at), lease_until = 0, claim = ''
		WHERE id = ? AND claim = ? AND state = 'pending'`, state, attempt, next, d.ID, d.Claim)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err == nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (webhook_id, event_id, attempt, state,
		attempted_at, status_code, error, latency_ms, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.WebhookID, d.EventID, d.Attempt, string(o.State), o.AttemptedAt.UnixMilli(), o.StatusCode, o.Error,
		o.Latency.Milliseconds(), next); err != nil {
		return false, err
	}
	if o.State == delivery.Disabled {
		_, err = tx.ExecContext(ctx, `UPDATE webhook_endpoints SET disabled_fingerprint = fingerprint WHERE webhook_id = ?`, d.WebhookID)
	}
	return false, err
}
