package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
)

// WebhookQueue is the store's delivery.Queue: rows written in each event's
// transaction (deliveries.go), leased there when the dispatcher has room
// and handed to it once committed (handoff.go), else claimed
// through the one writer connection, so two claims never overlap; records
// are requests of the API's group commit (webhookrecord.go).
type WebhookQueue struct {
	delivery.RecordGroups // Record, in groups (commitRecords)
	db                    *DB
	render                delivery.Render
}

// PerEndpoint implements delivery.PerEndpointer. Before the handoff, claims
// and records took turns of the one writer the API's commits need: more
// attempts in flight than this delivered no sooner under load and slowed
// the API (16 per endpoint kept a saturating lifecycle's deliveries within
// 160 ms; 48 cut that to 60 ms and the lifecycle's rate by a third). With
// it, 16 keep them within 17–36 ms (p99).
func (q *WebhookQueue) PerEndpoint() int { return 16 }

var (
	_ delivery.StoreQueue    = (*WebhookQueue)(nil)
	_ delivery.PerEndpointer = (*WebhookQueue)(nil)
	_ delivery.QueueStore    = (*DB)(nil)
)

// WebhookQueue makes the store's endpoints those given (the catalog's),
// so that events committed from now on get a delivery per matching
// endpoint, and returns the queue. A 410 Gone's disabling survives while
// the endpoint's fingerprint is the same. render makes the bodies.
func (db *DB) WebhookQueue(ctx context.Context, endpoints []delivery.Endpoint, render delivery.Render) (delivery.StoreQueue, error) {
	err := db.write(ctx, func(ctx context.Context, tx querier) error {
		ids := make([]string, 0, len(endpoints))
		for _, e := range endpoints {
			ids = append(ids, e.WebhookID)
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoints (webhook_id, partner_id, events, fingerprint)
				VALUES (?, ?, ?, ?) ON CONFLICT (webhook_id) DO UPDATE SET partner_id = excluded.partner_id,
				events = excluded.events, fingerprint = excluded.fingerprint`,
				e.WebhookID, e.PartnerID, e.EventList(), e.Fingerprint); err != nil {
				return err
			}
		}
		keep, _ := json.Marshal(ids) // strings always marshal
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE webhook_id NOT IN (SELECT value FROM json_each(?))`, string(keep)); err != nil {
			return err
		}
		disabled, err := disabledEndpoints(ctx, tx)
		if err != nil {
			return err
		}
		db.hooks = newHookSet(endpoints, disabled)
		return nil
	})
	if err != nil {
		return nil, db.fail(err, "webhook endpoints")
	}
	q := &WebhookQueue{db: db, render: render}
	q.Commit = q.commitRecords
	return q, nil
}

