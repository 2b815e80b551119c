package delivery_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/delivery/deliverytest"
	"github.com/coordapi/coord/internal/apitest"
)

// start runs d until the test ends and returns its log.
func start(t *testing.T, d *delivery.Dispatcher) *apitest.SyncBuffer {
	t.Helper()
	logs := &apitest.SyncBuffer{}
	d.Log = slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return logs
}

// single is a dispatcher with the fast schedule for one endpoint.
func single(t *testing.T, q delivery.Queue, id, url string) *delivery.Dispatcher {
	t.Helper()
	return &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(), Endpoints: []*coord.Webhook{endpoint(t, id, url)},
		Schedule: fast, Poll: 5 * time.Millisecond}
}

// fast is a schedule of ten attempts a few milliseconds apart.
var fast = delivery.DefaultSchedule.Scale(0.0002) // 1 ms … 17 s: the first retries are immediate

func TestARedeliveryAfterFailuresKeepsItsIDAndEveryAttemptIsSigned(t *testing.T) {
	var mu sync.Mutex
	var ids []string
	srv := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if _, err := webhook.Verify([]string{secret}, r.Header, b); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		ids = append(ids, r.Header.Get(webhook.HeaderID))
		if len(ids) < 3 {
			http.Error(w, "not yet", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	q := deliverytest.NewMemoryQueue()
	q.Add("hook", "evt_1", body)
	start(t, single(t, q, "hook", srv.URL))
	got := q.Wait(3, 5*time.Second)
	if len(got) != 3 || got[0].State != delivery.Retrying || got[1].State != delivery.Retrying || got[2].State != delivery.Delivered {
		t.Fatalf("outcomes %+v", got)
	}
	if got[0].StatusCode != 500 || got[0].Error != "HTTP 500" || got[2].Error != "" {
		t.Fatalf("outcomes %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(ids, ",") != "evt_1,evt_1,evt_1" {
		t.Fatalf("webhook-ids %v: a redelivery must keep its id", ids)
	}
}

func TestAHangingEndpointDoesNotDelayAHealthyOne(t *testing.T) {
	stop := make(chan struct{})
	slow := receiver(t, func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	var healthyAt sync.Map
	healthy := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		healthyAt.Store(r.Header.Get(webhook.HeaderID), time.Now())
		w.WriteHeader(http.StatusNoContent)
	})
	q := deliverytest.NewMemoryQueue()
	for i := range 40 { // the hanging endpoint's backlog first: oldest
		q.Add("slow", fmt.Sprintf("evt_s%d", i), body)
	}
	for i := range 20 {
		q.Add("healthy", fmt.Sprintf("evt_h%d", i), body)
	}
	begin := time.Now()
	start(t, &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(delivery.WithTimeout(3 * time.Second)),
		Endpoints:   []*coord.Webhook{endpoint(t, "slow", slow.URL), endpoint(t, "healthy", healthy.URL)},
		Concurrency: 4, PerEndpoint: 2, Poll: 10 * time.Millisecond})
	got := q.Wait(20, 2*time.Second)
	if len(got) != 20 {
		t.Fatalf("%d of the healthy endpoint's 20 deliveries in 2 s while the other hangs for 3 s each", len(got))
	}
	for _, o := range got {
		if o.State != delivery.Delivered {
			t.Fatalf("a delivery to the healthy endpoint: %+v", o)
		}
	}
	last := time.Duration(0)
	healthyAt.Range(func(_, v any) bool { last = max(last, v.(time.Time).Sub(begin)); return true })
	t.Logf("the healthy endpoint had its 20 deliveries %v after the start", last)
	close(stop) // let the hanging attempts end before the dispatcher is stopped
}

func TestConcurrencyIsBoundedInAllAndPerEndpoint(t *testing.T) {
	var total, peak atomic.Int32
	var mu sync.Mutex
	perPeak, per := map[string]int{}, map[string]int{}
	var endpoints []*coord.Webhook
	q := deliverytest.NewMemoryQueue()
	for e := range 5 {
		id := fmt.Sprintf("e%d", e)
		srv := receiver(t, func(w http.ResponseWriter, r *http.Request) {
			n := total.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			mu.Lock()
			per[id]++
			perPeak[id] = max(perPeak[id], per[id])
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			mu.Lock()
			per[id]--
			mu.Unlock()
			total.Add(-1)
			w.WriteHeader(http.StatusOK)
		})
		endpoints = append(endpoints, endpoint(t, id, srv.URL))
		for i := range 12 {
			q.Add(id, fmt.Sprintf("evt_%s_%d", id, i), body)
		}
	}
	start(t, &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(), Endpoints: endpoints,
		Concurrency: 6, PerEndpoint: 3, Poll: 5 * time.Millisecond})
	if got := q.Wait(60, 10*time.Second); len(got) != 60 {
		t.Fatalf("%d of 60 delivered", len(got))
	}
	if p := peak.Load(); p > 6 || p < 4 {
		t.Fatalf("%d attempts at once, want at most 6 (and enough to use them)", p)
	}
	for id, p := range perPeak {
		if p > 3 {
			t.Fatalf("%d attempts at once to %s, want at most 3", p, id)
		}
	}
}

