package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// notifier sends the notifications of committed events, after their
// transactions, in batches, from a goroutine of its own. A NOTIFY inside the
// writing transaction would take PostgreSQL's database-wide notification
// lock from pre-commit until the commit is flushed, so that writers would
// commit one at a time. A notification lost on the way (a crash just after
// the commit, a full queue) only delays waiters until their next re-read.
type notifier struct {
	pool    *pgxpool.Pool
	channel string
	queue   chan string
	done    chan struct{}

	mu      sync.Mutex
	pending map[pgx.Tx][]string // notifications of transactions not yet committed
	closed  bool
}

// notifyBatch bounds one pg_notify round trip.
const notifyBatch = 256

// notifyBatchQuery sends the notifications $2 on channel $1. Their own
// transaction commits without waiting for its WAL flush (set_config local
// to it): what they announce has committed durably already, and one lost
// in a crash only delays waiters until their next re-read.
const notifyBatchQuery = `SELECT pg_notify($1, note)
	FROM set_config('synchronous_commit', 'off', true), unnest($2::text[]) AS note`

func newNotifier(pool *pgxpool.Pool, channel string) *notifier {
	n := &notifier{pool: pool, channel: channel, queue: make(chan string, 4096), done: make(chan struct{}),
		pending: map[pgx.Tx][]string{}}
	go n.run()
	return n
}

// add holds a notification of tx until it commits.
func (n *notifier) add(tx pgx.Tx, note string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.pending[tx] = append(n.pending[tx], note)
}

// take returns and forgets tx's notifications.
func (n *notifier) take(tx pgx.Tx) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	notes := n.pending[tx]
	delete(n.pending, tx)
	return notes
}

// send queues committed notifications; a full queue (or a closed store)
// drops them.
func (n *notifier) send(notes ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, note := range notes {
		if n.closed {
			return
		}
		select {
		case n.queue <- note:
		default:
		}
	}
}

func (n *notifier) run() {
	defer close(n.done)
	for note := range n.queue {
		batch := []string{note}
	more:
		for len(batch) < notifyBatch {
			select {
			case next, ok := <-n.queue:
				if !ok {
					break more
				}
				batch = append(batch, next)
			default:
				break more
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = n.pool.Exec(ctx, notifyBatchQuery, n.channel, batch)
		cancel()
	}
}

// close sends what is queued and stops; closing again does nothing.
func (n *notifier) close() {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		close(n.queue)
	}
	n.mu.Unlock()
	<-n.done
}
