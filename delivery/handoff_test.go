package delivery_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/delivery/deliverytest"
)

// handoffQueue is a memory queue that hands over as a store's commits
// would: hand leases n new deliveries (a claim) and gives them to the
// dispatcher within the room it reserves.
type handoffQueue struct {
	*deliverytest.MemoryQueue
	mu     sync.Mutex
	h      delivery.Handoff
	set    chan struct{}
	claims atomic.Int32 // Claims made by the dispatcher
}

func newHandoffQueue() *handoffQueue {
	return &handoffQueue{MemoryQueue: deliverytest.NewMemoryQueue(), set: make(chan struct{})}
}

func (q *handoffQueue) SetHandoff(h delivery.Handoff) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.h == nil && h != nil {
		close(q.set)
	}
	q.h = h
}

func (q *handoffQueue) Claim(ctx context.Context, req delivery.ClaimRequest) ([]delivery.Delivery, error) {
	q.mu.Lock() // not during a hand's "transaction"
	defer q.mu.Unlock()
	q.claims.Add(1)
	return q.MemoryQueue.Claim(ctx, req)
}

// hand writes n deliveries for webhookID and hands over what the
// dispatcher has room for; it returns how many it handed over.
func (q *handoffQueue) hand(t *testing.T, webhookID string, n int) int {
	t.Helper()
	<-q.set
	q.mu.Lock() // the transaction: Claim waits
	h := q.h
	for i := range n {
		q.Add(webhookID, fmt.Sprintf("evt_%s_%d_%d", webhookID, time.Now().UnixNano(), i), body)
	}
	res := h.Reserve(map[string]int{webhookID: n})
	room := res.Room[webhookID]
	var leased []delivery.Delivery
	if room > 0 {
		// Lease them as the store's transaction would, before the commit.
		var err error
		leased, err = q.MemoryQueue.Claim(context.Background(), delivery.ClaimRequest{Now: res.At, Lease: res.Lease,
			Limit: room, Want: map[string]int{webhookID: room}})
		if err != nil {
			t.Fatal(err)
		}
	}
	q.mu.Unlock() // committed
	h.Deliver(res, leased, len(leased) < n)
	return len(leased)
}

func TestHandedOverDeliveriesAreAttemptedWithoutAClaim(t *testing.T) {
	srv := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})
	q := newHandoffQueue()
	d := single(t, q, "hook", srv.URL)
	d.Poll = time.Hour // only the start's claim
	start(t, d)
	if got := q.hand(t, "hook", 5); got != 5 {
		t.Fatalf("handed over %d of 5 to an idle dispatcher", got)
	}
	if got := q.Wait(5, 5*time.Second); len(got) != 5 {
		t.Fatalf("%d of 5 handed-over deliveries recorded", len(got))
	}
	time.Sleep(20 * time.Millisecond)
	if n := q.claims.Load(); n > 1 {
		t.Fatalf("%d claims; the handoff brought every delivery, only the start's was needed", n)
	}
}

// The room a handoff gets is the per-endpoint cap and the reserve, less
// what is in flight, waiting and reserved: a hanging endpoint takes no more.
func TestAHandoffRespectsThePerEndpointCap(t *testing.T) {
	stop := make(chan struct{})
	var inflight, peak atomic.Int32
	slow := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		<-stop
		w.WriteHeader(http.StatusNoContent)
	})
	healthy := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})
	q := newHandoffQueue()
	start(t, &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(delivery.WithTimeout(5 * time.Second)),
		Endpoints:   []*coord.Webhook{endpoint(t, "slow", slow.URL), endpoint(t, "healthy", healthy.URL)},
		Concurrency: 8, PerEndpoint: 2, Poll: time.Hour})
	handed := q.hand(t, "slow", 100)
	// 2 in flight and 3 × 2 waiting: the reserve a handoff may fill.
	if handed != 8 {
		t.Fatalf("handed over %d to the slow endpoint, want 8 (2 in flight, 6 waiting)", handed)
	}
	if again := q.hand(t, "slow", 10); again != 0 {
		t.Fatalf("handed over %d more to an endpoint at its cap", again)
	}
	if got := q.hand(t, "healthy", 5); got != 5 {
		t.Fatalf("handed over %d of 5 to a healthy endpoint while the other hangs", got)
	}
	if got := q.Wait(5, 2*time.Second); len(got) != 5 {
		t.Fatalf("%d of the healthy endpoint's 5 recorded while the other hangs", len(got))
	}
	if p := peak.Load(); p > 2 {
		t.Fatalf("%d requests at once at an endpoint capped at 2", p)
	}
	close(stop)
}

// A handed-over delivery that waits longer than its lease allows is left
// for the lease to run out, then claimed and delivered as any other.
func TestAHandedOverDeliveryThatWaitsTooLongIsClaimedAfterItsLease(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	var first atomic.Bool
	srv := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if !first.Swap(true) {
			time.Sleep(100 * time.Millisecond) // the others wait for it
		}
		mu.Lock()
		seen[r.Header.Get("webhook-id")]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	q := newHandoffQueue()
	timeout := time.Second
	d := &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(delivery.WithTimeout(timeout)),
		Endpoints: []*coord.Webhook{endpoint(t, "hook", srv.URL)}, PerEndpoint: 1, Poll: 10 * time.Millisecond,
		Lease: timeout + 10*time.Second + 50*time.Millisecond} // 50 ms of waiting allowed
	start(t, d)
	if got := q.hand(t, "hook", 3); got != 3 {
		t.Fatalf("handed over %d of 3", got)
	}
	// The first is attempted at once; the others wait 100 ms for the one
	// place, past the 50 ms allowed: dropped, due after 11 s.
	if got := q.Wait(1, 2*time.Second); len(got) != 1 {
		t.Fatalf("the first handed-over delivery: %v", got)
	}
	if more := q.Wait(1, 500*time.Millisecond); len(more) != 0 {
		t.Fatalf("a delivery that waited past its lease's room was attempted: %v", more)
	}
	if got := q.Wait(2, 15*time.Second); len(got) != 2 {
		t.Fatalf("%d of the 2 dropped deliveries delivered after their lease ran out", len(got))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 {
		t.Fatalf("received %v, want each of 3 deliveries", seen)
	}
}
