package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord"
	testingops "github.com/coordapi/coord/client/testing"
	"github.com/coordapi/coord/client/webhooks"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/internal/apitest"
)

// ping_webhook sends a signed webhook.ping that the SDK verifies, and
// reports the receiver's answer.
func TestPingWebhookIsSignedAndReported(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		got := make(chan *webhook.Event, 1)
		secret := webhook.NewSecret()
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			e, err := webhook.Verify([]string{secret}, r.Header, body)
			if err != nil || !strings.HasPrefix(r.UserAgent(), "coord-users-server/") {
				http.Error(w, "bad", http.StatusUnauthorized)
				return
			}
			got <- e
			w.WriteHeader(http.StatusAccepted)
		}))
		defer receiver.Close()
		key, err := webhook.ParseSecret(secret)
		if err != nil {
			t.Fatal(err)
		}
		cat := withWebhook(receiver.URL + "/hook?token=private")
		cat.Partners[0].Webhooks[0].Keys = [][]byte{key}
		s := apitest.New(t, backend, apitest.Options{Catalog: cat})
		ok, err := s.Client.Testing.PingWebhook(testingops.NewPingWebhookParams().WithWebhookID("backend"), serverAuth())
		if err != nil {
			t.Fatal(err)
		}
		p := ok.Payload
		if !p.Delivered || p.StatusCode != http.StatusAccepted || p.Error != "" || p.WebhookID != "backend" {
			t.Fatalf("ping: %+v", p)
		}
		select {
		case e := <-got:
			if e.ID != p.EventID || e.Type != "webhook.ping" || !e.Test {
				t.Fatalf("received %+v, reported %+v", e, p)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the receiver got nothing")
		}
	})
}

// Another partner's endpoint is 404 exactly as a missing one, on both
// operations: the answer never confirms that it exists.
func TestAnotherPartnersWebhookIsNotFound(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		beta := apitest.UserAuth(betaKey, betaServer)
		bodies := map[string]string{}
		for _, id := range []string{"alpha-hook", "no-such-hook"} {
			_, err := s.Client.Testing.PingWebhook(testingops.NewPingWebhookParams().WithWebhookID(id), beta)
			var nf *testingops.PingWebhookNotFound
			if !asError(err, &nf) {
				t.Fatalf("ping %s as beta: %v, want 404", id, err)
			}
			bodies["ping"+id] = strings.ReplaceAll(nf.Payload.Message, id, "ID")
			_, err = s.Client.Webhooks.ListWebhookDeliveries(webhooks.NewListWebhookDeliveriesParams().WithWebhookID(&id), beta)
			var lnf *webhooks.ListWebhookDeliveriesNotFound
			if !asError(err, &lnf) {
				t.Fatalf("list %s as beta: %v, want 404", id, err)
			}
			bodies["list"+id] = strings.ReplaceAll(lnf.Payload.Message, id, "ID")
		}
		if bodies["pingalpha-hook"] != bodies["pingno-such-hook"] || bodies["listalpha-hook"] != bodies["listno-such-hook"] {
			t.Fatalf("another partner's webhook answers differently from a missing one: %v", bodies)
		}
		// Beta's own list names only its endpoint.
		ok, err := s.Client.Webhooks.ListWebhookDeliveries(webhooks.NewListWebhookDeliveriesParams(), beta)
		if err != nil || len(ok.Payload) != 1 || ok.Payload[0].WebhookID != "beta-hook" {
			t.Fatalf("beta's deliveries: %+v, %v", ok, err)
		}
	})
}

// list_webhook_deliveries shows what the queue recorded, newest first.
func TestListWebhookDeliveriesShowsAttempts(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		ctx := context.Background()
		u, err := s.Store.UpsertUser(ctx, coord.UserProfile{PartnerID: "alpha", ExternalUID: "hooked"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Store.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc", Country: "de"}}); err != nil {
			t.Fatal(err)
		}
		at := s.Clock.Now().Add(time.Hour) // past the commit, by the test clock
		ds, err := s.Webhooks.Claim(ctx, delivery.ClaimRequest{Now: at, Lease: time.Minute, Limit: 5, Want: map[string]int{"alpha-hook": 5, "beta-hook": 5}})
		if err != nil || len(ds) != 1 || ds[0].WebhookID != "alpha-hook" || !strings.Contains(string(ds[0].Body), `"type":"user.vehicle_updated"`) {
			t.Fatalf("claimed %+v, %v; want alpha's one vehicle event", ds, err)
		}
		o := delivery.Outcome{State: delivery.Retrying, AttemptedAt: at, Error: "timeout after 15s", Latency: 15 * time.Second, NextAttempt: at.Add(5 * time.Second)}
		if err := s.Webhooks.Record(ctx, ds[0], o); err != nil {
			t.Fatal(err)
		}
		ok, err := s.Client.Webhooks.ListWebhookDeliveries(webhooks.NewListWebhookDeliveriesParams(), apitest.UserAuth(alphaKey, alphaServer))
		if err != nil || len(ok.Payload) != 1 || len(ok.Payload[0].Attempts) != 1 {
			t.Fatalf("alpha's deliveries: %+v, %v", ok, err)
		}
		a := ok.Payload[0].Attempts[0]
		if a.EventID != ds[0].EventID || a.Attempt != 1 || a.Outcome != "retrying" || a.StatusCode != 0 || a.Error != o.Error ||
			a.LatencyMs != 15000 || a.NextAttempt == nil || !time.Time(*a.NextAttempt).Equal(o.NextAttempt.Truncate(time.Millisecond)) {
			t.Fatalf("attempt %+v", a)
		}
	})
}

// serverAuth is the demo partner's access key and server token.
func serverAuth() runtime.ClientAuthInfoWriter {
	return apitest.UserAuth(apitest.DemoAccessKey, "demo-server-token")
}
