package postgres

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coordapi/coord"
)

// Reads of one session by reference are batched: while readBatchesMax
// batches are in flight, further reads queue, and the next batch reads every
// queued session in one query (by primary key, the user and location then
// checked here, so another user's session is still not found). A poll thus
// costs a fraction of a round trip, a write and a read system call, and of
// PostgreSQL's per-statement work, when many arrive at once, which is what
// lets the server poll faster than a bare handler making one query per
// request (issue 18). Nothing waits for a batch to fill: a read that finds
// a free slot is sent at once, alone, as before.
//
// The trade-offs: under load a read may wait for a batch in flight to
// return before its own is sent (it still reads a snapshot taken after it
// arrived, so it sees every write acknowledged before); and one failing
// query fails every read in its batch.
const (
	readBatchesMax = 2
	readBatchMax   = 64
	// readBatchTimeout bounds a batch's query: it serves several requests,
	// so no one request's context may cancel it.
	readBatchTimeout = 30 * time.Second
)

// sessionReads is the queue of batched reads.
type sessionReads struct {
	pool    *pgxpool.Pool
	mu      sync.Mutex
	queue   []*sessionRead
	running int // batches in flight
}

// sessionRead is one queued read and, once done is closed, its result.
type sessionRead struct {
	ref  coord.SessionRef
	row  *sessionRow
	err  error
	done chan struct{}
}

// read returns session ref, or pgx.ErrNoRows when it is not ref's user's
// at ref's location (or does not exist).
func (b *sessionReads) read(ctx context.Context, ref coord.SessionRef) (*sessionRow, error) {
	b.mu.Lock()
	if b.running < readBatchesMax && len(b.queue) == 0 {
		b.running++
		b.mu.Unlock()
		r, err := b.readOne(ctx, ref)
		b.next()
		return r, err
	}
	rd := &sessionRead{ref: ref, done: make(chan struct{})}
	b.queue = append(b.queue, rd)
	if b.running < readBatchesMax {
		b.running++
		go b.drain()
	}
	b.mu.Unlock()
	select {
	case <-rd.done:
		return rd.row, rd.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readOne is the read of a request that found a slot free.
func (b *sessionReads) readOne(ctx context.Context, ref coord.SessionRef) (*sessionRow, error) {
	uid, ok := parseUserID(ref.UserID)
	if !ok {
		return nil, pgx.ErrNoRows
	}
	return scanSession(b.pool.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE id = $1 AND user_id = $2 AND location_id = $3`, ref.ID, uid, ref.LocationID))
}

// next frees the caller's slot, or hands it to a batch of the reads that
// queued meanwhile.
func (b *sessionReads) next() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) == 0 {
		b.running--
		return
	}
	go b.drain()
}

// drain runs batches in a slot until the queue is empty.
func (b *sessionReads) drain() {
	for {
		b.mu.Lock()
		n := min(len(b.queue), readBatchMax)
		if n == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		batch := b.queue[:n:n]
		b.queue = b.queue[n:]
		if len(b.queue) == 0 {
			b.queue = nil
		}
		b.mu.Unlock()
		b.readBatch(batch)
	}
}

// readBatch reads a batch's sessions and answers each read.
func (b *sessionReads) readBatch(batch []*sessionRead) {
	ctx, cancel := context.WithTimeout(context.Background(), readBatchTimeout)
	defer cancel()
	ids := make([]int64, len(batch))
	for i, rd := range batch {
		ids[i] = rd.ref.ID
	}
	err := b.queryBatch(ctx, ids, func(r *sessionRow) {
		first := true
		for _, rd := range batch {
			if rd.row != nil || rd.ref.ID != r.ID || rd.ref.UserID != r.UserID || rd.ref.LocationID != r.LocationID {
				continue
			}
			if !first {
				r = r.clone()
			}
			rd.row, first = r, false
		}
	})
	for _, rd := range batch {
		switch {
		case err != nil:
			rd.row, rd.err = nil, err
		case rd.row == nil:
			rd.err = pgx.ErrNoRows
		}
		close(rd.done)
	}
}

// batchQueries[n] reads n sessions by id: one statement per batch size,
// each with a parameter per id, so that PostgreSQL plans each once. With
// "id = ANY($1)" it planned every batch again: the plan it caches for any
// array (a generic plan) assumes some length, and so costs more than the
// one it makes for each array's true length.
var batchQueries = func() []string {
	q := make([]string, readBatchMax+1)
	var in strings.Builder
	for n := 1; n <= readBatchMax; n++ {
		if n > 1 {
			in.WriteString(", ")
		}
		in.WriteString("$" + strconv.Itoa(n))
		q[n] = `SELECT ` + sessionCols + ` FROM sessions WHERE id IN (` + in.String() + `)`
	}
	return q
}()

func (b *sessionReads) queryBatch(ctx context.Context, ids []int64, each func(*sessionRow)) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := b.pool.Query(ctx, batchQueries[len(ids)], args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanSession(rows)
		if err != nil {
			return err
		}
		each(r)
	}
	return rows.Err()
}

// clone is a copy of r that shares only what nothing changes in place (the
// times and amounts its pointers point to).
func (r *sessionRow) clone() *sessionRow {
	s, c := *r.Session, *r
	c.Session = &s
	return &c
}
