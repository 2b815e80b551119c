package delivery

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"sync"
	"time"

	"github.com/coordapi/coord"
)

// Defaults of a Dispatcher.
const (
	DefaultConcurrency = 128
	DefaultPerEndpoint = 16
	DefaultPoll        = time.Second
	DefaultJitter      = 0.1

	recordTimeout = 10 * time.Second // a store that hangs must not hold a worker (or shutdown) forever
)

// Dispatcher claims due deliveries from a Queue and attempts them, with at
// most Concurrency attempts (and their records) in flight and at most
// PerEndpoint requests to any one endpoint, so an endpoint that hangs holds
// PerEndpoint workers and no more while the others are served. Every
// replica runs one; the queue's leases keep two from attempting the same
// delivery at once.
//
// Claims are made in chunks: besides the attempts in flight, up to
// PerEndpoint claimed deliveries per endpoint wait in memory for a worker,
// and an endpoint is claimed for again only once half of that reserve is
// used (or it has nothing waiting and a worker free). A claim is a
// transaction, on SQLite one on the single writer the API's commits also
// need; claiming one delivery per attempt that ends cost more than the
// attempts. The trade-off: deliveries waiting in memory when the
// dispatcher stops are attempted only once their lease runs out (by
// whichever replica claims them then), and one waits at most one
// attempt's time before it starts. Without the room for that wait in the
// lease (Lease ≥ the sender's timeout plus 10 s, the time a record may
// take), there is no reserve.
type Dispatcher struct {
	Queue     Queue
	Sender    *Sender
	Endpoints []*coord.Webhook // the catalog's; a delivery for an id not here fails
	Schedule  Schedule         // nil: DefaultSchedule

	Concurrency int           // 0: DefaultConcurrency
	PerEndpoint int           // 0: the Queue's, if a PerEndpointer, else DefaultPerEndpoint
	Poll        time.Duration // how often to look for due deliveries without a Wake; 0: DefaultPoll
	// Lease is how long a claim holds; it must outlast an attempt and its
	// Record. 0: twice the sender's timeout plus 30 s.
	Lease time.Duration
	// Jitter adds a random fraction (up to Jitter) to each retry's delay,
	// so that retries after an outage do not arrive all at once, as the
	// specification recommends. Only added: Retry-After and the schedule
	// stay lower bounds. 0: DefaultJitter; negative: none.
	Jitter float64

	Log   *slog.Logger // nil: slog.Default()
	Clock coord.Clock  // dates claims (give the Sender the same, WithClock); nil: coord.SystemClock
	// OnOutcome, if set, is called after each attempt is recorded (metrics).
	OnOutcome func(Delivery, Outcome)

	wakeOnce sync.Once
	wake     chan struct{}
}

// Wake makes the dispatcher look for due deliveries now, e.g. after a
// commit that wrote some. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wakeChan() <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) wakeChan() chan struct{} {
	d.wakeOnce.Do(func() { d.wake = make(chan struct{}, 1) })
	return d.wake
}

// Run dispatches until ctx is done, then waits for the attempts in
// flight (each bounded by the sender's timeout) and returns. Attempts are
// not cancelled by ctx: an attempt cut short would only be made again.
func (d *Dispatcher) Run(ctx context.Context) {
	r := d.runner()
	defer r.inflight.Wait()
	if hq, ok := d.Queue.(HandoffQueue); ok {
		r.handoff, r.scan = true, true
		hq.SetHandoff(r)
		defer hq.SetHandoff(nil) // what it hands over after this waits for its lease to run out
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-d.wakeChan():
		case <-r.done:
		}
		full := r.claimAndStart(ctx)
		if full { // (Go 1.23 timers: Reset needs no draining)
			timer.Reset(0) // every worker asked for was given one: more may be due
		} else {
			timer.Reset(r.poll)
		}
	}
}

