package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"time"

	"github.com/coordapi/coord/delivery"
)

// The webhook handoff (delivery.HandoffQueue). Each API batch (groupcommit.go)
// leases, before its COMMIT, the deliveries its own events created — as
// many per endpoint as the dispatcher has room for — and once committed
// hands them to the dispatcher in memory, bodies rendered from the events
// the batch appended. So in steady state a delivery costs no claim
// transaction (no turn of the one writer between batches, no fsync of its
// own) and no read of candidates or of its event: two statements inside a
// transaction that commits anyway.
//
// At least once: the lease is committed with the batch. A crash after the
// commit and before the dispatcher attempts them (or a dispatcher that stops,
// or one that lets them wait past what their lease allows) leaves leased rows,
// due again when the lease runs out and then claimed as usual. Rows it
// does not lease (no room, an endpoint disabled, a failed statement) stay
// for Claim, and the dispatcher is told to look.

// handoffState is the committer's: only its goroutine reads or writes it.
type handoffState struct {
	to     delivery.Handoff
	render delivery.Render
	after  int64 // rows up to this id were there before, or were seen by a batch
}

// pendingHandoff is what one batch leased, handed over after its commit.
type pendingHandoff struct {
	h      *handoffState
	res    *delivery.Reservation
	claim  string
	leased []handoffRow
	missed bool
}

type handoffRow struct {
	id               int64
	webhookID, event string
	body             []byte
	created          int64
	attempt          int
}

// SetHandoff implements delivery.HandoffQueue. It is set (and unset) by a
// write of its own, so that the committer alone touches the state; rows
// written before it are left to Claim.
func (q *WebhookQueue) SetHandoff(h delivery.Handoff) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// An error means the store is closed or failing: nothing more to hand over either way.
	_ = q.db.write(ctx, func(ctx context.Context, tx querier) error {
		if h == nil {
			q.db.hand = nil
			return nil
		}
		st := &handoffState{to: h, render: q.render}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM webhook_deliveries`).Scan(&st.after); err != nil {
			return err
		}
		q.db.hand = st
		return nil
	})
}

// leaseHandoff leases, in the batch's transaction, the deliveries the
// batch wrote, up to the room the dispatcher reserves; nil when there is
// nothing to hand over. A failure leases nothing and tells the dispatcher
// to claim them.
func (db *DB) leaseHandoff(ctx context.Context, tx querier, claimed []*writeReq) *pendingHandoff {
	h := db.hand
	if h == nil {
		return nil
	}
	rows, err := db.newDeliveries(ctx, tx, h.after)
	if err != nil || len(rows) == 0 {
		if err != nil {
			h.to.Release(&delivery.Reservation{}, true)
		}
		return nil
	}
	h.after = rows[len(rows)-1].id
	written := map[string]int{}
	for _, row := range rows {
		written[row.webhookID]++
	}
	p := &pendingHandoff{h: h, res: h.to.Reserve(written), claim: newClaim()}
	bodies := map[string]bool{}
	for _, r := range claimed {
		if r.err == nil {
			for _, e := range r.events {
				bodies[e.ID] = true
			}
		}
	}
	room := maps.Clone(p.res.Room)
	ids := make([]int64, 0, len(rows))
	for _, row := range rows {
		if room[row.webhookID] <= 0 || row.body == nil && !bodies[row.event] {
			p.missed = true
			continue
		}
		room[row.webhookID]--
		p.leased = append(p.leased, row)
		ids = append(ids, row.id)
	}
	if len(ids) == 0 {
		h.to.Release(p.res, p.missed)
		return nil
	}
	list, _ := json.Marshal(ids) // ints always marshal
	until := p.res.At.UnixMilli() + p.res.Lease.Milliseconds()
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET lease_until = ?, claim = ?
		WHERE id IN (SELECT value FROM json_each(?))`, until, p.claim, string(list)); err != nil {
		h.to.Release(p.res, true)
		return nil
	}
	return p
}

// newDeliveries are the pending, unleased rows after id, of endpoints not
// disabled, oldest first: on the committer, those of the batch running.
func (db *DB) newDeliveries(ctx context.Context, tx querier, after int64) ([]handoffRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT d.id, d.webhook_id, d.event_id, d.body, d.created_at, d.attempt
		FROM webhook_deliveries d WHERE d.id > ? AND d.state = 'pending' AND d.lease_until = 0
		AND NOT EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.webhook_id = d.webhook_id
			AND w.disabled_fingerprint = w.fingerprint)
		ORDER BY d.id`, after)
	if err != nil {
		return nil, err
	}
	var list []handoffRow
	for rows.Next() {
		var r handoffRow
		if err := rows.Scan(&r.id, &r.webhookID, &r.event, &r.body, &r.created, &r.attempt); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, r)
	}
	return list, errors.Join(rows.Err(), rows.Close())
}

// handOver renders the bodies (off the committer: it runs in its own
// goroutine) and gives the deliveries to the dispatcher. One whose body
// cannot be rendered is left leased: the claim after its lease renders it
// again, and fails as loudly as Claim does.
func (p *pendingHandoff) handOver(claimed []*writeReq) {
	events := map[string]*appendedEvent{}
	for _, r := range claimed {
		if r.err == nil {
			for i := range r.events {
				events[r.events[i].ID] = &r.events[i]
			}
		}
	}
	out := make([]delivery.Delivery, 0, len(p.leased))
	bodies := map[string][]byte{}
	for _, row := range p.leased {
		d := delivery.Delivery{ID: row.id, WebhookID: row.webhookID, EventID: row.event, Body: row.body,
			Attempt: row.attempt, CreatedAt: time.UnixMilli(row.created), Claim: p.claim}
		if d.Body == nil {
			body, ok := bodies[row.event]
			if !ok {
				var err error
				if body, err = renderAppended(p.h.render, events[row.event]); err != nil {
					continue
				}
				bodies[row.event] = body
			}
			d.Body = body
		}
		out = append(out, d)
	}
	p.h.to.Deliver(p.res, out, p.missed)
}

func renderAppended(render delivery.Render, e *appendedEvent) ([]byte, error) {
	if e == nil {
		return nil, errors.New("the event is not in the batch")
	}
	ev := e.Event
	if e.session == nil {
		return renderEvent(render, &ev, e.data)
	}
	ev.SetSession(e.session)
	return renderBody(render, &ev)
}

var _ delivery.HandoffQueue = (*WebhookQueue)(nil)
