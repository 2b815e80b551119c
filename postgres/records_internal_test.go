package postgres

import (
	"testing"

	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/delivery/deliverytest"
)

func TestWebhookRecordGroups(t *testing.T) {
	deliverytest.TestRecordGroups(t, func(t *testing.T) deliverytest.RecordHarness {
		sq, err := openInternal(t, "").WebhookQueue(t.Context(), deliverytest.SuiteEndpoints(), nil)
		if err != nil {
			t.Fatal(err)
		}
		q := sq.(*WebhookQueue)
		return deliverytest.RecordHarness{Queue: q, Commit: func(t *testing.T, group []delivery.Recorded) ([]bool, error) {
			return q.commitRecords(t.Context(), group)
		}}
	})
}
