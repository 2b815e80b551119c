package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coordapi/coord"
)

// Group commit. Every write of the API goes through one goroutine, the
// committer, which takes the one writer connection for each batch. (Two
// writers take it between batches instead: the readiness check, and the
// webhook queue's claims, which commit without an fsync of their own —
// writeLazy. In steady state there are few: each batch writes the
// deliveries its own events get, leased, and hands them to the
// dispatcher, deliveries.go and handoff.go, and attempts' records are
// requests of the batches.) It
// takes every request queued (up to maxBatch) and runs them in one BEGIN
// IMMEDIATE transaction, each inside its own SAVEPOINT: a request that fails
// (a conflict, a missing row, a panic) is rolled back to its savepoint and
// gets its own error, and the others go on. Then one COMMIT, one fsync
// (synchronous=FULL, as before), for the whole batch; only after it returns
// are the changes published to the listeners and the callers answered, so
// acknowledged still means committed. A request alone in its batch runs
// without a savepoint: the transaction is its own.
//
// The trade-off is latency: a request waits for the batch in progress to
// commit, then for the work of every request ahead of it in its own batch
// and for that batch's commit. Under load that is the fsync the writers used
// to queue for one by one anyway, so throughput rises and the tail falls, but
// the median write waits for a whole batch rather than for its own
// statements (measured in BENCHMARKS.md). Nothing waits to fill a batch: an
// idle store commits a lone request at once.
//
// One failing request must not undo the others, so the work runs with its
// caller's context values but not its cancellation: SQLite answers an
// interrupted write inside a transaction by rolling the whole transaction
// back. A caller that gives up while its request is still queued gets its
// context's error and the request never runs; once running, the request
// finishes and the caller waits for its outcome.

// maxBatch bounds the requests of one transaction, so that a long queue
// still commits (and answers) in steps.
const maxBatch = 64

// A request's states: the committer claims a queued request before running
// it, or its caller abandons it first.
const (
	queued int32 = iota
	running
	abandoned
)

// writeReq is one caller's write transaction, queued for the committer.
type writeReq struct {
	ctx      context.Context
	fn       func(ctx context.Context, tx querier) error
	state    atomic.Int32
	done     chan struct{} // closed once err (or panicked) is final
	err      error
	panicked any
	appended []coord.Change   // the events it appended, published after the commit
	events   []appendedEvent  // the same in full, for their webhook deliveries
	queued   []queuedDelivery // deliveries it asked for besides its events' (pings)
	after    []*sessionRow    // the sessions as its events left them, cached after the commit
}

// committer is the queue of write requests and the goroutine serving it.
type committer struct {
	mu     sync.Mutex
	queue  []*writeReq
	closed bool
	wake   chan struct{} // capacity 1: the queue has something, or closed
	exited chan struct{}
	// commits counts the transactions committed, requests the requests they
	// carried (failed ones included).
	commits, requests atomic.Int64
}

// Commits returns how many write transactions the store has committed and
// how many write requests they carried, failed ones included.
func (db *DB) Commits() (commits, writes int64) {
	return db.commit.commits.Load(), db.commit.requests.Load()
}

// errClosed answers writes after Close; db.fail makes it EUnavailable.
var errClosed = errors.New("the store is closed")

// errPanicked is a request's error when its work panicked; its caller
// panics again with the value.
var errPanicked = errors.New("write panicked")

// startCommitter starts the committer goroutine; Close stops it.
func (db *DB) startCommitter() {
	db.commit.wake = make(chan struct{}, 1)
	db.commit.exited = make(chan struct{})
	go db.commitLoop()
}

// stopCommitter lets the batch in progress finish, fails the requests still
// queued and waits for the committer to exit.
func (db *DB) stopCommitter() {
	c := &db.commit
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.signal()
	<-c.exited
}

func (c *committer) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// enqueue queues r for the next batch.
func (c *committer) enqueue(r *writeReq) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	c.queue = append(c.queue, r)
	c.mu.Unlock()
	c.signal()
	return nil
}

// take removes the next batch from the queue.
func (c *committer) take() (batch []*writeReq, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(len(c.queue), maxBatch)
	batch = append([]*writeReq(nil), c.queue[:n]...)
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	return batch, c.closed
}

