// Package deliverytest holds what tests of webhook delivery share: a Queue
// in memory with the semantics the stores must give, and TestQueue, the
// suite a store's Queue must pass (the memory queue passes it too).
package deliverytest

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coordapi/coord/delivery"
)

// MemoryQueue is a delivery.Queue in memory: due, unleased deliveries
// claimed oldest first, per endpoint as asked; leases that run out;
// records refused once a claim is stale; 410 disabling the endpoint.
type MemoryQueue struct {
	mu       sync.Mutex
	rows     []*row
	disabled map[string]bool
	recorded chan delivery.Outcome
	claims   int
}

type row struct {
	d          delivery.Delivery
	state      delivery.State // "" while pending
	next       time.Time
	leaseUntil time.Time
	outcomes   []delivery.Outcome
}

// NewMemoryQueue returns an empty queue.
func NewMemoryQueue() *MemoryQueue {
	return &MemoryQueue{disabled: map[string]bool{}, recorded: make(chan delivery.Outcome, 10_000)}
}

// Add enqueues an event for an endpoint, due now, and returns its id.
func (q *MemoryQueue) Add(webhookID, eventID string, body []byte) int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	id := int64(len(q.rows) + 1)
	q.rows = append(q.rows, &row{d: delivery.Delivery{ID: id, WebhookID: webhookID,
		EventID: eventID, Body: body, Attempt: 1, CreatedAt: time.Now()}})
	return id
}

// Claim implements delivery.Queue.
func (q *MemoryQueue) Claim(_ context.Context, req delivery.ClaimRequest) ([]delivery.Delivery, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	type candidate struct {
		r    *row
		rank int
	}
	var cs []candidate
	for id, n := range req.Want {
		if q.disabled[id] {
			continue
		}
		var due []*row
		for _, r := range q.rows {
			if r.d.WebhookID == id && r.state == "" && !r.next.After(req.Now) && !r.leaseUntil.After(req.Now) {
				due = append(due, r)
			}
		}
		slices.SortStableFunc(due, func(a, b *row) int { return a.next.Compare(b.next) })
		for rank, r := range due[:min(max(n, 0), len(due))] {
			cs = append(cs, candidate{r, rank})
		}
	}
	slices.SortStableFunc(cs, func(a, b candidate) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if c := a.r.next.Compare(b.r.next); c != 0 {
			return c
		}
		return int(a.r.d.ID - b.r.d.ID)
	})
	var out []delivery.Delivery
	for _, c := range cs[:min(max(req.Limit, 0), len(cs))] {
		q.claims++
		c.r.leaseUntil = req.Now.Add(req.Lease)
		c.r.d.Claim = strconv.Itoa(q.claims)
		out = append(out, c.r.d)
	}
	return out, nil
}

// Record implements delivery.Queue.
func (q *MemoryQueue) Record(_ context.Context, d delivery.Delivery, o delivery.Outcome) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if d.ID < 1 || int(d.ID) > len(q.rows) || q.rows[d.ID-1].d.Claim != d.Claim || q.rows[d.ID-1].state != "" {
		return delivery.ErrStaleClaim
	}
	r := q.rows[d.ID-1]
	r.outcomes = append(r.outcomes, o)
	r.leaseUntil = time.Time{}
	r.d.Claim = ""
	switch o.State {
	case delivery.Retrying:
		r.next = o.NextAttempt
		r.d.Attempt++
	case delivery.Disabled:
		q.disabled[d.WebhookID] = true
		r.state = o.State
	default:
		r.state = o.State
	}
	select {
	case q.recorded <- o:
	default:
	}
	return nil
}

// Wait returns the next n outcomes recorded, or those recorded by the deadline.
func (q *MemoryQueue) Wait(n int, within time.Duration) []delivery.Outcome {
	var got []delivery.Outcome
	deadline := time.After(within)
	for len(got) < n {
		select {
		case o := <-q.recorded:
			got = append(got, o)
		case <-deadline:
			return got
		}
	}
	return got
}

// Outcomes returns the outcomes recorded for one delivery, oldest first.
func (q *MemoryQueue) Outcomes(id int64) []delivery.Outcome {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.rows[id-1].outcomes)
}
