package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/internal/apitest"
)

// hookKey signs the flows' webhook deliveries.
var hookKey = []byte("0123456789abcdef0123456789abcdef")

// withWebhook is the demo catalog with one endpoint, "backend", at url.
func withWebhook(url string) *coord.Catalog {
	cat := catalog.Demo()
	cat.Partners[0].Webhooks = []*coord.Webhook{{ID: "backend", URL: url, Keys: [][]byte{hookKey}}}
	return cat
}

// webhookFlow provokes the statuses of list_webhook_deliveries and
// ping_webhook, on servers of their own: the demo partner with an
// endpoint (a receiver that answers 204), and without a sandbox and
// over its rate limit.
func webhookFlow(t *testing.T, backend string, got map[string][]byte) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	s := apitest.New(t, backend, apitest.Options{Catalog: withWebhook(receiver.URL + "/hook")})
	f := &flow{t: t, s: s, got: got}

	// One delivery's history, as a dispatcher records it: a 503, then a 204.
	ctx := context.Background()
	if err := s.Webhooks.Enqueue(ctx, "backend", "evt_flow", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	now := s.Clock.Now().Add(time.Second)
	attempt := func(at time.Time, o delivery.Outcome) {
		t.Helper()
		ds, err := s.Webhooks.Claim(ctx, delivery.ClaimRequest{Now: at, Lease: time.Minute, Limit: 1, Want: map[string]int{"backend": 1}})
		if err != nil || len(ds) != 1 {
			t.Fatalf("claim: %v, %v", ds, err)
		}
		o.AttemptedAt = at
		if err := s.Webhooks.Record(ctx, ds[0], o); err != nil {
			t.Fatal(err)
		}
	}
	attempt(now, delivery.Outcome{State: delivery.Retrying, StatusCode: 503, Error: "HTTP 503", Latency: 12 * time.Millisecond,
		NextAttempt: now.Add(5 * time.Second)})
	attempt(now.Add(6*time.Second), delivery.Outcome{State: delivery.Delivered, StatusCode: 204, Latency: 38 * time.Millisecond})

	const token = "demo-server-token"
	f.do("list_webhook_deliveries", 200, "GET", "/webhooks/deliveries", "", token)
	f.do("list_webhook_deliveries", 400, "GET", "/webhooks/deliveries?limit=ten", "", token)
	f.do("list_webhook_deliveries", 401, "GET", "/webhooks/deliveries", "", "")
	f.do("list_webhook_deliveries", 404, "GET", "/webhooks/deliveries?webhook_id=nope", "", token)
	f.do("list_webhook_deliveries", 422, "GET", "/webhooks/deliveries?limit=0", "", token)
	f.do("ping_webhook", 200, "POST", "/testing/webhooks/backend/ping", "", token)
	f.do("ping_webhook", 401, "POST", "/testing/webhooks/backend/ping", "", "")
	f.do("ping_webhook", 404, "POST", "/testing/webhooks/nope/ping", "", token)
	f.do("ping_webhook", 422, "POST", "/testing/webhooks/"+strings.Repeat("w", 65)+"/ping", "", token)

	closed := withWebhook(receiver.URL + "/hook")
	closed.Partners[0].Sandbox = false
	// One request's worth of rate limit (the test clock stands still): the
	// 403 spends it, and the rest are 429.
	closed.Partners[0].RateLimit = coord.RateLimit{RequestsPerSecond: 1, Burst: 1}
	noSandbox := &flow{t: t, s: apitest.New(t, backend, apitest.Options{Catalog: closed}), got: got}
	noSandbox.do("ping_webhook", 403, "POST", "/testing/webhooks/backend/ping", "", token)
	noSandbox.do("ping_webhook", 429, "POST", "/testing/webhooks/backend/ping", "", token)
	noSandbox.do("list_webhook_deliveries", 429, "GET", "/webhooks/deliveries", "", token)

	if err := s.Store.Close(); err != nil {
		t.Fatal(err)
	}
	f.do("list_webhook_deliveries", 503, "GET", "/webhooks/deliveries", "", token)
}
