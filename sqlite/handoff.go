package sqlite

import (
	"context"
	"errors"
	"time"

	"github.com/coordapi/coord/delivery"
)

// The webhook handoff (delivery.HandoffQueue). Each API batch
// (groupcommit.go) writes, before its COMMIT, the deliveries its own events
// get (deliveries.go), those the dispatcher has room for — as many per
// endpoint as it reserves — already leased, and once committed hands them
// to the dispatcher in memory, bodies rendered from the events the batch
// appended. So in steady state a delivery costs its row and nothing more:
// no claim transaction (no turn of the one writer between batches, no
// fsync of its own), no read of candidates or of its event.
//
// At least once: the lease is committed with the batch. A crash after the
// commit and before the dispatcher attempts them (or a dispatcher that stops,
// or one that lets them wait past what their lease allows) leaves leased rows,
// due again when the lease runs out and then claimed as usual. Rows written
// unleased (no room, an endpoint disabled) stay for Claim, and the
// dispatcher is told to look.

// handoffState is the committer's: only its goroutine reads or writes it.
type handoffState struct {
	to     delivery.Handoff
	render delivery.Render
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
	_ = q.db.write(ctx, func(context.Context, querier) error {
		q.db.hand = nil
		if h != nil {
			q.db.hand = &handoffState{to: h, render: q.render}
		}
		return nil
	})
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
