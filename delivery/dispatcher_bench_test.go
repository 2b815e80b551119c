package delivery_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/delivery"
)

// BenchmarkDispatchToALocalReceiver measures the dispatcher and sender
// alone (a queue that costs nothing, a loopback receiver that verifies
// every signature): the ceiling the stores' queues will share.
//
//	go test ./delivery -run '^$' -bench Dispatch -benchtime 5000x
func BenchmarkDispatchToALocalReceiver(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := webhook.Verify([]string{secret}, r.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	key, _ := webhook.ParseSecret(secret)
	var endpoints []*coord.Webhook
	for i := range 4 {
		endpoints = append(endpoints, &coord.Webhook{ID: fmt.Sprintf("e%d", i), URL: srv.URL, Keys: [][]byte{key}})
	}
	q := &fifoQueue{done: make(chan struct{})}
	for i := range b.N {
		q.ds = append(q.ds, delivery.Delivery{ID: int64(i + 1), WebhookID: endpoints[i%len(endpoints)].ID,
			EventID: fmt.Sprintf("evt_%d", i), Body: body, Attempt: 1, CreatedAt: time.Now()})
	}
	d := &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(), Endpoints: endpoints, Poll: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ResetTimer()
	go d.Run(ctx)
	select {
	case <-q.done:
	case <-time.After(time.Minute):
		b.Fatalf("%d of %d delivered in a minute", q.recorded.Load(), b.N)
	}
	b.StopTimer()
	if n := q.failed.Load(); n != 0 {
		b.Fatalf("%d attempts not delivered", n)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

// fifoQueue hands out its deliveries in order, each once, within the
// claim's bounds; it closes done when all are recorded.
type fifoQueue struct {
	mu               sync.Mutex
	ds               []delivery.Delivery
	next             int
	recorded, failed atomic.Int64
	done             chan struct{}
}

func (q *fifoQueue) Claim(_ context.Context, req delivery.ClaimRequest) ([]delivery.Delivery, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []delivery.Delivery
	taken := map[string]int{}
	for q.next < len(q.ds) && len(out) < req.Limit {
		d := q.ds[q.next]
		if taken[d.WebhookID] >= req.Want[d.WebhookID] {
			break // the next one's endpoint is at its cap: wait for a worker
		}
		taken[d.WebhookID]++
		out = append(out, d)
		q.next++
	}
	return out, nil
}

func (q *fifoQueue) Record(_ context.Context, _ delivery.Delivery, o delivery.Outcome) error {
	if o.State != delivery.Delivered {
		q.failed.Add(1)
	}
	if q.recorded.Add(1) == int64(len(q.ds)) {
		close(q.done)
	}
	return nil
}
