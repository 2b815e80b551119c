package live

import (
	"context"
	"sync"
	"time"
)

// checkTimeout bounds one re-read of a parked waiter, which has no request
// context of its own any more.
const checkTimeout = 10 * time.Second

// Park holds a request without a goroutine: the caller has taken over the
// connection and gone, and answer is called once, from a goroutine of the
// hub, with check's verdict when it reports done or fails, or false at
// the deadline or when the hub closes. check runs first at once (a change
// may have committed since the caller's own read), then on each change
// published for key, at its wakeAt and on the safety re-check. Park
// reports false, without calling anything, when the hub is full or closed:
// the caller answers at once instead.
//
// A parked request costs its connection and a few hundred bytes, where a
// blocked one costs a goroutine and the server's buffers (about 40 KB).
func (h *Hub) Park(key Key, deadline time.Time, check Check, answer func(done bool, err error)) bool {
	p := &parked{hub: h, key: key, deadline: deadline, check: check, answer: answer}
	p.w = &waiter{kick: p.kick}
	h.answering.Add(1)
	if !h.add(key, p.w) {
		h.answering.Done()
		return false
	}
	p.kick()
	return true
}

// parked is one parked request. At most one re-read runs at a time; a kick
// during one makes it read again.
type parked struct {
	hub      *Hub
	key      Key
	w        *waiter
	deadline time.Time
	check    Check
	answer   func(bool, error)

	mu       sync.Mutex
	running  bool
	again    bool
	finished bool
	timer    *time.Timer

	// In the hub's list of parked requests by last read, under the hub's
	// lock: its safety re-checks come from there, not from its timer.
	read       time.Time // when the last read began
	prev, next *parked
	listed     bool
}

func (p *parked) kick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	if p.running {
		p.again = true
		return
	}
	p.running = true
	go p.run()
}

func (p *parked) run() {
	for {
		if p.closed() {
			p.finish(false, nil)
			return
		}
		read := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
		done, wakeAt, err := p.check(ctx)
		cancel()
		if done || err != nil {
			p.finish(done, err)
			return
		}
		next, over := p.hub.next(p.deadline, wakeAt, false)
		if over {
			p.finish(false, nil)
			return
		}
		p.hub.reread(p, read)
		p.mu.Lock()
		if p.timer == nil {
			p.timer = time.AfterFunc(next, p.kick)
		} else {
			p.timer.Reset(next)
		}
		if p.again {
			p.again = false
			p.mu.Unlock()
			continue
		}
		p.running = false
		p.mu.Unlock()
		return
	}
}

func (p *parked) closed() bool {
	select {
	case <-p.hub.closed:
		return true
	default:
		return false
	}
}

// finish answers once and forgets the request.
func (p *parked) finish(done bool, err error) {
	p.mu.Lock()
	p.finished = true
	if p.timer != nil {
		p.timer.Stop()
	}
	p.mu.Unlock()
	p.hub.unpark(p)
	defer p.hub.answering.Done()
	p.answer(done, err)
}

// Drain waits until every parked request has been answered, or ctx is done.
func (h *Hub) Drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() { h.answering.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reread puts p, whose read began at read, last in the list of parked
// requests by last read, and starts the sweeper if it is not running.
func (h *Hub) reread(p *parked, read time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unlist(p)
	p.read, p.prev, p.listed = read, h.newest, true
	if h.newest != nil {
		h.newest.next = p
	} else {
		h.oldest = p
	}
	h.newest = p
	if !h.sweeping && !h.isClosed {
		h.sweeping = true
		go h.sweep()
	}
}

// unpark forgets an answered request.
func (h *Hub) unpark(p *parked) {
	h.mu.Lock()
	h.unlist(p)
	h.mu.Unlock()
	h.remove(p.key, p.w)
}

func (h *Hub) unlist(p *parked) {
	if !p.listed {
		return
	}
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		h.oldest = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	} else {
		h.newest = p.prev
	}
	p.prev, p.next, p.listed = nil, nil, false
}

// sweep is the safety re-check of parked requests: it re-reads the one
// read longest ago once its last read is a re-check interval old, at most
// maxRechecks a second, and sleeps otherwise. The interval is the one of
// now (it stretches with the number held), so requests parked while few
// were held are not re-read early once many are. It returns when nothing
// is parked or the hub closes.
func (h *Hub) sweep() {
	timer := time.NewTimer(0)
	<-timer.C
	defer timer.Stop()
	for {
		h.mu.Lock()
		p := h.oldest
		if p == nil || h.isClosed {
			h.sweeping = false
			h.mu.Unlock()
			return
		}
		interval := h.recheckIntervalLocked()
		wait := time.Until(p.read.Add(interval))
		if wait <= 0 {
			h.unlist(p) // listed again, last, after its read
			p.kick()
			wait = time.Second / maxRechecks
		}
		h.mu.Unlock()
		// Fewer held shortens the interval: look again within a recheck.
		timer.Reset(min(wait, h.recheck))
		select {
		case <-timer.C:
		case <-h.closed:
			h.mu.Lock()
			h.sweeping = false
			h.mu.Unlock()
			return
		}
	}
}
