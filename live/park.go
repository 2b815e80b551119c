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
	read     time.Time // when the last re-read began
	wakeAt   time.Time // its wakeAt
}

// fire is the timer's: a re-read, unless the hub postpones it.
func (p *parked) fire() {
	p.mu.Lock()
	if !p.finished && !p.running {
		if later, ok := p.hub.postpone(p.read, p.deadline, p.wakeAt); ok {
			p.timer.Reset(later)
			p.mu.Unlock()
			return
		}
	}
	p.mu.Unlock()
	p.kick()
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
		next, over := p.hub.next(p.deadline, wakeAt)
		if over {
			p.finish(false, nil)
			return
		}
		p.mu.Lock()
		p.read, p.wakeAt = read, wakeAt
		if p.timer == nil {
			p.timer = time.AfterFunc(next, p.fire)
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
	p.hub.remove(p.key, p.w)
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
