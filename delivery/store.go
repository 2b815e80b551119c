package delivery

import (
	"context"
	"strings"

	"github.com/coordapi/coord"
)

// Render turns an event into the body its deliveries send: the Event JSON
// of list_events. The stores' queues call it at each claim, so that a
// body is never stored twice (PostgreSQL numbers events after they
// commit, so the seq is not known when the delivery row is written).
type Render func(*coord.Event) ([]byte, error)

// Attempt is one attempt as the queue keeps it, for list_webhook_deliveries.
type Attempt struct {
	WebhookID string
	EventID   string
	Attempt   int
	Outcome
}

// History is the queue's record of recent attempts.
type History interface {
	// Attempts returns the newest attempts at one endpoint, newest first.
	Attempts(ctx context.Context, webhookID string, limit int) ([]Attempt, error)
	// Depth is how many deliveries are waiting (pending, not yet delivered
	// or given up), at endpoints the catalog has.
	Depth(ctx context.Context) (int, error)
}

// Endpoint is a catalog endpoint as a store mirrors it, so that the
// deliveries of an event are written in the event's transaction.
type Endpoint struct {
	PartnerID   string
	WebhookID   string
	Events      []string // empty: every type
	Fingerprint string
}

// Endpoints lists the catalog's endpoints for a store.
func Endpoints(partners []*coord.Partner) []Endpoint {
	var list []Endpoint
	for _, p := range partners {
		for _, w := range p.Webhooks {
			list = append(list, Endpoint{PartnerID: p.ID, WebhookID: w.ID, Events: w.Events, Fingerprint: w.Fingerprint()})
		}
	}
	return list
}

// EventList is the endpoint's event types, comma-separated (” is all), as
// SQLite keeps them.
func (e Endpoint) EventList() string { return strings.Join(e.Events, ",") }

// StoreQueue is a store's queue of deliveries and its record of attempts.
type StoreQueue interface {
	Queue
	History
	// Enqueue writes a delivery of a body that is not an event of the log
	// (tests), due at once.
	Enqueue(ctx context.Context, webhookID, eventID string, body []byte) error
}

// QueueStore is a store that keeps webhook deliveries (both stores do).
type QueueStore interface {
	// WebhookQueue makes the store's endpoints those given (the
	// catalog's): events committed from then on get a delivery per
	// matching endpoint. render makes the bodies.
	WebhookQueue(ctx context.Context, endpoints []Endpoint, render Render) (StoreQueue, error)
}
