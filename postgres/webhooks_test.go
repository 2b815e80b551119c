package postgres_test

import (
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/delivery/deliverytest"
)

func TestWebhookQueue(t *testing.T) {
	deliverytest.TestQueue(t, func(t *testing.T) deliverytest.Harness {
		db := open(t, testSchema(t), coord.StoreConfig{})
		q, err := db.WebhookQueue(t.Context(), deliverytest.SuiteEndpoints(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return deliverytest.Harness{Queue: q, Add: func(t *testing.T, webhookID, eventID string, body []byte) {
			if err := q.Enqueue(t.Context(), webhookID, eventID, body); err != nil {
				t.Fatal(err)
			}
		}}
	})
}

func TestWebhookEnqueue(t *testing.T) {
	deliverytest.TestEnqueue(t, enqueueStore(testSchema(t)))
}

func TestEveryEventEnqueued(t *testing.T) {
	deliverytest.TestEveryEventEnqueued(t, enqueueStore(testSchema(t)))
}

// enqueueStore opens the store of the schema dsn names with the queue of
// the endpoints given, as deliverytest's enqueue tests ask.
func enqueueStore(dsn string) deliverytest.OpenStore {
	return func(t *testing.T, endpoints []delivery.Endpoint, render delivery.Render) (coord.Store, delivery.Queue) {
		db := open(t, dsn, coord.StoreConfig{})
		q, err := db.WebhookQueue(t.Context(), endpoints, render)
		if err != nil {
			t.Fatal(err)
		}
		return db, q
	}
}