// pacedQueue is a memory queue with its own default per endpoint.
type pacedQueue struct {
	*deliverytest.MemoryQueue
	perEndpoint int
}

func (q pacedQueue) PerEndpoint() int { return q.perEndpoint }

func TestWithoutPerEndpointTheQueuesOwnIsTheCap(t *testing.T) {
	var per, peak atomic.Int32
	srv := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		n := per.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		per.Add(-1)
		w.WriteHeader(http.StatusOK)
	})
	q := pacedQueue{deliverytest.NewMemoryQueue(), 3}
	for i := range 24 {
		q.Add("e", fmt.Sprintf("evt_%d", i), body)
	}
	d := &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(), Endpoints: []*coord.Webhook{endpoint(t, "e", srv.URL)},
		Concurrency: 20, Poll: 5 * time.Millisecond}
	if n := d.PerEndpointLimit(); n != 3 {
		t.Fatalf("PerEndpointLimit %d, want the queue's 3", n)
	}
	start(t, d)
	if got := q.Wait(24, 10*time.Second); len(got) != 24 {
		t.Fatalf("%d of 24 delivered", len(got))
	}
	if p := peak.Load(); p != 3 {
		t.Fatalf("%d attempts at once to the endpoint, want the queue's 3", p)
	}
}

func TestIdleEndpointsDoNotHoldBackABusyOne(t *testing.T) {
	srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	q := deliverytest.NewMemoryQueue()
	var endpoints []*coord.Webhook
	for i := range 20 { // more idle endpoints than workers, listed first
		endpoints = append(endpoints, endpoint(t, fmt.Sprintf("idle%d", i), srv.URL))
	}
	endpoints = append(endpoints, endpoint(t, "busy", srv.URL))
	for i := range 20 {
		q.Add("busy", fmt.Sprintf("evt_%d", i), body)
	}
	start(t, &delivery.Dispatcher{Queue: q, Sender: delivery.NewSender(), Endpoints: endpoints,
		Concurrency: 4, PerEndpoint: 4, Poll: time.Minute})
	if got := q.Wait(20, 2*time.Second); len(got) != 20 {
		t.Fatalf("%d of 20 delivered in 2 s", len(got))
	}
}

func TestGoneDisablesTheEndpoint(t *testing.T) {
	var hits atomic.Int32
	srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusGone)
	})
	q := deliverytest.NewMemoryQueue()
	for i := range 5 {
		q.Add("gone", fmt.Sprintf("evt_%d", i), body)
	}
	d := single(t, q, "gone", srv.URL)
	d.PerEndpoint = 1
	start(t, d)
	got := q.Wait(1, 2*time.Second)
	if len(got) != 1 || got[0].State != delivery.Disabled {
		t.Fatalf("outcomes %+v", got)
	}
	time.Sleep(100 * time.Millisecond)
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d requests to an endpoint that answered 410", n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var mu sync.Mutex
	var at []time.Time
	srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		at = append(at, time.Now())
		if len(at) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	q := deliverytest.NewMemoryQueue()
	q.Add("busy", "evt_1", body)
	start(t, single(t, q, "busy", srv.URL))
	got := q.Wait(2, 5*time.Second)
	if len(got) != 2 || got[0].State != delivery.Retrying || got[1].State != delivery.Delivered {
		t.Fatalf("outcomes %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if gap := at[1].Sub(at[0]); gap < time.Second {
		t.Fatalf("retried %v after a 429 asking for 1 s (the schedule alone says %v)", gap, fast[0])
	}
}