// runner is one Run's state.
type runner struct {
	*Dispatcher
	sched                    Schedule
	concurrency, perEndpoint int
	poll, lease              time.Duration
	jitter                   float64
	log                      *slog.Logger
	clock                    coord.Clock
	endpoints                map[string]*coord.Webhook
	hosts                    map[string]string // per endpoint, its URL's host: what a failed attempt's log names

	mu       sync.Mutex
	busy     map[string]int  // attempts in flight per endpoint
	disabled map[string]bool // endpoints that answered 410 Gone
	total    int
	done     chan struct{}
	inflight sync.WaitGroup

	// ready are claimed (or handed over) deliveries waiting for a worker,
	// per endpoint. reserve is how many an endpoint may have waiting,
	// maxWait how long one may wait and still be attempted within its
	// lease.
	ready   map[string][]claimed
	readyN  int
	reserve int
	maxWait time.Duration

	// With a HandoffQueue (handoff.go): held are the places reserved by
	// transactions not yet committed, per endpoint; scan says a Claim may
	// find something, scannedAt when the last one was made.
	handoff   bool
	held      map[string]int
	heldN     int
	scan      bool
	scannedAt time.Time
}

// claimed is a delivery in ready, with when it was claimed.
type claimed struct {
	Delivery
	at time.Time
}

// PerEndpointLimit is the PerEndpoint the dispatcher runs with: PerEndpoint,
// else the Queue's (a PerEndpointer), else DefaultPerEndpoint.
func (d *Dispatcher) PerEndpointLimit() int {
	if d.PerEndpoint > 0 {
		return d.PerEndpoint
	}
	if h, ok := d.Queue.(PerEndpointer); ok && h.PerEndpoint() > 0 {
		return h.PerEndpoint()
	}
	return DefaultPerEndpoint
}

func (d *Dispatcher) runner() *runner {
	r := &runner{Dispatcher: d, sched: d.Schedule, concurrency: d.Concurrency, perEndpoint: d.PerEndpointLimit(),
		poll: d.Poll, lease: d.Lease, jitter: d.Jitter, log: d.Log, clock: d.Clock,
		endpoints: map[string]*coord.Webhook{}, hosts: map[string]string{}, busy: map[string]int{}, disabled: map[string]bool{},
		done: make(chan struct{}, 1), ready: map[string][]claimed{}, held: map[string]int{}}
	if r.sched == nil {
		r.sched = DefaultSchedule
	}
	if r.concurrency <= 0 {
		r.concurrency = DefaultConcurrency
	}
	if r.poll <= 0 {
		r.poll = DefaultPoll
	}
	if r.lease <= 0 {
		r.lease = 2*d.Sender.Timeout() + 30*time.Second
	}
	switch {
	case r.jitter == 0:
		r.jitter = DefaultJitter
	case r.jitter < 0:
		r.jitter = 0
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.clock == nil {
		r.clock = coord.SystemClock{}
	}
	for _, w := range d.Endpoints {
		r.endpoints[w.ID] = w
		if u, err := url.Parse(w.URL); err == nil {
			r.hosts[w.ID] = u.Host
		}
	}
	if r.maxWait = r.lease - d.Sender.Timeout() - recordTimeout; r.maxWait > 0 {
		r.reserve = r.perEndpoint
	}
	return r
}

// want is what to claim: per endpoint, room for its attempts in flight and
// its reserve, once half the reserve is used or nothing waits while a
// worker is free — so that claims come in chunks, and no endpoint's
// backlog takes every worker — and in all (limit) no more than that, nor
// than room for Concurrency in flight and as many waiting.
func (r *runner) want() (limit int, want map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now()
	if !r.claimDue(now) {
		return 0, nil
	}
	limit = r.concurrency - r.total - r.readyN - r.heldN
	if r.reserve > 0 {
		limit += r.concurrency
	}
	want = map[string]int{}
	for _, w := range r.Endpoints {
		if r.disabled[w.ID] {
			continue
		}
		busy, waiting := r.busy[w.ID], len(r.ready[w.ID])+r.held[w.ID]
		room := min(r.perEndpoint+r.reserve-busy-waiting, limit)
		if room > 0 && (room >= max(r.reserve/2, 1) || waiting == 0 && busy < r.perEndpoint) {
			want[w.ID] = room
		}
	}
	asked := 0
	for _, n := range want {
		asked += n
	}
	if limit = min(limit, asked); limit > 0 && r.handoff {
		r.scan, r.scannedAt = false, now // set again if the claim fills (or fails)
	}
	return limit, want
}

// claimAndStart starts what waits, claims what want says and starts what it
// can of that; it reports whether the queue filled every place asked for.
func (r *runner) claimAndStart(ctx context.Context) bool {
	r.startReady(ctx)
	limit, want := r.want()
	if limit <= 0 {
		return false
	}
	now := r.clock.Now()
	ds, err := r.Queue.Claim(ctx, ClaimRequest{Now: now, Lease: r.lease, Limit: limit, Want: want})
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("webhook deliveries: claim failed", "error", err)
		}
		r.mu.Lock()
		r.scan = true
		r.mu.Unlock()
		return false
	}
	got := map[string]int{}
	r.mu.Lock()
	for _, dl := range ds {
		r.ready[dl.WebhookID] = append(r.ready[dl.WebhookID], claimed{dl, now})
		got[dl.WebhookID]++
	}
	r.readyN += len(ds)
	for id, n := range want {
		if got[id] >= n || len(ds) >= limit {
			r.scan = true // an endpoint had as many as asked: more may be due
		}
	}
	r.mu.Unlock()
	r.startReady(ctx)
	return len(ds) >= limit
}