// write runs fn as one write transaction of its own outcome, batched with
// the concurrent ones (see above), and returns once it is committed or has
// failed; once committed, the events fn appended have woken the listeners.
// fn must use the ctx it is given, and must not call write: the committer
// would wait for itself.
func (db *DB) write(ctx context.Context, fn func(ctx context.Context, tx querier) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	if err := db.commit.enqueue(r); err != nil {
		return err
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, abandoned) {
			return fmt.Errorf("begin: %w", ctx.Err())
		}
		<-r.done // already running: its outcome is what it is
	}
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// commitLoop serves the queue until the store closes.
func (db *DB) commitLoop() {
	c := &db.commit
	defer close(c.exited)
	for range c.wake {
		for {
			batch, closed := c.take()
			if closed {
				for _, r := range batch {
					if r.state.CompareAndSwap(queued, running) {
						r.err = errClosed
						close(r.done)
					}
				}
				if len(batch) == 0 {
					return
				}
				continue
			}
			if len(batch) == 0 {
				break
			}
			db.commitBatch(batch)
		}
	}
}

// commitBatch runs the requests whose callers still wait in one transaction,
// each in its own savepoint, commits, publishes and answers them.
func (db *DB) commitBatch(batch []*writeReq) {
	claimed := batch[:0]
	for _, r := range batch {
		if r.state.CompareAndSwap(queued, running) {
			claimed = append(claimed, r)
		}
	}
	if len(claimed) == 0 {
		return
	}
	// The batch's own context: no caller's cancellation may end the others'
	// transaction.
	ctx := context.Background()
	var changed []int64
	err := db.runBatch(ctx, claimed, &changed)
	// Before anyone hears of the commit: no read may find the old state,
	// and the next read of a changed session (a woken waiter's) finds it
	// as committed.
	db.sessions.changed(changed)
	if err == nil {
		db.commit.commits.Add(1)
		db.sessions.committed(claimed, db.now())
	}
	db.commit.requests.Add(int64(len(claimed)))
	for _, r := range claimed {
		if err != nil {
			// Nothing of the batch is stored, and a request's own outcome
			// may rest on the work of those before it (a conflict with a
			// session they created): every caller gets the batch's error.
			r.err = err
		} else if r.err == nil {
			db.changes.publish(r.appended)
		}
	}
	for _, r := range claimed {
		close(r.done)
	}
}

// runBatch runs the claimed requests in one transaction and commits it,
// setting each request's own error; an error returned is the batch's.
// The sessions it is about to change are marked in the cache (changed) first.
func (db *DB) runBatch(ctx context.Context, claimed []*writeReq, changed *[]int64) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	q := db.writerStmts.in(tx)
	defer q.prepareMissed(ctx)
	if len(claimed) == 1 {
		r := claimed[0]
		if r.err = r.run(q); r.err != nil {
			tx.Rollback()
			return nil
		}
	} else {
		for _, r := range claimed {
			if err := r.runInSavepoint(ctx, q); err != nil {
				tx.Rollback()
				return err
			}
		}
	}
	hand, err := db.writeDeliveries(ctx, q, claimed)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("webhook deliveries: %w", err)
	}
	*changed = changedSessions(claimed)
	db.sessions.changing(*changed)
	if err := tx.Commit(); err != nil {
		if hand != nil {
			hand.h.to.Release(hand.res, true)
		}
		return fmt.Errorf("commit: %w", err)
	}
	if hand != nil {
		go hand.handOver(claimed)
	}
	return nil
}

// runInSavepoint runs r in a savepoint of the batch's transaction, rolled
// back to if r fails. An error returned means the transaction itself
// failed (SQLite rolls it back on some errors, such as a full disk).
func (r *writeReq) runInSavepoint(ctx context.Context, q inTx) error {
	if _, err := q.ExecContext(ctx, `SAVEPOINT write`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if r.err = r.run(q); r.err != nil {
		if _, err := q.ExecContext(ctx, `ROLLBACK TO write`); err != nil {
			return fmt.Errorf("roll back to savepoint: %w (after %w)", err, r.err)
		}
	}
	if _, err := q.ExecContext(ctx, `RELEASE write`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// run runs the request's work in q, collecting what it appends; a panic
// is kept for its caller.
func (r *writeReq) run(q inTx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked, err = p, errPanicked
		}
	}()
	q.appended, q.after, q.events, q.queued = &r.appended, &r.after, &r.events, &r.queued
	return r.fn(context.WithoutCancel(r.ctx), q)
}