func TestAFailedAttemptIsLoggedByHostWithoutSecrets(t *testing.T) {
	srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	q := deliverytest.NewMemoryQueue()
	q.Add("hook", "evt_1", body)
	d := single(t, q, "hook", srv.URL+"/partner/path?token=query-secret")
	var outcomes atomic.Int32
	d.OnOutcome = func(delivery.Delivery, delivery.Outcome) { outcomes.Add(1) }
	logs := start(t, d)
	if got := q.Wait(1, 2*time.Second); len(got) != 1 || got[0].State != delivery.Retrying {
		t.Fatalf("outcomes %+v", got)
	}
	time.Sleep(20 * time.Millisecond)
	out := logs.String()
	host := strings.TrimPrefix(srv.URL, "http://")
	if !strings.Contains(out, "webhook attempt failed") || !strings.Contains(out, "host="+host) || !strings.Contains(out, "status=502") {
		t.Fatalf("log %q", out)
	}
	for _, leak := range []string{"query-secret", "/partner/path", strings.TrimPrefix(secret, "whsec_"), "v1,"} {
		if strings.Contains(out, leak) {
			t.Fatalf("the log holds %q: %s", leak, out)
		}
	}
	if outcomes.Load() == 0 {
		t.Fatal("OnOutcome was not called")
	}
}

func TestRunWaitsForAttemptsInFlight(t *testing.T) {
	release := make(chan struct{})
	var answered atomic.Bool
	srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
		<-release
		answered.Store(true)
		w.WriteHeader(http.StatusOK)
	})
	q := deliverytest.NewMemoryQueue()
	q.Add("hook", "evt_1", body)
	d := single(t, q, "hook", srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	time.Sleep(50 * time.Millisecond) // the attempt is in flight
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned with an attempt in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-done
	if got := q.Outcomes(1); !answered.Load() || len(got) != 1 || got[0].State != delivery.Delivered {
		t.Fatalf("the attempt in flight at shutdown: %+v", got)
	}
}

// strayQueue also hands out deliveries for endpoints it was not asked about.
type strayQueue struct{ *deliverytest.MemoryQueue }

func (q strayQueue) Claim(ctx context.Context, req delivery.ClaimRequest) ([]delivery.Delivery, error) {
	req.Want["removed"] = 1
	return q.MemoryQueue.Claim(ctx, req)
}

func TestADeliveryForAnEndpointNoLongerInTheCatalogFails(t *testing.T) {
	q := deliverytest.NewMemoryQueue()
	q.Add("removed", "evt_1", body)
	start(t, single(t, strayQueue{q}, "other", "http://127.0.0.1:1/"))
	if got := q.Wait(1, 2*time.Second); len(got) != 1 || got[0].State != delivery.Failed || !strings.Contains(got[0].Error, "no longer in the catalog") {
		t.Fatalf("outcomes %+v", got)
	}
}

// staleQueue refuses every record, as a queue does once a lease ran out
// and another replica claimed the delivery.
type staleQueue struct {
	*deliverytest.MemoryQueue
	tried atomic.Int32
}

func (q *staleQueue) Record(context.Context, delivery.Delivery, delivery.Outcome) error {
	q.tried.Add(1)
	return delivery.ErrStaleClaim
}

func TestARecordRefusedAsStaleIsAWarningAndNotAnOutcome(t *testing.T) {
	srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	q := &staleQueue{MemoryQueue: deliverytest.NewMemoryQueue()}
	q.Add("hook", "evt_1", body)
	d := single(t, q, "hook", srv.URL)
	d.Lease = time.Hour // no second claim within the test
	var outcomes atomic.Int32
	d.OnOutcome = func(delivery.Delivery, delivery.Outcome) { outcomes.Add(1) }
	logs := start(t, d)
	deadline := time.Now().Add(2 * time.Second)
	for q.tried.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if out := logs.String(); q.tried.Load() != 1 || !strings.Contains(out, "level=WARN") || !strings.Contains(out, "record failed") ||
		strings.Contains(out, "level=ERROR") || outcomes.Load() != 0 {
		t.Fatalf("%d records tried, %d outcomes, log %s", q.tried.Load(), outcomes.Load(), out)
	}
}

