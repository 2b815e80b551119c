package delivery_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/delivery/deliverytest"
)

// BenchmarkDispatchToALocalReceiver measures the dispatcher and sender
// alone (memory queue, loopback receiver that verifies every signature):
// the ceiling the stores' queues will share.
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
	q := deliverytest.NewMemoryQueue()
	for i := range b.N {
		q.Add(endpoints[i%len(endpoints)].ID, fmt.Sprintf("evt_%d", i), body)
	}
	d := &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(), Endpoints: endpoints, Poll: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ResetTimer()
	go d.Run(ctx)
	got := q.Wait(b.N, time.Minute)
	b.StopTimer()
	for _, o := range got {
		if o.State != delivery.Delivered {
			b.Fatalf("an attempt: %+v", o)
		}
	}
	if len(got) != b.N {
		b.Fatalf("%d of %d delivered", len(got), b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
