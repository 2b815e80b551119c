package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/postgres"
)

// Writers on two replicas race a consumer on a third, which pages the feed
// with after = the last seq it saw, while another reader on the second
// replica also reads the feed (and so also runs the sequencer). Every page
// must continue exactly where the last one stopped (a partner's seqs have
// no gaps: only committed events are numbered), and in the end the consumer
// must have seen exactly the events in the table, each once. A seq taken
// from a bare sequence in the writing transaction fails this at once: a
// transaction that took seq n can commit after one that took n+1 was read.
func TestEventFeedOrderAcrossReplicas(t *testing.T) {
	dsn := testSchema(t)
	replicas := []*postgres.DB{open(t, dsn, coord.StoreConfig{}), open(t, dsn, coord.StoreConfig{})}
	consumer := open(t, dsn, coord.StoreConfig{})
	ctx := t.Context()
	const partner, writersPerReplica, changesPerWriter = "racing", 4, 60
	users := make([]string, 2*writersPerReplica)
	for i := range users {
		u, err := replicas[0].UpsertUser(ctx, coord.UserProfile{PartnerID: partner, ExternalUID: fmt.Sprint("w", i)})
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u.UserID
	}
	price := coord.Price{Rate: coord.Money{Amount: 100, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}

	var writing sync.WaitGroup
	var writes atomic.Int64
	for w, user := range users {
		db := replicas[w%2]
		writing.Go(func() {
			for i := range changesPerWriter {
				var err error
				switch i % 3 {
				case 0:
					err = db.SetVehicle(ctx, user, coord.Vehicle{Plate: coord.LicensePlate{Text: fmt.Sprint("p", i), Country: "de"}})
					writes.Add(1)
				case 1:
					var s *coord.Session
					if s, _, err = db.CreateSession(ctx, coord.NewSession{UserID: user, LocationID: "l", Currency: "USD"}); err == nil {
						writes.Add(1)
						_, _, err = db.EndSession(ctx, s.Ref(), price)
						writes.Add(1)
					}
				case 2:
					err = db.SetLinked(ctx, user, "sys", i%2 == 0)
					writes.Add(1)
				}
				if err != nil {
					t.Errorf("writer %d change %d: %v", w, i, err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { writing.Wait(); close(done) }()
	var reading sync.WaitGroup
	reading.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := replicas[1].Events(ctx, coord.EventFilter{PartnerID: partner, Limit: 1}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	defer reading.Wait()

	var seen []int64
	var last int64
	page := func() int {
		list, err := consumer.Events(ctx, coord.EventFilter{PartnerID: partner, After: &last, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			if e.Seq != last+1 {
				t.Fatalf("after %d the feed gave seq %d: an event became visible out of order", last, e.Seq)
			}
			last = e.Seq
			seen = append(seen, e.Seq)
		}
		return len(list)
	}
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		if page() == 0 && !finished {
			time.Sleep(time.Millisecond)
		}
	}
	for page() > 0 {
	}

	table := eventSeqs(t, ctx, dsn, partner)
	if !slices.Equal(seen, table) {
		t.Fatalf("the consumer saw %d events, the table holds %d", len(seen), len(table))
	}
	if int64(len(table)) != writes.Load() {
		t.Fatalf("%d events for %d changes", len(table), writes.Load())
	}
	t.Logf("%d events from 2 replicas, all seen once, in order", len(seen))
}

// eventSeqs reads a partner's seqs from the table, in order.
func eventSeqs(t *testing.T, ctx context.Context, dsn, partner string) []int64 {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT seq FROM events WHERE partner_id = $1 ORDER BY seq`, partner)
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}
