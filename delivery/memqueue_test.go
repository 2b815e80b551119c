package delivery_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coordapi/coord/delivery"
)

// memQueue is a Queue in memory with the semantics the stores must give:
// due and unleased rows claimed oldest first, per endpoint as asked;
// leases that run out; records refused once a claim is stale; 410
// disabling the endpoint. It also keeps every outcome for the tests.
type memQueue struct {
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

func newMemQueue() *memQueue {
	return &memQueue{disabled: map[string]bool{}, recorded: make(chan delivery.Outcome, 1000)}
}

// add enqueues an event for an endpoint, due now.
func (q *memQueue) add(webhookID, eventID string, body []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.rows = append(q.rows, &row{d: delivery.Delivery{ID: int64(len(q.rows) + 1), WebhookID: webhookID,
		EventID: eventID, Body: body, Attempt: 1, CreatedAt: time.Now()}})
}

func (q *memQueue) Claim(_ context.Context, req delivery.ClaimRequest) ([]delivery.Delivery, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []delivery.Delivery
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
		slices.SortFunc(due, func(a, b *row) int { return a.next.Compare(b.next) })
		for _, r := range due[:min(n, len(due))] {
			q.claims++
			r.leaseUntil = req.Now.Add(req.Lease)
			r.d.Claim = strconv.Itoa(q.claims)
			out = append(out, r.d)
		}
	}
	return out, nil
}

func (q *memQueue) Record(_ context.Context, d delivery.Delivery, o delivery.Outcome) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	r := q.rows[d.ID-1]
	if r.d.Claim != d.Claim {
		return errors.New("stale claim")
	}
	r.outcomes = append(r.outcomes, o)
	r.leaseUntil = time.Time{}
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
	q.recorded <- o
	return nil
}

// wait returns the next n outcomes recorded, or what it has at the deadline.
func (q *memQueue) wait(n int, within time.Duration) []delivery.Outcome {
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

func (q *memQueue) outcomes(id int64) []delivery.Outcome {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.rows[id-1].outcomes)
}
