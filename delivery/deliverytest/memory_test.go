package deliverytest_test

import (
	"testing"

	"github.com/coordapi/coord/delivery/deliverytest"
)

func TestMemoryQueue(t *testing.T) {
	deliverytest.TestQueue(t, func(*testing.T) deliverytest.Harness {
		q := deliverytest.NewMemoryQueue()
		return deliverytest.Harness{Queue: q, Add: func(_ *testing.T, webhookID, eventID string, body []byte) {
			q.Add(webhookID, eventID, body)
		}}
	})
}
