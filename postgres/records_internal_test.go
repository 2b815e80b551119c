package postgres

import (
	"testing"
	"time"

	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/delivery/deliverytest"
)

// recordQueue is a queue of a fresh schema with n deliveries per endpoint
// id given, claimed at now.
func recordQueue(t *testing.T, now time.Time, ids ...string) (*WebhookQueue, []delivery.Delivery) {
	t.Helper()
	db := openInternal(t, "")
	sq, err := db.WebhookQueue(t.Context(), deliverytest.SuiteEndpoints(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sq.(*WebhookQueue)
	want := map[string]int{}
	for _, id := range ids {
		if err := q.Enqueue(t.Context(), id, "evt_"+id, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		want[id]++
	}
	ds, err := q.Claim(t.Context(), delivery.ClaimRequest{Now: now, Lease: time.Minute, Limit: len(ids), Want: want})
	if err != nil || len(ds) != len(ids) {
		t.Fatalf("claim: %v, %v", ds, err)
	}
	return q, ds
}

// A group's records, one statement for them, store each as alone would:
// a delivery's new state, its attempt, a 410's disabling; one under a
// claim that no longer holds is stale and changes nothing.
func TestAGroupOfRecordsStoresEachAsAlone(t *testing.T) {
	now := time.Now().Add(time.Second)
	q, ds := recordQueue(t, now, "a", "a", "a", "b")
	at := now.Truncate(time.Millisecond)
	next := at.Add(time.Hour)
	staleOne := ds[2]
	staleOne.Claim = "another"
	outcomes := []delivery.Outcome{
		{State: delivery.Delivered, AttemptedAt: at, StatusCode: 204, Latency: 3 * time.Millisecond},
		{State: delivery.Retrying, AttemptedAt: at, StatusCode: 500, Error: "HTTP 500", NextAttempt: next},
		{State: delivery.Delivered, AttemptedAt: at, StatusCode: 200},
		{State: delivery.Disabled, AttemptedAt: at, StatusCode: 410, Error: "HTTP 410"},
	}
	var group []delivery.Recorded
	for i, d := range []delivery.Delivery{ds[0], ds[1], staleOne, ds[3]} {
		group = append(group, delivery.Recorded{Delivery: d, Outcome: outcomes[i]})
	}
	stale, err := q.commitRecords(t.Context(), group)
	if err != nil || len(stale) != 4 || stale[0] || stale[1] || !stale[2] || stale[3] {
		t.Fatalf("stale %v, %v; want only the third", stale, err)
	}
	got, err := q.Attempts(t.Context(), "a", 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("a's attempts %+v, %v; want 2", got, err)
	}
	if got[0].State != delivery.Retrying || got[0].StatusCode != 500 || got[0].Error != "HTTP 500" || !got[0].NextAttempt.Equal(next) ||
		got[1].State != delivery.Delivered || got[1].Latency != 3*time.Millisecond || !got[1].AttemptedAt.Equal(at) {
		t.Fatalf("a's attempts %+v", got)
	}
	if b, err := q.Attempts(t.Context(), "b", 10); err != nil || len(b) != 1 || b[0].State != delivery.Disabled {
		t.Fatalf("b's attempts %+v, %v", b, err)
	}
	var disabled bool
	if err := q.db.pool.QueryRow(t.Context(), `SELECT disabled_fingerprint = fingerprint FROM webhook_endpoints WHERE webhook_id = 'b'`).Scan(&disabled); err != nil || !disabled {
		t.Fatalf("b disabled: %v, %v", disabled, err)
	}
	again, err := q.Claim(t.Context(), delivery.ClaimRequest{Now: next.Add(time.Millisecond), Lease: time.Minute, Limit: 4,
		Want: map[string]int{"a": 3, "b": 1}})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]delivery.Delivery{}
	for _, d := range again {
		byID[d.ID] = d
	}
	if len(again) != 2 || byID[ds[1].ID].Attempt != 2 || byID[ds[2].ID].ID == 0 {
		t.Fatalf("claimed after: %+v; want the retrying one (attempt 2) and the one whose lease ran out", again)
	}
}

// Two outcomes of one delivery in a group are recorded in order, as alone:
// the first holds the claim, the second finds it gone (stale), and the
// records of the others on either side are kept.
func TestAGroupWithTwoOutcomesOfOneDeliveryRecordsTheFirst(t *testing.T) {
	now := time.Now().Add(time.Second)
	q, ds := recordQueue(t, now, "a", "a")
	at := now.Truncate(time.Millisecond)
	delivered := delivery.Outcome{State: delivery.Delivered, AttemptedAt: at, StatusCode: 204}
	retrying := delivery.Outcome{State: delivery.Retrying, AttemptedAt: at, StatusCode: 500, NextAttempt: at.Add(time.Hour)}
	group := []delivery.Recorded{{Delivery: ds[0], Outcome: delivered}, {Delivery: ds[0], Outcome: retrying},
		{Delivery: ds[1], Outcome: delivered}}
	stale, err := q.commitRecords(t.Context(), group)
	if err != nil || len(stale) != 3 || stale[0] || !stale[1] || stale[2] {
		t.Fatalf("stale %v, %v; want only the second", stale, err)
	}
	got, err := q.Attempts(t.Context(), "a", 10)
	if err != nil || len(got) != 2 || got[0].State != delivery.Delivered || got[1].State != delivery.Delivered {
		t.Fatalf("attempts %+v, %v; want the two deliveries, no retry", got, err)
	}
}
