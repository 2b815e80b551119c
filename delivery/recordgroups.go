package delivery

import (
	"context"
	"sync"
)

// Recorded is one attempt's outcome, as handed to Record.
type Recorded struct {
	Delivery Delivery
	Outcome  Outcome
}

// RecordGroups lets a store commit attempts' outcomes in groups: one
// transaction for every Record that arrived while the previous group was
// committing, so that a busy dispatcher costs the store one commit per
// group rather than one per attempt (on SQLite a turn of its one writer,
// on PostgreSQL a transaction and a round trip). Nothing waits for a group
// to fill: a Record that finds none committing commits at once, alone.
//
// The trade-off: a Record may wait for the group in progress before its
// own is sent, and one failing group fails every Record in it.
type RecordGroups struct {
	// Commit stores group in one transaction; stale[i] is true when
	// group[i]'s claim was no longer held (nothing of it stored). An error
	// is the whole group's: nothing of it is stored.
	Commit func(ctx context.Context, group []Recorded) (stale []bool, err error)

	mu       sync.Mutex
	pending  []*pendingRecord
	flushing bool
}

type pendingRecord struct {
	Recorded
	done chan error
}

// Record implements Queue.Record with g.Commit. The first caller finding no
// group committing commits the pending ones, then any that arrived
// meanwhile, until none is left; the others wait for their outcome.
func (g *RecordGroups) Record(ctx context.Context, d Delivery, o Outcome) error {
	req := &pendingRecord{Recorded: Recorded{d, o}, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, req)
	lead := !g.flushing
	g.flushing = true
	g.mu.Unlock()
	if lead {
		for {
			g.mu.Lock()
			group := g.pending
			g.pending = nil
			if len(group) == 0 {
				g.flushing = false
				g.mu.Unlock()
				break
			}
			g.mu.Unlock()
			g.commit(context.WithoutCancel(ctx), group)
		}
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commit commits one group, bounded by recordTimeout whoever's context
// started it, and tells each its outcome.
func (g *RecordGroups) commit(ctx context.Context, group []*pendingRecord) {
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	recs := make([]Recorded, len(group))
	for i, req := range group {
		recs[i] = req.Recorded
	}
	stale, err := g.Commit(ctx, recs)
	for i, req := range group {
		switch {
		case err != nil:
			req.done <- err
		case i < len(stale) && stale[i]:
			req.done <- ErrStaleClaim
		default:
			req.done <- nil
		}
	}
}

// DistinctRun is the end of the longest run of group from from on in which
// no delivery has two outcomes: a store that records a run in one
// statement must give a delivery's second outcome to the next one, so
// that it finds the first's record (and its claim gone).
func DistinctRun(group []Recorded, from int) int {
	seen := make(map[int64]bool, len(group)-from)
	for i := from; i < len(group); i++ {
		if seen[group[i].Delivery.ID] {
			return i
		}
		seen[group[i].Delivery.ID] = true
	}
	return len(group)
}
