package postgres

import (
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
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

// TestADeliveredDeliveryIsDeleted checks what a record leaves: a delivered
// delivery's row is gone and its attempt is kept, and a retried one stays
// pending for its next attempt.
func TestADeliveredDeliveryIsDeleted(t *testing.T) {
	ctx := t.Context()
	db := openInternal(t, "")
	sq, err := db.WebhookQueue(ctx, []delivery.Endpoint{{PartnerID: "p", WebhookID: "w", Fingerprint: "f"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"evt_delivered", "evt_retried"} {
		if err := sq.Enqueue(ctx, "w", id, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	ds, err := sq.Claim(ctx, delivery.ClaimRequest{Now: now, Lease: time.Minute, Limit: 2, Want: map[string]int{"w": 2}})
	if err != nil || len(ds) != 2 {
		t.Fatalf("claim: %d deliveries, %v", len(ds), err)
	}
	for _, d := range ds {
		o := delivery.Outcome{State: delivery.Delivered, AttemptedAt: now, StatusCode: 204}
		if d.EventID == "evt_retried" {
			o = delivery.Outcome{State: delivery.Retrying, AttemptedAt: now, StatusCode: 500, NextAttempt: now.Add(time.Minute)}
		}
		if err := sq.Record(ctx, d, o); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.pool.Query(ctx, `SELECT event_id || ' ' || state || ' ' || attempt FROM webhook_deliveries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	left, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || !slices.Equal(left, []string{"evt_retried pending 2"}) {
		t.Errorf("deliveries left: %q, %v; want only the retried one, pending", left, err)
	}
	attempts, err := sq.Attempts(ctx, "w", 10)
	if err != nil || len(attempts) != 2 {
		t.Fatalf("attempts: %+v, %v; want both", attempts, err)
	}
	for _, a := range attempts {
		if want := map[string]delivery.State{"evt_delivered": delivery.Delivered, "evt_retried": delivery.Retrying}[a.EventID]; a.State != want {
			t.Errorf("attempt of %s: %s, want %s", a.EventID, a.State, want)
		}
	}
}

// TestADeliveryOfAPrunedEventIsLeftOut checks that a claim does not hand
// out a delivery whose event retention deleted (it has no body to send),
// as SQLite's does not: it waits, pending, for retention to delete it too.
func TestADeliveryOfAPrunedEventIsLeftOut(t *testing.T) {
	ctx := t.Context()
	db := openInternal(t, "")
	sq, err := db.WebhookQueue(ctx, []delivery.Endpoint{{PartnerID: "p", WebhookID: "w", Fingerprint: "f"}},
		func(e *coord.Event) ([]byte, error) { return []byte(e.ID), nil })
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, plate := range []string{"abc1", "abc2"} {
		if err := db.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: plate, Country: "us"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.sequence(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM events WHERE seq = (SELECT min(seq) FROM events)`); err != nil {
		t.Fatal(err)
	}
	ds, err := sq.Claim(ctx, delivery.ClaimRequest{Now: time.Now().Add(time.Second), Lease: time.Minute, Limit: 5,
		Want: map[string]int{"w": 5}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || string(ds[0].Body) != ds[0].EventID {
		t.Fatalf("claimed %+v; want only the kept event's delivery, with its body", ds)
	}
}
