// Package live holds requests that wait for a change (get_session with
// wait, list_events with wait) and wakes them when one commits.
//
// A held request costs a goroutine and a channel, nothing else: it re-reads
// the database only when a change it cares about is published, at a time
// the caller names (a session's due settlement), on a slow safety re-check,
// and never depends on a notification for correctness, since every wake-up
// re-reads.
package live

import (
	"context"
	"maps"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coordapi/coord"
)

// DefaultRecheck is about how often a held request re-reads the database
// when nothing woke it: a bound on the delay a lost notification can cause.
// The interval is jittered by ±25% so that requests held together do not
// re-read together, and stretched when many are held so that all of them
// together re-read at most maxRechecks times a second (10,000 held: every
// 200 s, so in practice only when their wait ends), which keeps an idle
// server idle. The interval is the one of when the re-check comes due, not
// of when it was scheduled: requests held while few were are not re-read
// early once many are. Parked requests are re-checked by one sweeper, the
// one read longest ago first (park.go); a blocked one (Hold) by its own
// timer, postponed when it comes early. Every wait re-reads at its end
// anyway.
const DefaultRecheck = 20 * time.Second

// DefaultMaxWaiters is users-server's default --max-waiters.
const DefaultMaxWaiters = 15000

// maxRechecks bounds the safety re-reads of all held requests, per second.
const maxRechecks = 50

// Key is what a waiter waits for: one session's changes (SessionID set), or
// any event of a partner (PartnerID set).
type Key struct {
	SessionID int64
	PartnerID string
}

// Hub tracks the held requests of one process.
type Hub struct {
	max     int
	recheck time.Duration
	now     func() time.Time

	mu       sync.Mutex
	waiters  map[Key]map[*waiter]struct{}
	held     int
	closed   chan struct{}
	isClosed bool

	// Parked requests by last read, oldest first, and whether the sweeper
	// re-checking them runs (park.go).
	oldest, newest *parked
	sweeping       bool

	appended         map[coord.EventType]uint64
	wakeups, refused atomic.Uint64
	answering        sync.WaitGroup // parked requests not answered yet
}

// waiter is one held request: a goroutine blocked in Hold (wake), or a
// parked one without a goroutine (kick starts its re-read).
type waiter struct {
	wake chan struct{}
	kick func()
}

// New returns a hub holding at most maxWaiters requests at once, re-checking
// every recheck (DefaultRecheck if 0), with now the clock of the stores
// (due times are in it).
func New(maxWaiters int, recheck time.Duration, now func() time.Time) *Hub {
	if recheck <= 0 {
		recheck = DefaultRecheck
	}
	return &Hub{max: maxWaiters, recheck: recheck, now: now,
		waiters: map[Key]map[*waiter]struct{}{}, appended: map[coord.EventType]uint64{}, closed: make(chan struct{})}
}

// Publish wakes the waiters a change concerns (all of them for a Resync).
// It never blocks: a waiter already woken stays woken once.
func (h *Hub) Publish(c coord.Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.Type != "" {
		h.appended[c.Type]++
	}
	if c.Resync {
		for _, set := range h.waiters {
			h.wakeAll(set)
		}
		return
	}
	if c.SessionID != 0 {
		h.wakeAll(h.waiters[Key{SessionID: c.SessionID}])
	}
	h.wakeAll(h.waiters[Key{PartnerID: c.PartnerID}])
}

func (h *Hub) wakeAll(set map[*waiter]struct{}) {
	for w := range set {
		if w.kick != nil {
			h.wakeups.Add(1)
			w.kick()
			continue
		}
		select {
		case w.wake <- struct{}{}:
			h.wakeups.Add(1)
		default:
		}
	}
}

// Close answers every held request at once and makes later ones answer
// without waiting: the server is shutting down. Parked requests are
// answered from the hub's goroutines; Drain waits for them.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.isClosed {
		h.isClosed = true
		close(h.closed)
		for _, set := range h.waiters {
			for w := range set {
				if w.kick != nil {
					w.kick()
				}
			}
		}
	}
}

// Check reads the state a waiter waits on. done ends the wait; wakeAt,
// when not zero, is a time (on the hub's clock) at which the state changes
// by itself, so the waiter re-reads then.
type Check func(ctx context.Context) (done bool, wakeAt time.Time, err error)

