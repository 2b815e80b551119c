package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/delivery"
)

// BenchmarkLifecycleWebhooks measures the store's side of webhook
// delivery: concurrent start-and-end cycles of the demo partner's users,
// with no endpoint and with one, whose deliveries a dispatcher that sends
// nothing takes over in memory and records as delivered — the rows, the
// lease, the records and the rendering, without HTTP. ns/op is per cycle
// (two writes, two events).
//
//	go test ./sqlite -run '^$' -bench LifecycleWebhooks -benchtime 4000x -count 3
func BenchmarkLifecycleWebhooks(b *testing.B) {
	for _, n := range []int{0, 1} {
		b.Run(fmt.Sprintf("endpoints=%d", n), func(b *testing.B) { benchLifecycleWebhooks(b, n) })
	}
}

func benchLifecycleWebhooks(b *testing.B, endpoints int) {
	ctx := b.Context()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "coord.db"), coord.StoreConfig{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var eps []delivery.Endpoint
	for i := range endpoints {
		eps = append(eps, delivery.Endpoint{PartnerID: "demo", WebhookID: fmt.Sprintf("e%d", i), Fingerprint: "f"})
	}
	sq, err := db.WebhookQueue(ctx, eps, handoffRender)
	if err != nil {
		b.Fatal(err)
	}
	q := sq.(*WebhookQueue)
	h := &recordingHandoff{q: q}
	q.SetHandoff(h)
	defer q.SetHandoff(nil)
	loc, _ := catalog.Demo().Location("downtown-garage")
	const users = 32
	us := make([]*coord.User, users)
	for i := range us {
		u, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "demo", ExternalUID: fmt.Sprint("u", i), Test: true})
		if err != nil {
			b.Fatal(err)
		}
		us[i] = u
	}
	var next atomic.Int64
	b.SetParallelism(users / 2) // 2 cores here: 32 writers in all
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		u := us[next.Add(1)-1]
		for pb.Next() {
			s, _, err := db.CreateSession(ctx, coord.NewSession{UserID: u.UserID, LocationID: loc.ID, Currency: "USD"})
			if err != nil {
				b.Error(err)
				return
			}
			if _, _, err := db.EndSession(ctx, coord.SessionRef{UserID: u.UserID, LocationID: loc.ID, ID: s.ID}, *loc.Price); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if endpoints > 0 {
		deadline := time.Now().Add(10 * time.Second)
		for h.recorded.Load() < int64(2*b.N*endpoints) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if got := h.recorded.Load(); got < int64(2*b.N*endpoints) {
			b.Fatalf("%d of %d deliveries recorded", got, 2*b.N*endpoints)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// recordingHandoff takes every delivery written and records it delivered
// at once, each from its own goroutine as the dispatcher's attempts do.
type recordingHandoff struct {
	q        *WebhookQueue
	recorded atomic.Int64
}

func (h *recordingHandoff) Reserve(written map[string]int) *delivery.Reservation {
	return &delivery.Reservation{At: time.Now(), Lease: time.Minute, Room: written}
}

func (h *recordingHandoff) Deliver(_ *delivery.Reservation, leased []delivery.Delivery, _ bool) {
	for _, d := range leased {
		go func() {
			o := delivery.Outcome{State: delivery.Delivered, AttemptedAt: time.Now(), StatusCode: 204, Latency: time.Millisecond}
			if err := h.q.Record(context.Background(), d, o); err == nil {
				h.recorded.Add(1)
			}
		}()
	}
}

func (h *recordingHandoff) Release(*delivery.Reservation, bool) {}