func TestRetriesAreSpreadByJitterButNeverEarly(t *testing.T) {
	srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	for _, c := range []struct {
		jitter float64
		spread bool
	}{{0.5, true}, {-1, false}} {
		q := deliverytest.NewMemoryQueue()
		for i := range 20 {
			q.Add("hook", fmt.Sprintf("evt_%d", i), body)
		}
		d := single(t, q, "hook", srv.URL)
		d.Schedule = delivery.Schedule{10 * time.Second}
		d.Jitter = c.jitter
		d.PerEndpoint = 20
		start(t, d)
		got := q.Wait(20, 3*time.Second)
		if len(got) != 20 {
			t.Fatalf("jitter %v: %d outcomes", c.jitter, len(got))
		}
		distinct := map[time.Duration]bool{}
		for _, o := range got {
			delay := o.NextAttempt.Sub(o.AttemptedAt.Add(o.Latency))
			if o.State != delivery.Retrying || delay < 10*time.Second || delay > 15*time.Second {
				t.Fatalf("jitter %v: %+v, a delay of %v", c.jitter, o, delay)
			}
			distinct[delay] = true
		}
		if spread := len(distinct) > 1; spread != c.spread {
			t.Fatalf("jitter %v: %d distinct delays", c.jitter, len(distinct))
		}
	}
}

// countingQueue counts claims and what they returned.
type countingQueue struct {
	*deliverytest.MemoryQueue
	claims, claimed atomic.Int32
}

func (q *countingQueue) Claim(ctx context.Context, req delivery.ClaimRequest) ([]delivery.Delivery, error) {
	ds, err := q.MemoryQueue.Claim(ctx, req)
	if len(ds) > 0 {
		q.claims.Add(1)
		q.claimed.Add(int32(len(ds)))
	}
	return ds, err
}

// A backlog is claimed in chunks, not one delivery per attempt that ends,
// while attempts in flight stay within PerEndpoint.
func TestABacklogIsClaimedInChunks(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(time.Millisecond)
		inFlight.Add(-1)
		w.WriteHeader(http.StatusOK)
	})
	q := &countingQueue{MemoryQueue: deliverytest.NewMemoryQueue()}
	const n = 400
	for i := range n {
		q.Add("hook", fmt.Sprintf("evt_%d", i), body)
	}
	d := single(t, q, "hook", srv.URL)
	d.PerEndpoint = 8
	start(t, d)
	if got := q.Wait(n, 10*time.Second); len(got) != n {
		t.Fatalf("%d of %d delivered", len(got), n)
	}
	if c := q.claims.Load(); c > n/4 || q.claimed.Load() != n {
		t.Fatalf("%d deliveries claimed in %d claims, want %d in at most %d", q.claimed.Load(), c, n, n/4)
	}
	if p := peak.Load(); p > 8 {
		t.Fatalf("%d attempts at once, want at most 8", p)
	}
	t.Logf("%d deliveries in %d claims", n, q.claims.Load())
}

// A claimed delivery that waited in memory past what its lease leaves for
// an attempt is not attempted: its lease runs out and it is claimed again.
func TestAClaimWaitingPastItsLeaseIsNotAttempted(t *testing.T) {
	var hits atomic.Int32
	release := make(chan struct{})
	var releaseOnce sync.Once
	srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		<-release
		w.WriteHeader(http.StatusOK)
	})
	// Before the receiver closes (cleanups run last first), even on failure.
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	q := &countingQueue{MemoryQueue: deliverytest.NewMemoryQueue()}
	q.Add("hook", "evt_1", body)
	q.Add("hook", "evt_2", body)
	// A lease that leaves 50 ms for waiting: the sender's 1 s, a record's
	// 10 s, and 50 ms.
	d := single(t, q, "hook", srv.URL)
	d.Sender = delivery.NewSender(delivery.WithTimeout(time.Second))
	d.Lease = 11*time.Second + 50*time.Millisecond
	d.PerEndpoint = 1
	start(t, d)
	deadline := time.Now().Add(2 * time.Second)
	for (q.claimed.Load() < 2 || hits.Load() < 1) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if q.claimed.Load() != 2 || hits.Load() != 1 {
		t.Fatalf("%d claimed, %d attempted: want both claimed, one attempted (one worker)", q.claimed.Load(), hits.Load())
	}
	time.Sleep(200 * time.Millisecond) // the second waits past its 50 ms
	releaseOnce.Do(func() { close(release) })
	if got := q.Wait(1, 2*time.Second); len(got) != 1 {
		t.Fatalf("%d outcomes", len(got))
	}
	time.Sleep(100 * time.Millisecond)
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d attempts: the one that waited too long was attempted", n)
	}
}