// Hold runs check until it reports done or fails, re-running it on every
// change published for key, at check's wakeAt and every recheck interval,
// until deadline. It returns check's last verdict. Past the hub's maximum
// of held requests, and once the hub is closed, check runs once.
func (h *Hub) Hold(ctx context.Context, key Key, deadline time.Time, check Check) (bool, error) {
	w := &waiter{wake: make(chan struct{}, 1)}
	ok := h.add(key, w)
	if !ok {
		done, _, err := check(ctx)
		return done, err
	}
	defer h.remove(key, w)
	timer := time.NewTimer(0)
	<-timer.C
	defer timer.Stop()
	for {
		read := time.Now()
		done, wakeAt, err := check(ctx)
		if done || err != nil {
			return done, err
		}
		next, over := h.next(deadline, wakeAt, true)
		if over {
			return false, nil
		}
		timer.Reset(next)
	wait:
		for {
			select {
			case <-w.wake:
				if !timer.Stop() {
					<-timer.C
				}
				break wait
			case <-timer.C:
				later, ok := h.postpone(read, deadline, wakeAt)
				if !ok {
					break wait
				}
				timer.Reset(later)
			case <-h.closed:
				return false, nil
			case <-ctx.Done():
				return false, ctx.Err()
			}
		}
	}
}

// next is how long a waiter sleeps before its next re-read: until the
// deadline, wakeAt, or (with recheck) the jittered safety re-check,
// whichever is first; over when the deadline has come.
func (h *Hub) next(deadline, wakeAt time.Time, recheck bool) (time.Duration, bool) {
	now := time.Now()
	if !now.Before(deadline) {
		return 0, true
	}
	next := deadline.Sub(now)
	if recheck {
		every := h.recheckInterval()
		next = min(next, every*3/4+rand.N(every/2+1))
	}
	return h.untilDue(next, wakeAt), false
}

// recheckInterval is the safety re-check interval of now: DefaultRecheck
// (or the hub's), stretched so that all held requests together re-read at
// most maxRechecks times a second.
func (h *Hub) recheckInterval() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.recheckIntervalLocked()
}

func (h *Hub) recheckIntervalLocked() time.Duration {
	return max(h.recheck, time.Duration(h.held)*time.Second/maxRechecks)
}

// untilDue shortens next to the session's due time, wakeAt (zero: none); a
// due time already reached re-reads soon, not in a hot loop.
func (h *Hub) untilDue(next time.Duration, wakeAt time.Time) time.Duration {
	if wakeAt.IsZero() {
		return next
	}
	return min(next, max(wakeAt.Sub(h.now()), 10*time.Millisecond))
}

// postpone is for a waiter's timer that fired with nothing published: if
// it came for a safety re-check (not the deadline, not wakeAt) sooner after
// the waiter's last read (at read) than the re-check interval allows now —
// it stretches as more requests are held, and the timer was set when fewer
// were — it reports how long to sleep instead of re-reading.
func (h *Hub) postpone(read, deadline, wakeAt time.Time) (time.Duration, bool) {
	now := time.Now()
	if !now.Before(deadline) || (!wakeAt.IsZero() && !h.now().Before(wakeAt)) {
		return 0, false
	}
	recheck := h.recheckInterval()
	due := read.Add(recheck * 3 / 4)
	if !now.Before(due) {
		return 0, false
	}
	next := min(deadline.Sub(now), due.Add(rand.N(recheck/2+1)).Sub(now))
	return h.untilDue(next, wakeAt), true
}

// add registers a waiter, unless the hub is full or closed.
func (h *Hub) add(key Key, w *waiter) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.isClosed || h.held >= h.max {
		h.refused.Add(1)
		return false
	}
	set := h.waiters[key]
	if set == nil {
		set = map[*waiter]struct{}{}
		h.waiters[key] = set
	}
	set[w] = struct{}{}
	h.held++
	return true
}

func (h *Hub) remove(key Key, w *waiter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.waiters[key], w)
	if len(h.waiters[key]) == 0 {
		delete(h.waiters, key)
	}
	h.held--
}

// Held is how many requests are held now.
func (h *Hub) Held() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held
}

// Wakeups is how many times a published change woke a held request.
func (h *Hub) Wakeups() uint64 { return h.wakeups.Load() }

// Refused is how many requests were answered at once because the hub was
// full or closed.
func (h *Hub) Refused() uint64 { return h.refused.Load() }

// Appended counts the events published, by type: those this process
// committed on SQLite; on PostgreSQL, those every replica committed.
func (h *Hub) Appended() map[coord.EventType]uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.appended)
}

// Follow feeds the store's changes into the hub until ctx is done.
func (h *Hub) Follow(ctx context.Context, store coord.EventStore) error {
	return store.ListenChanges(ctx, h.Publish)
}
