package sqlite

import (
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

func TestWebhookRecordGroups(t *testing.T) {
	if recordChunk >= 35 || 2*recordChunk >= 69 { // the suite's long group: 69, stale at 35
		t.Fatalf("recordChunk %d: the suite's long group no longer has a stale outcome in its second chunk and a third", recordChunk)
	}
	deliverytest.TestRecordGroups(t, func(t *testing.T) deliverytest.RecordHarness {
		db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
		sq, err := db.WebhookQueue(t.Context(), deliverytest.SuiteEndpoints(), nil)
		if err != nil {
			t.Fatal(err)
		}
		q := sq.(*WebhookQueue)
		return deliverytest.RecordHarness{Queue: q, Commit: func(t *testing.T, group []delivery.Recorded) ([]bool, error) {
			return q.commitRecords(t.Context(), group)
		}}
	})
}
