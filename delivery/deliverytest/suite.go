package deliverytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord/delivery"
)

// Harness is what a Queue implementation gives the suite.
type Harness struct {
	Queue delivery.Queue
	// Add enqueues an event for an endpoint, due at once: what a store
	// does in the event's own transaction.
	Add func(t *testing.T, webhookID, eventID string, body []byte)
}

// TestQueue checks the semantics the dispatcher relies on. newHarness
// returns an empty queue each time. Times are compared to the
// millisecond, as the stores keep them.
func TestQueue(t *testing.T, newHarness func(t *testing.T) Harness) {
	ctx := context.Background()
	lease := time.Minute
	claim := func(t *testing.T, h Harness, now time.Time, want map[string]int) []delivery.Delivery {
		t.Helper()
		ds, err := h.Queue.Claim(ctx, delivery.ClaimRequest{Now: now, Lease: lease, Limit: 100, Want: want})
		if err != nil {
			t.Fatalf("claim: %v", err)
		}
		return ds
	}
	record := func(t *testing.T, h Harness, d delivery.Delivery, o delivery.Outcome) {
		t.Helper()
		if err := h.Queue.Record(ctx, d, o); err != nil {
			t.Fatalf("record %s: %v", o.State, err)
		}
	}
	soon := func() time.Time { return time.Now().Add(time.Second) } // past any store's insert time

	t.Run("a due delivery is claimed with what was enqueued", func(t *testing.T) {
		h := newHarness(t)
		h.Add(t, "a", "evt_1", []byte(`{"id":"evt_1"}`))
		ds := claim(t, h, soon(), map[string]int{"a": 5})
		if len(ds) != 1 {
			t.Fatalf("claimed %d, want 1", len(ds))
		}
		d := ds[0]
		if d.WebhookID != "a" || d.EventID != "evt_1" || string(d.Body) != `{"id":"evt_1"}` || d.Attempt != 1 ||
			d.CreatedAt.IsZero() || time.Since(d.CreatedAt) > time.Minute {
			t.Fatalf("claimed %+v", d)
		}
	})

	t.Run("a claim holds until its lease runs out, then another takes over", func(t *testing.T) {
		h := newHarness(t)
		h.Add(t, "a", "evt_1", []byte(`{}`))
		now := soon()
		first := claim(t, h, now, map[string]int{"a": 1})
		if len(first) != 1 {
			t.Fatalf("claimed %d", len(first))
		}
		if again := claim(t, h, now.Add(lease-time.Second), map[string]int{"a": 1}); len(again) != 0 {
			t.Fatalf("claimed again under a live lease: %+v", again)
		}
		second := claim(t, h, now.Add(lease+time.Second), map[string]int{"a": 1})
		if len(second) != 1 || second[0].ID != first[0].ID || second[0].Attempt != 1 {
			t.Fatalf("after the lease ran out: %+v", second)
		}
		late := delivery.Outcome{State: delivery.Delivered, AttemptedAt: now, StatusCode: 200}
		if err := h.Queue.Record(ctx, first[0], late); !errors.Is(err, delivery.ErrStaleClaim) {
			t.Fatalf("the first claimer's record after a takeover: %v, want ErrStaleClaim", err)
		}
		record(t, h, second[0], late)
		if err := h.Queue.Record(ctx, second[0], late); !errors.Is(err, delivery.ErrStaleClaim) {
			t.Fatalf("a second record of one claim: %v, want ErrStaleClaim", err)
		}
	})

	t.Run("claims are capped per endpoint, oldest first, and only for endpoints asked", func(t *testing.T) {
		h := newHarness(t)
		for i := range 5 {
			h.Add(t, "a", fmt.Sprintf("evt_a%d", i), []byte(`{}`))
			h.Add(t, "b", fmt.Sprintf("evt_b%d", i), []byte(`{}`))
			h.Add(t, "c", fmt.Sprintf("evt_c%d", i), []byte(`{}`))
		}
		ds := claim(t, h, soon(), map[string]int{"a": 2, "b": 1, "c": 0})
		got := map[string][]string{}
		for _, d := range ds {
			got[d.WebhookID] = append(got[d.WebhookID], d.EventID)
		}
		if fmt.Sprint(got["a"]) != "[evt_a0 evt_a1]" || fmt.Sprint(got["b"]) != "[evt_b0]" || len(got) != 2 {
			t.Fatalf("claimed %v", got)
		}
	})

	t.Run("the limit takes the first of every endpoint before the second of any", func(t *testing.T) {
		h := newHarness(t)
		for i := range 4 { // a's backlog is the oldest
			h.Add(t, "a", fmt.Sprintf("evt_a%d", i), []byte(`{}`))
		}
		for i := range 2 {
			h.Add(t, "b", fmt.Sprintf("evt_b%d", i), []byte(`{}`))
			h.Add(t, "c", fmt.Sprintf("evt_c%d", i), []byte(`{}`))
		}
		want := map[string]int{"a": 4, "b": 4, "c": 4}
		ds, err := h.Queue.Claim(ctx, delivery.ClaimRequest{Now: soon(), Lease: lease, Limit: 5, Want: want})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, d := range ds {
			got[d.WebhookID]++
		}
		if len(ds) != 5 || got["a"] != 2 || got["b"] != 2 || got["c"] != 1 {
			t.Fatalf("claimed %v with a limit of 5, want a's two oldest, then b's and c's", got)
		}
	})

	t.Run("a retry is due at its next attempt, with the attempt counted", func(t *testing.T) {
		h := newHarness(t)
		h.Add(t, "a", "evt_1", []byte(`{"x":1}`))
		now := soon()
		d := claim(t, h, now, map[string]int{"a": 1})[0]
		next := now.Add(5 * time.Minute)
		record(t, h, d, delivery.Outcome{State: delivery.Retrying, AttemptedAt: now, StatusCode: 500, Error: "HTTP 500",
			Latency: 12 * time.Millisecond, NextAttempt: next})
		if early := claim(t, h, next.Add(-time.Second), map[string]int{"a": 1}); len(early) != 0 {
			t.Fatalf("claimed before its next attempt: %+v", early)
		}
		again := claim(t, h, next.Add(time.Millisecond), map[string]int{"a": 1})
		if len(again) != 1 || again[0].ID != d.ID || again[0].Attempt != 2 || again[0].EventID != "evt_1" || string(again[0].Body) != `{"x":1}` {
			t.Fatalf("the retry: %+v", again)
		}
	})

	t.Run("delivered and failed deliveries are never claimed again", func(t *testing.T) {
		h := newHarness(t)
		h.Add(t, "a", "evt_1", []byte(`{}`))
		h.Add(t, "a", "evt_2", []byte(`{}`))
		now := soon()
		ds := claim(t, h, now, map[string]int{"a": 2})
		if len(ds) != 2 {
			t.Fatalf("claimed %d", len(ds))
		}
		record(t, h, ds[0], delivery.Outcome{State: delivery.Delivered, AttemptedAt: now, StatusCode: 204})
		record(t, h, ds[1], delivery.Outcome{State: delivery.Failed, AttemptedAt: now, Error: "timeout after 15s"})
		if later := claim(t, h, now.Add(100*24*time.Hour), map[string]int{"a": 10}); len(later) != 0 {
			t.Fatalf("claimed again: %+v", later)
		}
	})

	t.Run("410 stops the claims for that endpoint only", func(t *testing.T) {
		h := newHarness(t)
		h.Add(t, "gone", "evt_1", []byte(`{}`))
		h.Add(t, "gone", "evt_2", []byte(`{}`))
		h.Add(t, "other", "evt_3", []byte(`{}`))
		now := soon()
		d := claim(t, h, now, map[string]int{"gone": 1})[0]
		record(t, h, d, delivery.Outcome{State: delivery.Disabled, AttemptedAt: now, StatusCode: 410})
		ds := claim(t, h, now.Add(time.Hour), map[string]int{"gone": 5, "other": 5})
		if len(ds) != 1 || ds[0].WebhookID != "other" {
			t.Fatalf("claimed after a 410: %+v", ds)
		}
	})

	t.Run("concurrent records all land, a stale one among them refused alone", func(t *testing.T) {
		h := newHarness(t)
		const n = 40
		for i := range n {
			h.Add(t, "a", fmt.Sprintf("evt_%d", i), []byte(`{}`))
		}
		now := soon()
		ds := claim(t, h, now, map[string]int{"a": n})
		if len(ds) != n {
			t.Fatalf("claimed %d", len(ds))
		}
		ds[0].Claim = "not-the-claim"
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, d := range ds {
			wg.Go(func() {
				errs[i] = h.Queue.Record(ctx, d, delivery.Outcome{State: delivery.Delivered, AttemptedAt: now, StatusCode: 200})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if want := i == 0; errors.Is(err, delivery.ErrStaleClaim) != want || (!want && err != nil) {
				t.Errorf("record %d: %v", i, err)
			}
		}
		if again := claim(t, h, now.Add(2*lease), map[string]int{"a": n}); len(again) != 1 || again[0].ID != ds[0].ID {
			t.Fatalf("after the records, claimable: %+v; want only the one whose record was stale", again)
		}
	})

	t.Run("concurrent claimers never share a delivery", func(t *testing.T) {
		h := newHarness(t)
		const n = 60
		for i := range n {
			h.Add(t, "a", fmt.Sprintf("evt_%d", i), []byte(`{}`))
		}
		now := soon()
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for range 20 {
					ds, err := h.Queue.Claim(ctx, delivery.ClaimRequest{Now: now, Lease: lease, Limit: 3, Want: map[string]int{"a": 3}})
					if err != nil {
						t.Errorf("claim: %v", err)
						return
					}
					mu.Lock()
					for _, d := range ds {
						seen[d.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for id, times := range seen {
			if times > 1 {
				t.Errorf("delivery %d claimed %d times under one lease", id, times)
			}
		}
		if len(seen) != n {
			t.Errorf("%d of %d claimed", len(seen), n)
		}
	})
}

// SuiteEndpoints are the endpoints TestQueue enqueues for, as a store
// mirrors them (partner "p"): a store's harness opens its queue with them.
func SuiteEndpoints() []delivery.Endpoint {
	var list []delivery.Endpoint
	for _, id := range []string{"a", "b", "c", "gone", "other"} {
		list = append(list, delivery.Endpoint{PartnerID: "p", WebhookID: id, Fingerprint: "f"})
	}
	return list
}
