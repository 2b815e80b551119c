package deliverytest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
)

// OpenStore opens a store with these endpoints mirrored and returns it with
// its queue; called again in one test, it opens the same database.
type OpenStore func(t *testing.T, endpoints []delivery.Endpoint, render delivery.Render) (coord.Store, delivery.Queue)

// TestEnqueue checks that a committed event gets one delivery per matching
// endpoint of its partner, with the body rendered from the event as
// numbered, and that the endpoints follow the catalog on reopening.
func TestEnqueue(t *testing.T, open OpenStore) {
	ctx := context.Background()
	render := func(e *coord.Event) ([]byte, error) {
		return json.Marshal(map[string]any{"id": e.ID, "seq": e.Seq, "type": e.Type, "plate": e.User.Vehicle.Plate.Text})
	}
	endpoints := []delivery.Endpoint{
		{PartnerID: "p", WebhookID: "all", Fingerprint: "f1"},
		{PartnerID: "p", WebhookID: "vehicles", Events: []string{string(coord.EventVehicleUpdated)}, Fingerprint: "f2"},
		{PartnerID: "p", WebhookID: "ended", Events: []string{string(coord.EventSessionEnded)}, Fingerprint: "f3"},
		{PartnerID: "q", WebhookID: "other", Fingerprint: "f4"},
	}
	store, q := open(t, endpoints, render)
	u, err := store.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	setPlate := func(store coord.Store, text string) {
		t.Helper()
		if err := store.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: text, Country: "us"}}); err != nil {
			t.Fatal(err)
		}
	}
	claimAll := func(q delivery.Queue) map[string]string {
		t.Helper()
		ds, err := q.Claim(ctx, delivery.ClaimRequest{Now: time.Now().Add(time.Second), Lease: time.Minute, Limit: 10,
			Want: map[string]int{"all": 5, "vehicles": 5, "ended": 5, "other": 5}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, d := range ds {
			got[d.WebhookID] = string(d.Body)
			var e struct{ ID string }
			if json.Unmarshal(d.Body, &e) != nil || e.ID != d.EventID || d.Attempt != 1 {
				t.Errorf("delivery %+v: body for another event", d)
			}
		}
		return got
	}

	setPlate(store, "abc1")
	got := claimAll(q)
	if len(got) != 2 || got["all"] == "" || got["all"] != got["vehicles"] {
		t.Fatalf("deliveries of one vehicle event: %v, want one each for all and vehicles", got)
	}
	var e struct {
		Seq   int64
		Type  string
		Plate string
	}
	if err := json.Unmarshal([]byte(got["all"]), &e); err != nil || e.Seq != 1 || e.Type != string(coord.EventVehicleUpdated) || e.Plate != "abc1" {
		t.Fatalf("body %s: %v", got["all"], err)
	}

	// The catalog changes: vehicles now wants only session.ended.
	endpoints[1].Events = []string{string(coord.EventSessionEnded)}
	store2, q2 := open(t, endpoints[1:], render) // and "all" is gone
	setPlate(store2, "abc2")
	if got := claimAll(q2); len(got) != 0 {
		t.Fatalf("after the catalog changed: %v, want none", got)
	}
}

// TestEveryEventEnqueued checks that each way a store writes events gives
// every event its delivery: session creation with and without an
// idempotency key, ending, redemption (start and immediate exit in one
// transaction), a vehicle, a linked account; each event once, to the
// endpoint that takes every type, and none to another partner's.
func TestEveryEventEnqueued(t *testing.T, open OpenStore) {
	ctx := context.Background()
	render := func(e *coord.Event) ([]byte, error) { return []byte(e.ID), nil }
	store, q := open(t, []delivery.Endpoint{
		{PartnerID: "p", WebhookID: "all", Fingerprint: "f1"},
		{PartnerID: "q", WebhookID: "other", Fingerprint: "f2"},
	}, render)
	u, err := store.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: "x", Test: true})
	if err != nil {
		t.Fatal(err)
	}
	price := coord.Price{Rate: coord.Money{Amount: 100, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}
	create := func(ns coord.NewSession) *coord.Session {
		t.Helper()
		ns.UserID, ns.Currency = u.UserID, "USD"
		s, created, err := store.CreateSession(ctx, ns)
		if err != nil || !created {
			t.Fatalf("create %+v: %v, created %v", ns, err, created)
		}
		return s
	}
	end := func(s *coord.Session) {
		t.Helper()
		if _, ended, err := store.EndSession(ctx, s.Ref(), price); err != nil || !ended {
			t.Fatalf("end session %d: %v, ended %v", s.ID, err, ended)
		}
	}
	end(create(coord.NewSession{LocationID: "l1"}))
	end(create(coord.NewSession{LocationID: "l1", IdempotencyKey: "k"}))
	gate := create(coord.NewSession{LocationID: "g1", Gate: true})
	if _, err := store.Redeem(ctx, gate.Ref(), 0, price); err != nil {
		t.Fatal(err)
	}
	if err := store.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc1", Country: "us"}}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetLinked(ctx, u.UserID, "s1", true); err != nil {
		t.Fatal(err)
	}

	events, err := store.Events(ctx, coord.EventFilter{PartnerID: "p", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 9 {
		t.Fatalf("%d events, want 9 (created and ended twice, created, started and ended, vehicle, link)", len(events))
	}
	ds, err := q.Claim(ctx, delivery.ClaimRequest{Now: time.Now().Add(time.Second), Lease: time.Minute, Limit: 100,
		Want: map[string]int{"all": 100, "other": 100}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range ds {
		if d.WebhookID != "all" {
			t.Errorf("delivery %+v to another partner's endpoint", d)
		}
		got[d.EventID]++
	}
	for _, e := range events {
		if got[e.ID] != 1 {
			t.Errorf("event %d (%s): %d deliveries, want 1", e.Seq, e.Type, got[e.ID])
		}
	}
	if len(ds) != len(events) {
		t.Errorf("%d deliveries for %d events", len(ds), len(events))
	}
}
