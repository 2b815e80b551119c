package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/delivery/deliverytest"
)

func TestWebhookQueue(t *testing.T) {
	deliverytest.TestQueue(t, func(t *testing.T) deliverytest.Harness {
		db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
		q, err := db.WebhookQueue(t.Context(), deliverytest.SuiteEndpoints(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return deliverytest.Harness{Queue: q, Add: func(t *testing.T, webhookID, eventID string, body []byte) {
			must(t, q.Enqueue(t.Context(), webhookID, eventID, body))
		}}
	})
}

func TestWebhookEnqueue(t *testing.T) {
	deliverytest.TestEnqueue(t, enqueueStore(filepath.Join(t.TempDir(), "coord.db")))
}

func TestEveryEventEnqueued(t *testing.T) {
	deliverytest.TestEveryEventEnqueued(t, enqueueStore(filepath.Join(t.TempDir(), "coord.db")))
}

// enqueueStore opens the store of the file at path with the queue of the
// endpoints given, as deliverytest's enqueue tests ask.
func enqueueStore(path string) deliverytest.OpenStore {
	return func(t *testing.T, endpoints []delivery.Endpoint, render delivery.Render) (coord.Store, delivery.Queue) {
		db := open(t, path, coord.StoreConfig{})
		q, err := db.WebhookQueue(t.Context(), endpoints, render)
		if err != nil {
			t.Fatal(err)
		}
		return db, q
	}
}

// Claims and records commit without an fsync of their own, and leave the
// writer connection at synchronous=FULL for the API's writes.
func TestWebhookWritesLeaveTheWriterDurable(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	q, err := db.WebhookQueue(t.Context(), deliverytest.SuiteEndpoints(), nil)
	if err != nil {
		t.Fatal(err)
	}
	must(t, q.Enqueue(t.Context(), "a", "evt_1", []byte(`{}`)))
	ds, err := q.Claim(t.Context(), delivery.ClaimRequest{Now: time.Now().Add(time.Second), Lease: time.Minute, Limit: 1,
		Want: map[string]int{"a": 1}})
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v, %v", ds, err)
	}
	must(t, q.Record(t.Context(), ds[0], delivery.Outcome{State: delivery.Delivered, AttemptedAt: time.Now(), StatusCode: 204}))
	var sync string
	if err := db.writer.QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&sync); err != nil || sync != "2" {
		t.Fatalf("the writer's synchronous after webhook writes: %q, %v; want 2 (FULL)", sync, err)
	}
}

// A group of records is two statements (recordGroup); it stores what a
// record alone would for each: a delivered, a retrying, a 410 and a stale one.
func TestAGroupOfRecordsStoresEachAsAlone(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	sq, err := db.WebhookQueue(t.Context(), deliverytest.SuiteEndpoints(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sq.(*WebhookQueue)
	for _, id := range []string{"a", "a", "a", "b"} {
		must(t, q.Enqueue(t.Context(), id, "evt_"+id, []byte(`{}`)))
	}
	now := time.Now().Add(time.Second)
	ds, err := q.Claim(t.Context(), delivery.ClaimRequest{Now: now, Lease: time.Minute, Limit: 4, Want: map[string]int{"a": 3, "b": 1}})
	if err != nil || len(ds) != 4 {
		t.Fatalf("claim: %v, %v", ds, err)
	}
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
	// The retrying one is due again at next, as its second attempt; the
	// one recorded under a stale claim was left as it was (due again once
	// its lease ran out); b is disabled.
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
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	sq, err := db.WebhookQueue(t.Context(), deliverytest.SuiteEndpoints(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sq.(*WebhookQueue)
	for _, id := range []string{"a", "a"} {
		must(t, q.Enqueue(t.Context(), id, "evt_"+id, []byte(`{}`)))
	}
	now := time.Now().Add(time.Second)
	ds, err := q.Claim(t.Context(), delivery.ClaimRequest{Now: now, Lease: time.Minute, Limit: 2, Want: map[string]int{"a": 2}})
	if err != nil || len(ds) != 2 {
		t.Fatalf("claim: %v, %v", ds, err)
	}
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
	if n, err := q.Depth(t.Context()); err != nil || n != 0 {
		t.Fatalf("depth %d, %v; want 0: both delivered", n, err)
	}
}

// A group longer than one statement's rows (recordChunk) is stored whole,
// in order, with a stale outcome in its second chunk refused alone.
func TestAGroupLongerThanAChunkStoresEveryOutcome(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	sq, err := db.WebhookQueue(t.Context(), deliverytest.SuiteEndpoints(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sq.(*WebhookQueue)
	const n = 2*recordChunk + 5
	for i := range n {
		must(t, q.Enqueue(t.Context(), "a", fmt.Sprint("evt_", i), []byte(`{}`)))
	}
	now := time.Now().Add(time.Second)
	ds, err := q.Claim(t.Context(), delivery.ClaimRequest{Now: now, Lease: time.Minute, Limit: n, Want: map[string]int{"a": n}})
	if err != nil || len(ds) != n {
		t.Fatalf("claim: %d, %v", len(ds), err)
	}
	at := now.Truncate(time.Millisecond)
	group := make([]delivery.Recorded, n)
	for i, d := range ds {
		group[i] = delivery.Recorded{Delivery: d, Outcome: delivery.Outcome{State: delivery.Delivered, AttemptedAt: at,
			StatusCode: 200 + i%7, Latency: time.Duration(i) * time.Millisecond}}
	}
	const staleAt = recordChunk + 3
	group[staleAt].Delivery.Claim = "another"
	stale, err := q.commitRecords(t.Context(), group)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range stale {
		if s != (i == staleAt) {
			t.Fatalf("stale[%d] = %v; want only %d stale", i, s, staleAt)
		}
	}
	got, err := q.Attempts(t.Context(), "a", 2*n)
	if err != nil || len(got) != n-1 {
		t.Fatalf("%d attempts, %v; want %d", len(got), err, n-1)
	}
	// Newest first: the last outcome of the group is the first attempt listed.
	want := n - 1
	for _, a := range got {
		if want == staleAt {
			want--
		}
		if a.EventID != ds[want].EventID || a.StatusCode != 200+want%7 || a.Latency != time.Duration(want)*time.Millisecond {
			t.Fatalf("attempt %+v; want outcome %d's (event %s)", a, want, ds[want].EventID)
		}
		want--
	}
	if d, err := q.Depth(t.Context()); err != nil || d != 1 {
		t.Fatalf("depth %d, %v; want 1: the stale one, still leased", d, err)
	}
}
