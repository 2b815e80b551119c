package postgres_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/postgres"
	"github.com/coordapi/coord/storetest"
)

// Replicas starting together all migrate the same schema; the advisory lock
// lets exactly one apply each migration and the others find it done.
func TestConcurrentOpen(t *testing.T) {
	dsn := testSchema(t)
	const replicas = 6
	var wg sync.WaitGroup
	dbs := make([]*postgres.DB, replicas)
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(t.Context(), dsn, coord.StoreConfig{}) })
	}
	wg.Wait()
	for i := range replicas {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		t.Cleanup(func() { dbs[i].Close() })
		if err := dbs[i].Ping(t.Context()); err != nil {
			t.Errorf("Ping %d: %v", i, err)
		}
	}
}

// Two store handles on one schema are two server replicas: whatever they do
// at once, the database keeps every user to one open session and one
// session per idempotency key.
func TestReplicas(t *testing.T) {
	dsn := testSchema(t)
	clock := storetest.NewClock()
	cfg := coord.StoreConfig{Clock: clock, PendingTTL: time.Hour}
	replicas := []*postgres.DB{open(t, dsn, cfg), open(t, dsn, cfg)}
	ctx := t.Context()
	const users, attempts = 8, 10
	ids := make([]string, users)
	for i := range ids {
		u, err := replicas[0].UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: fmt.Sprint("u", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = u.UserID
	}

	t.Run("one open session per user", func(t *testing.T) {
		type result struct {
			s       *coord.Session
			created bool
			err     error
		}
		results := make([][attempts]result, users)
		var wg sync.WaitGroup
		for u := range users {
			for a := range attempts {
				wg.Go(func() {
					ns := coord.NewSession{UserID: ids[u], LocationID: "loc", Currency: "USD",
						Gate: a%2 == 0}
					s, created, err := replicas[a%2].CreateSession(ctx, ns)
					results[u][a] = result{s, created, err}
				})
			}
		}
		wg.Wait()
		for u := range users {
			var winner *coord.Session
			for _, r := range results[u] {
				if r.err == nil {
					if winner != nil {
						t.Fatalf("user %d: two open sessions %d and %d", u, winner.ID, r.s.ID)
					}
					if !r.created {
						t.Errorf("user %d: session %d was not reported created", u, r.s.ID)
					}
					winner = r.s
				}
			}
			if winner == nil {
				t.Fatalf("user %d: no session created: %v", u, results[u][0].err)
			}
			for _, r := range results[u] {
				var ce *coord.Error
				if r.err != nil && (!errors.As(r.err, &ce) || ce.Code != coord.EActiveSessionExists ||
					ce.Details[0] != strconv.FormatInt(winner.ID, 10)) {
					t.Errorf("user %d: error %v, want %s naming %d", u, r.err, coord.EActiveSessionExists, winner.ID)
				}
			}
		}
	})

	t.Run("settlement shared between replicas", func(t *testing.T) {
		// Every user's open session is now due: pending ones expire, active
		// ones (app-controlled) are not due and must stay.
		clock.Advance(2 * time.Hour)
		counts := make([]int, len(replicas))
		var wg sync.WaitGroup
		for i, db := range replicas {
			wg.Go(func() {
				n, err := db.SettleDue(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		pending := 0
		for _, id := range ids {
			list, err := replicas[1].Sessions(ctx, coord.SessionFilter{UserID: id, Limit: 10})
			if err != nil || len(list) != 1 {
				t.Fatalf("Sessions = %d, %v; want one", len(list), err)
			}
			if list[0].GateControlled() {
				pending++
				if list[0].Status != coord.StatusCancelled {
					t.Errorf("gate session %d is %s after expiry", list[0].ID, list[0].Status)
				}
			} else if list[0].Status != coord.StatusActive {
				t.Errorf("app session %d is %s, want active", list[0].ID, list[0].Status)
			}
		}
		if counts[0]+counts[1] != pending {
			t.Errorf("replicas settled %v sessions, want %d in all", counts, pending)
		}
	})
}
