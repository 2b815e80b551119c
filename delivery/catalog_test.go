package delivery_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/delivery/deliverytest"
)

// The pieces together: an endpoint as the catalog loads it, the
// dispatcher, and a receiver built with the SDK holding the same secrets
// (the old one only, as a receiver that has not rotated yet).
func TestACatalogEndpointReceivesEventsItsReceiverVerifies(t *testing.T) {
	oldSecret, newSecret := webhook.NewSecret(), webhook.NewSecret()
	got := make(chan *webhook.Event, 10)
	srv := httptest.NewServer(webhook.Handler(webhook.Verifier{Secrets: []string{oldSecret}}, func(_ context.Context, ev *webhook.Event) error {
		got <- ev
		return nil
	}))
	defer srv.Close()
	c, err := catalog.Parse(fmt.Appendf(nil, `
partners:
  - id: p
    access_keys: [key-12345678]
    webhooks:
      - {id: backend, url: %q, secrets: [%s, %s]}
systems: []
`, srv.URL+"/hooks/coord", newSecret, oldSecret))
	if err != nil {
		t.Fatal(err)
	}
	q := deliverytest.NewMemoryQueue()
	q.Add("backend", "evt_1", body)
	start(t, &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(), Endpoints: c.Webhooks(), Poll: 5 * time.Millisecond})
	if o := q.Wait(1, 2*time.Second); len(o) != 1 || o[0].State != delivery.Delivered {
		t.Fatalf("outcomes %+v", o)
	}
	if ev := <-got; ev.ID != "evt_1" || ev.Type != "session.started" {
		t.Fatalf("received %+v", ev)
	}
}
