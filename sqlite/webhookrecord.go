package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/coordapi/coord/delivery"
)

// recorder commits attempts' outcomes in groups: one writer transaction
// (writeLazy: no fsync of its own) for every Record that arrived while the
// previous group was committing, so that deliveries take few turns of the
// one writer from the API's writes.
type recorder struct {
	mu       sync.Mutex
	pending  []*recordReq
	flushing bool
}

type recordReq struct {
	d    delivery.Delivery
	o    delivery.Outcome
	done chan error
}

// recordTimeout bounds one group's transaction, whoever's context started it.
const recordTimeout = 10 * time.Second

// Record implements delivery.Queue. The first caller finding no group
// committing commits the pending ones, then any that arrived meanwhile,
// until none is left; the others wait for their outcome.
func (q *WebhookQueue) Record(ctx context.Context, d delivery.Delivery, o delivery.Outcome) error {
	req := &recordReq{d: d, o: o, done: make(chan error, 1)}
	r := &q.rec
	r.mu.Lock()
	r.pending = append(r.pending, req)
	lead := !r.flushing
	r.flushing = true
	r.mu.Unlock()
	if lead {
		for {
			r.mu.Lock()
			group := r.pending
			r.pending = nil
			if len(group) == 0 {
				r.flushing = false
				r.mu.Unlock()
				break
			}
			r.mu.Unlock()
			q.commit(context.WithoutCancel(ctx), group)
		}
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commit records a group in one transaction and tells each its outcome.
func (q *WebhookQueue) commit(ctx context.Context, group []*recordReq) {
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	stale := make([]bool, len(group))
	err := q.db.writeLazy(ctx, func(tx querier) error {
		for i, req := range group {
			var err error
			if stale[i], err = recordOne(ctx, tx, req.d, req.o); err != nil {
				return err
			}
		}
		return nil
	})
	err = q.db.fail(err, "record webhook attempts")
	for i, req := range group {
		switch {
		case err != nil:
			req.done <- err
		case stale[i]:
			req.done <- delivery.ErrStaleClaim
		default:
			req.done <- nil
		}
	}
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