// disabledEndpoints are the endpoints a 410 Gone disabled, for as long as
// their fingerprint stays the one it disabled.
func disabledEndpoints(ctx context.Context, tx querier) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT webhook_id FROM webhook_endpoints WHERE disabled_fingerprint = fingerprint`)
	if err != nil {
		return nil, err
	}
	disabled := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		disabled[id] = true
	}
	return disabled, errors.Join(rows.Err(), rows.Close())
}

// Claim implements delivery.Queue: per endpoint its oldest due rows, then
// the first of every endpoint before the second of any, up to the limit.
// Only the lease is written, in one statement on the writer; the candidates
// and the bodies are read (and rendered) on a reader, so that a claim takes
// the one writer, which every API write needs, for as little as it can. A
// candidate that another claim or a record took meanwhile fails the lease's
// conditions and is not returned.
func (q *WebhookQueue) Claim(ctx context.Context, req delivery.ClaimRequest) ([]delivery.Delivery, error) {
	now := req.Now.UnixMilli()
	ids, err := q.candidates(ctx, req, now)
	if err != nil || len(ids) == 0 {
		return nil, q.db.fail(err, "claim webhook deliveries")
	}
	claim := newClaim()
	var leased []int64
	err = q.db.writeLazy(ctx, func(tx querier) error {
		leased = leased[:0]
		list, _ := json.Marshal(ids) // ints always marshal
		rows, err := tx.QueryContext(ctx, `UPDATE webhook_deliveries SET lease_until = ?, claim = ?
			WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending' AND next_at <= ? AND lease_until <= ?
			RETURNING id`, now+req.Lease.Milliseconds(), claim, string(list), now, now)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			leased = append(leased, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, q.db.fail(err, "claim webhook deliveries")
	}
	out, err := q.leased(ctx, leased, claim)
	return out, q.db.fail(err, "claim webhook deliveries")
}

// candidates are the ids a claim asks for, in the order it takes them.
func (q *WebhookQueue) candidates(ctx context.Context, req delivery.ClaimRequest, now int64) ([]int64, error) {
	type candidate struct {
		id, next int64
		rank     int
	}
	var cs []candidate
	err := q.db.read(ctx, func(tx querier) error {
		for id, n := range req.Want {
			if n <= 0 {
				continue
			}
			rows, err := tx.QueryContext(ctx, `SELECT d.id, d.next_at FROM webhook_deliveries d
				WHERE d.webhook_id = ? AND d.state = 'pending' AND d.next_at <= ? AND d.lease_until <= ?
				AND (d.body IS NOT NULL OR EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id))
				AND NOT EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.webhook_id = d.webhook_id
					AND w.disabled_fingerprint = w.fingerprint)
				ORDER BY d.next_at, d.id LIMIT ?`, id, now, now, n)
			if err != nil {
				return err
			}
			for rank := 0; rows.Next(); rank++ {
				c := candidate{rank: rank}
				if err := rows.Scan(&c.id, &c.next); err != nil {
					rows.Close()
					return err
				}
				cs = append(cs, c)
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
		}
		return nil
	})
	slices.SortFunc(cs, func(a, b candidate) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if a.next != b.next {
			return int(a.next - b.next)
		}
		return int(a.id - b.id)
	})
	ids := make([]int64, 0, min(max(req.Limit, 0), len(cs)))
	for _, c := range cs[:cap(ids)] {
		ids = append(ids, c.id)
	}
	return ids, err
}

// leased reads the deliveries a claim leased, with their bodies, in the
// claim's order; one whose event is no longer kept is left out (it stays
// pending until retention deletes it).
func (q *WebhookQueue) leased(ctx context.Context, ids []int64, claim string) ([]delivery.Delivery, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	byID := make(map[int64]*delivery.Delivery, len(ids))
	list, _ := json.Marshal(ids)
	err := q.db.read(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT d.id, d.webhook_id, d.event_id, d.body, d.attempt, d.created_at,
				e.seq, e.type, e.created_at, e.user_id, e.test, e.partner_id, e.data
			FROM webhook_deliveries d LEFT JOIN events e ON e.id = d.event_id
			WHERE d.id IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := q.scanLeased(rows, claim)
			if err != nil {
				return err
			}
			if d != nil {
				byID[d.ID] = d
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := make([]delivery.Delivery, 0, len(byID))
	for _, id := range ids {
		if d := byID[id]; d != nil {
			out = append(out, *d)
		}
	}
	return out, nil
}

// scanLeased reads one leased delivery and renders its body; nil when its
// event is no longer kept.
func (q *WebhookQueue) scanLeased(rows *sql.Rows, claim string) (*delivery.Delivery, error) {
	d := &delivery.Delivery{Claim: claim}
	var created int64
	var ev struct {
		seq, created    sql.NullInt64
		typ, user, data sql.NullString
		partner         sql.NullString
		test            sql.NullBool
	}
	if err := rows.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.Body, &d.Attempt, &created,
		&ev.seq, &ev.typ, &ev.created, &ev.user, &ev.test, &ev.partner, &ev.data); err != nil {
		return nil, err
	}
	d.CreatedAt = time.UnixMilli(created)
	if d.Body != nil {
		return d, nil
	}
	if !ev.seq.Valid {
		return nil, nil
	}
	e := &coord.Event{ID: d.EventID, Seq: ev.seq.Int64, Type: coord.EventType(ev.typ.String),
		CreatedAt: time.UnixMilli(ev.created.Int64).UTC(), UserID: ev.user.String, PartnerID: ev.partner.String, Test: ev.test.Bool}
	var err error
	if d.Body, err = renderEvent(q.render, e, []byte(ev.data.String)); err != nil {
		return nil, err
	}
	return d, nil
}

// renderEvent is the body of e's deliveries, e's data given as stored.
func renderEvent(render delivery.Render, e *coord.Event, data []byte) ([]byte, error) {
	if err := e.SetData(data); err != nil {
		return nil, err
	}
	return renderBody(render, e)
}

// renderBody is the body of e's deliveries, e's resource set.
func renderBody(render delivery.Render, e *coord.Event) ([]byte, error) {
	body, err := render(e)
	if err != nil {
		return nil, fmt.Errorf("render event %s: %w", e.ID, err)
	}
	return body, nil
}

// Attempts implements delivery.History.
func (q *WebhookQueue) Attempts(ctx context.Context, webhookID string, limit int) ([]delivery.Attempt, error) {
	var list []delivery.Attempt
	err := q.db.read(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT event_id, attempt, state, attempted_at, status_code, error, latency_ms, next_at
			FROM webhook_attempts WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`, webhookID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		list = []delivery.Attempt{}
		for rows.Next() {
			a := delivery.Attempt{WebhookID: webhookID}
			var at, latency int64
			var next sql.NullInt64
			if err := rows.Scan(&a.EventID, &a.Attempt, &a.State, &at, &a.StatusCode, &a.Error, &latency, &next); err != nil {
				return err
			}
			a.AttemptedAt, a.Latency = time.UnixMilli(at).UTC(), time.Duration(latency)*time.Millisecond
			if next.Valid {
				a.NextAttempt = time.UnixMilli(next.Int64).UTC()
			}
			list = append(list, a)
		}
		return rows.Err()
	})
	return list, q.db.fail(err, "webhook attempts of %s", webhookID)
}

// Depth implements delivery.History.
func (q *WebhookQueue) Depth(ctx context.Context) (int, error) {
	var n int
	err := q.db.reader.QueryRowContext(ctx, `SELECT count(*) FROM webhook_deliveries d
		JOIN webhook_endpoints w ON w.webhook_id = d.webhook_id WHERE d.state = 'pending'`).Scan(&n)
	return n, q.db.fail(err, "webhook queue depth")
}

// Enqueue writes a delivery of a body that is not an event of the log
// (tests, pings), due at once: with the batch's deliveries, and so handed
// over as theirs are.
func (q *WebhookQueue) Enqueue(ctx context.Context, webhookID, eventID string, body []byte) error {
	err := q.db.write(ctx, func(ctx context.Context, tx querier) error {
		if !queueDelivery(tx, queuedDelivery{webhookID: webhookID, eventID: eventID, body: body}) {
			return errors.New("not a write of the committer")
		}
		return nil
	})
	return q.db.fail(err, "enqueue webhook delivery")
}

func newClaim() string { return rand.Text() }