// startReady starts the waiting deliveries that workers are free for. One
// that waited too long to be attempted within its lease is left for its
// lease to run out, and those of a disabled endpoint are dropped alike.
func (r *runner) startReady(ctx context.Context) {
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, list := range r.ready {
		for len(list) > 0 && r.busy[id] < r.perEndpoint && r.total < r.concurrency {
			dl := list[0]
			list = list[1:]
			r.readyN--
			if r.disabled[id] || now.Sub(dl.at) > r.maxWait && r.reserve > 0 {
				continue
			}
			r.busy[id]++
			r.total++
			r.inflight.Add(1)
			go r.attempt(context.WithoutCancel(ctx), dl.Delivery)
		}
		if r.disabled[id] {
			r.readyN -= len(list)
			list = nil
		}
		if len(list) == 0 {
			delete(r.ready, id)
		} else {
			r.ready[id] = list
		}
	}
}

// attempt makes one attempt and records it. The endpoint's place is freed
// as soon as the endpoint has answered, before the record, which waits for
// the store and not for the endpoint: PerEndpoint bounds the requests an
// endpoint has to serve at once. Concurrency bounds attempts and records.
func (r *runner) attempt(ctx context.Context, dl Delivery) {
	defer func() {
		r.mu.Lock()
		r.total--
		r.mu.Unlock()
		r.inflight.Done()
		r.signalFree()
	}()
	var o Outcome
	if w, ok := r.endpoints[dl.WebhookID]; ok {
		o = Decide(r.Sender.Send(ctx, w, dl.EventID, dl.Body), dl.Attempt, r.sched)
		if o.State == Retrying && r.jitter > 0 {
			delay := o.NextAttempt.Sub(o.AttemptedAt.Add(o.Latency))
			o.NextAttempt = o.NextAttempt.Add(time.Duration(rand.Float64() * r.jitter * float64(delay)))
		}
	} else {
		o = Outcome{State: Failed, AttemptedAt: r.clock.Now(), Error: "the webhook is no longer in the catalog"}
	}
	r.freeEndpoint(dl.WebhookID, o.State == Disabled)
	if o.State != Delivered {
		// Only the host: a URL's path or query may carry the partner's token.
		r.log.Warn("webhook attempt failed", "webhook", dl.WebhookID, "host", r.hosts[dl.WebhookID], "event_id", dl.EventID,
			"attempt", dl.Attempt, "status", o.StatusCode, "error", o.Error, "outcome", string(o.State),
			"next_attempt", o.NextAttempt)
	}
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	if err := r.Queue.Record(ctx, dl, o); err != nil {
		// Either way the delivery is attempted again (at least once): by
		// whoever holds the newer claim, or once this lease runs out.
		level := slog.LevelError
		if errors.Is(err, ErrStaleClaim) {
			level = slog.LevelWarn
		}
		r.log.Log(ctx, level, "webhook deliveries: record failed", "webhook", dl.WebhookID, "event_id", dl.EventID, "error", err)
		return
	}
	if r.OnOutcome != nil {
		r.OnOutcome(dl, o)
	}
}

// freeEndpoint gives back an endpoint's place once it has answered (and,
// on a 410, disables it before another attempt can start).
func (r *runner) freeEndpoint(id string, disable bool) {
	r.mu.Lock()
	if r.busy[id]--; r.busy[id] <= 0 {
		delete(r.busy, id)
	}
	if disable {
		r.disabled[id] = true
	}
	r.mu.Unlock()
	r.signalFree()
}

// signalFree tells Run a worker or an endpoint's place is free: look for more.
func (r *runner) signalFree() {
	select {
	case r.done <- struct{}{}:
	default:
	}
}
