package postgres

import (
	"sync"

	"github.com/coordapi/coord"
)

// recentMax bounds the sessions recentSessions holds.
const recentMax = 4096

// recentSessions holds the active app-controlled sessions this replica read
// last, so that ending one needs no read first: the ending UPDATE is
// conditional on the version read, so a session changed since (on any
// replica) is not touched, and the end goes the long way, reading it
// again. Nothing is decided on what it holds alone.
type recentSessions struct {
	mu   sync.Mutex
	rows map[int64]*sessionRow
}

func newRecentSessions() *recentSessions {
	return &recentSessions{rows: make(map[int64]*sessionRow)}
}

// saw records r as read, or forgets its session when it is not an active
// app-controlled one (the only kind an end can bill without a read).
func (c *recentSessions) saw(r *sessionRow) {
	if r.Status != coord.StatusActive || r.GateControlled() {
		c.forget(r.ID)
		return
	}
	c.mu.Lock()
	held, ok := c.rows[r.ID]
	c.mu.Unlock()
	if ok && held.Version == r.Version {
		return // the same row: a poll of an unchanged session copies nothing
	}
	kept := r.clone()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.rows[r.ID]; !ok && len(c.rows) >= recentMax {
		for id := range c.rows { // an arbitrary one
			delete(c.rows, id)
			break
		}
	}
	c.rows[r.ID] = kept
}

// take returns and forgets the session ref names, if it was read as ref's
// user's at ref's location (ids, users and locations never change).
func (c *recentSessions) take(ref coord.SessionRef) *sessionRow {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rows[ref.ID]
	if r == nil || r.UserID != ref.UserID || r.LocationID != ref.LocationID {
		return nil
	}
	delete(c.rows, ref.ID)
	return r
}

func (c *recentSessions) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.rows, id)
}
