package delivery

import (
	"context"
	"errors"
	"time"
)

// ErrStaleClaim is Record's answer when the delivery's lease ran out and
// it was claimed again (or already recorded): the attempt's outcome is
// dropped, the newer claim decides.
var ErrStaleClaim = errors.New("webhook delivery: the claim is no longer held")

// Delivery is one event due at one endpoint, as claimed from the Queue.
type Delivery struct {
	ID        int64     // the queue's key
	WebhookID string    // the endpoint, coord.Webhook.ID
	EventID   string    // sent as webhook-id, the same on every attempt
	Body      []byte    // the Event JSON, sent and signed as is
	Attempt   int       // the attempt about to be made, 1 for the first
	CreatedAt time.Time // when the event was committed (commit-to-delivery lag)
	// Claim is the queue's token for this lease, handed back in Record so
	// that a replica whose lease expired cannot overwrite a newer attempt.
	Claim string
}

// State is where a delivery stands after an attempt.
type State string

// The states an attempt can leave a delivery in.
const (
	Delivered State = "delivered" // a 2xx answer
	Retrying  State = "retrying"  // due again at Outcome.NextAttempt
	Failed    State = "failed"    // the last attempt failed, or the endpoint is gone from the catalog
	// Disabled: the endpoint answered 410 Gone. The queue stops claiming
	// deliveries for it until its catalog entry changes
	// (coord.Webhook.Fingerprint).
	Disabled State = "disabled"
)

// Outcome is what one attempt did; the queue stores it for
// list_webhook_deliveries.
type Outcome struct {
	State       State
	AttemptedAt time.Time
	StatusCode  int           // the answer's status, 0 when there was none
	Error       string        // why it was not delivered; never a secret, a signature or a URL's path
	Latency     time.Duration // from sending to the answer's status (or the error)
	NextAttempt time.Time     // when State is Retrying
}

// ClaimRequest says what the dispatcher can take on now.
type ClaimRequest struct {
	Now   time.Time
	Lease time.Duration // a claimed delivery is due again at Now+Lease unless recorded
	Limit int           // deliveries to claim in all, at most
	// Want is, per endpoint id, how many due deliveries to claim at most.
	// Endpoints absent or at zero are not claimed: that is how one slow
	// endpoint is kept from taking every worker.
	//
	// Within these bounds, deliveries are taken by their rank in their
	// endpoint's due list (oldest due first), then by due time: the first
	// of every endpoint before the second of any, so that a long backlog
	// at one endpoint never starves the others.
	Want map[string]int
}

// PerEndpointer is a Queue with its own default for Dispatcher.PerEndpoint:
// how many attempts in flight per endpoint keep pace with its claims and
// records under load without taking more of the store than its API can
// spare (see BENCHMARKS.md).
type PerEndpointer interface {
	PerEndpoint() int
}

// Queue is the durable store of deliveries.
type Queue interface {
	// Claim leases due deliveries: pending ones whose next attempt is at or
	// before Now and that no live lease holds (an expired lease, of a
	// replica that died, makes a delivery due again).
	Claim(ctx context.Context, req ClaimRequest) ([]Delivery, error)
	// Record stores an attempt's outcome if d's claim is still held, else
	// returns ErrStaleClaim.
	Record(ctx context.Context, d Delivery, o Outcome) error
}
