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
	DefaultConcurrency = 64
	DefaultPerEndpoint = 16
	DefaultPoll        = time.Second
	DefaultJitter      = 0.1

	recordTimeout = 10 * time.Second // a store that hangs must not hold a worker (or shutdown) forever
)

// Dispatcher claims due deliveries from a Queue and attempts them, with at
// most Concurrency attempts in flight and at most PerEndpoint for any one
// endpoint, so an endpoint that hangs holds PerEndpoint workers and no
// more while the others are served. Every replica runs one; the queue's
// leases keep two from attempting the same delivery at once.
type Dispatcher struct {
	Queue     Queue
	Sender    *Sender
	Endpoints []*coord.Webhook // the catalog's; a delivery for an id not here fails
	Schedule  Schedule         // nil: DefaultSchedule

	Concurrency int           // 0: DefaultConcurrency
	PerEndpoint int           // 0: DefaultPerEndpoint
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

	mu       sync.Mutex
	busy     map[string]int // attempts in flight per endpoint
	total    int
	done     chan struct{}
	inflight sync.WaitGroup
}

func (d *Dispatcher) runner() *runner {
	r := &runner{Dispatcher: d, sched: d.Schedule, concurrency: d.Concurrency, perEndpoint: d.PerEndpoint,
		poll: d.Poll, lease: d.Lease, jitter: d.Jitter, log: d.Log, clock: d.Clock,
		endpoints: map[string]*coord.Webhook{}, busy: map[string]int{}, done: make(chan struct{}, 1)}
	if r.sched == nil {
		r.sched = DefaultSchedule
	}
	if r.concurrency <= 0 {
		r.concurrency = DefaultConcurrency
	}
	if r.perEndpoint <= 0 {
		r.perEndpoint = DefaultPerEndpoint
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
	}
	return r
}

// want is what the free workers can take: in all, and per endpoint below
// its own limit, so that no endpoint's backlog takes them all.
func (r *runner) want() (limit int, want map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	free := r.concurrency - r.total
	want = map[string]int{}
	for _, w := range r.Endpoints {
		if n := min(r.perEndpoint-r.busy[w.ID], free); n > 0 {
			want[w.ID] = n
		}
	}
	return free, want
}

// claimAndStart claims what the free workers can take and starts an
// attempt for each; it reports whether the queue filled every place asked for.
func (r *runner) claimAndStart(ctx context.Context) bool {
	limit, want := r.want()
	if limit <= 0 || len(want) == 0 {
		return false
	}
	ds, err := r.Queue.Claim(ctx, ClaimRequest{Now: r.clock.Now(), Lease: r.lease, Limit: limit, Want: want})
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("webhook deliveries: claim failed", "error", err)
		}
		return false
	}
	for _, dl := range ds {
		r.mu.Lock()
		r.busy[dl.WebhookID]++
		r.total++
		r.mu.Unlock()
		r.inflight.Add(1)
		go r.attempt(context.WithoutCancel(ctx), dl)
	}
	return len(ds) >= limit
}

func (r *runner) attempt(ctx context.Context, dl Delivery) {
	defer func() {
		r.mu.Lock()
		if r.busy[dl.WebhookID]--; r.busy[dl.WebhookID] <= 0 {
			delete(r.busy, dl.WebhookID)
		}
		r.total--
		r.mu.Unlock()
		r.inflight.Done()
		select { // a worker is free: look for more
		case r.done <- struct{}{}:
		default:
		}
	}()
	var o Outcome
	host := ""
	if w, ok := r.endpoints[dl.WebhookID]; ok {
		if u, err := url.Parse(w.URL); err == nil {
			host = u.Host
		}
		o = Decide(r.Sender.Send(ctx, w, dl.EventID, dl.Body), dl.Attempt, r.sched)
		if o.State == Retrying && r.jitter > 0 {
			delay := o.NextAttempt.Sub(o.AttemptedAt.Add(o.Latency))
			o.NextAttempt = o.NextAttempt.Add(time.Duration(rand.Float64() * r.jitter * float64(delay)))
		}
	} else {
		o = Outcome{State: Failed, AttemptedAt: r.clock.Now(), Error: "the webhook is no longer in the catalog"}
	}
	if o.State != Delivered {
		// Only the host: a URL's path or query may carry the partner's token.
		r.log.Warn("webhook attempt failed", "webhook", dl.WebhookID, "host", host, "event_id", dl.EventID,
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
