package sqlite

import (
	"path/filepath"
	"testing"

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
	path := filepath.Join(t.TempDir(), "coord.db")
	deliverytest.TestEnqueue(t, func(t *testing.T, endpoints []delivery.Endpoint, render delivery.Render) (coord.Store, delivery.Queue) {
		db := open(t, path, coord.StoreConfig{})
		q, err := db.WebhookQueue(t.Context(), endpoints, render)
		if err != nil {
			t.Fatal(err)
		}
		return db, q
	})
}
