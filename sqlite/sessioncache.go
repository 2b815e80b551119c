package sqlite

import (
	"sync"

	"github.com/coordapi/coord"
)

// Session reads are cached. Every write of a session goes through this
// process's committer and appends an event naming the session (the event
// log's invariant), so the committer knows, before it answers anyone or
// wakes a waiter, which sessions a commit changed, and drops them here: a
// read after an acknowledged write, or after a wake-up, reads the database.
// A poll of a session that did not change since is answered from memory,
// which is what lets the whole server beat a bare handler that reads the
// database on every poll (issue 18).
//
// The trade-offs: another process writing the same file (two servers on
// one file work, see TestTwoHandlesOneFile; this server's long-poll wake-ups
// are in process too) is seen by a cached read only once the entry is
// older than sessionCacheAge; and up to sessionCacheSize sessions (a few
// hundred bytes each) stay in memory.
const (
	sessionCacheSize = 10_000
	sessionCacheAge  = 1000 // milliseconds
)

// sessionCache holds sessions as last read, keyed by id. While a commit
// that changes a session is under way, its entry is a marker (a nil row):
// no hit and no fill until the commit is over, so that no read, from
// memory or from the database, can give the old state once anyone could
// have seen the new.
type sessionCache struct {
	mu      sync.RWMutex
	entries map[int64]cachedSession
	// gen counts invalidations: a read that began before one must not fill
	// the cache, since it may have read what the invalidation dropped.
	gen uint64
}

type cachedSession struct {
	row    *sessionRow // never modified once cached; nil while changing
	readAt int64       // the store's clock (Unix ms) when it was read
}

func newSessionCache() *sessionCache {
	return &sessionCache{entries: make(map[int64]cachedSession, 1024)}
}

// generation is taken before a read that may fill the cache.
func (c *sessionCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// get returns session ref as cached, if it is there, read no longer ago
// than sessionCacheAge, and ref's user's at ref's location; anything else
// is left to the database, which also decides what another user sees.
func (c *sessionCache) get(ref coord.SessionRef, now int64) (*sessionRow, bool) {
	c.mu.RLock()
	e, ok := c.entries[ref.ID]
	c.mu.RUnlock()
	if !ok || e.row == nil || now < e.readAt || now-e.readAt >= sessionCacheAge ||
		e.row.UserID != ref.UserID || e.row.LocationID != ref.LocationID {
		return nil, false
	}
	return e.row, true
}

// put caches r, read at now, unless an invalidation came since gen or its
// change is committing.
func (c *sessionCache) put(r *sessionRow, now int64, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[r.ID]; c.gen != gen || ok && e.row == nil {
		return
	}
	c.makeRoom()
	c.entries[r.ID] = cachedSession{row: r, readAt: now}
}

// makeRoom drops an arbitrary tenth of the entries (map order; markers
// stay) when the cache is full.
func (c *sessionCache) makeRoom() {
	if len(c.entries) < sessionCacheSize {
		return
	}
	for id, e := range c.entries {
		if len(c.entries) < sessionCacheSize-sessionCacheSize/10 {
			break
		}
		if e.row != nil {
			delete(c.entries, id)
		}
	}
}

// committed caches the sessions as a committed batch's requests left them,
// read at now: what a read of the database would give once the commit is
// visible, so the reads that follow a write (a woken long-poll's, above
// all) need not make it. Only requests that succeeded count (one rolled
// back to its savepoint changed nothing), later ones over earlier ones;
// each row is copied, since the writer's caller gets the row itself.
func (c *sessionCache) committed(batch []*writeReq, now int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range batch {
		if r.err != nil {
			continue
		}
		for _, row := range r.after {
			cp := *row
			c.makeRoom()
			c.entries[row.ID] = cachedSession{row: &cp, readAt: now}
		}
	}
}

// changing marks the sessions a commit about to happen changes.
func (c *sessionCache) changing(ids []int64) { c.invalidate(ids, true) }

// changed ends what changing began, whether or not the commit succeeded:
// the next read of each session reads the database.
func (c *sessionCache) changed(ids []int64) { c.invalidate(ids, false) }

// invalidate replaces the entries of ids by markers, or drops them.
func (c *sessionCache) invalidate(ids []int64, mark bool) {
	if len(ids) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, id := range ids {
		if mark {
			c.entries[id] = cachedSession{}
		} else {
			delete(c.entries, id)
		}
	}
}

// changedSessions are the sessions the events of a batch name, those of
// requests rolled back included (dropping a session that did not change
// costs one read).
func changedSessions(batch []*writeReq) []int64 {
	var ids []int64
	for _, r := range batch {
		for _, ch := range r.appended {
			if ch.SessionID != 0 {
				ids = append(ids, ch.SessionID)
			}
		}
	}
	return ids
}
