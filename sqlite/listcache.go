package sqlite

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/coordapi/coord"
)

// List pages are read in two steps (listpage.go): the ids and versions of
// the page, two columns a row, then the full rows of only those sessions
// that are not in listCache at the version the page shows. On a page of 50
// the row is most of a request's cost and the driver's cost is per column
// (a locked call or two each), so a history's page of ended sessions,
// which never change again, costs two columns a row instead of twelve.
//
// Why a cached row is never stale: an entry is a session's row at one
// version, and a hit needs the version the page query has just read from
// the database. Every change of a session's row increments its version
// (each UPDATE of sessions says version = version + 1, which
// TestEverySessionUpdateBumpsVersion checks in the source), ids are never
// reused (AUTOINCREMENT) and sessions are never deleted, so (id, version)
// names one content. This holds whoever wrote the file (another process
// too) and needs nothing from the committer. Only ended and cancelled rows
// are cached: they are final, and they are what a long history is; a
// pending or active row, which settles by the clock, is read every time,
// so the settlement check (listRow.due) always sees it as stored.
//
// The trade-off is memory: up to listCacheSize rows of a few hundred bytes
// (listEntrySize, measured by TestListCacheEntrySize), ~16 MiB when full;
// and a page none of whose rows is cached (a cold or thrashing cache)
// costs the second query on top: two columns a row more than before.
const listCacheSize = 32_768

// listEntry is a final session row as the page query decoded it, with the
// storage of its pointer fields; never modified once cached. UserID is not
// kept: the page's filter gives it.
type listEntry struct {
	s          coord.Session
	start, end time.Time
	cost       coord.Money
	planned    coord.Money
	// recent is set by a hit and cleared by an eviction pass that spares
	// the entry: rows read since the last pass survive it.
	recent atomic.Bool
}

// listCache holds final list rows by session id.
type listCache struct {
	mu      sync.RWMutex
	entries map[int64]*listEntry
	size    int
	// hits and misses count the rows looked up (tests read them).
	hits, misses atomic.Int64
}

func newListCache(size int) *listCache {
	return &listCache{entries: make(map[int64]*listEntry, min(size, 1024)), size: size}
}

// lookup fills page[i] with session ids[i] at versions[i] for every i that
// is cached at that version, user set from userID, and returns the indexes
// of the others, in page order.
func (c *listCache) lookup(userID string, ids, versions []int64, page []coord.Session) (misses []int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i, id := range ids {
		e := c.entries[id]
		if e == nil || e.s.Version != versions[i] {
			misses = append(misses, i)
			continue
		}
		if !e.recent.Load() {
			e.recent.Store(true)
		}
		page[i] = e.s
		page[i].UserID = userID
	}
	c.hits.Add(int64(len(ids) - len(misses)))
	c.misses.Add(int64(len(misses)))
	return misses
}

// final reports whether r's session can no longer change by itself and is
// worth keeping: ended or cancelled.
func final(r *listRow) bool {
	return r.Status == coord.StatusEnded || r.Status == coord.StatusCancelled
}

// keep caches the final ones of rows, read from the database at their
// versions.
func (c *listCache) keep(rows []*listRow) {
	var fresh []*listEntry
	for _, r := range rows {
		if final(r) {
			fresh = append(fresh, newListEntry(r))
		}
	}
	if len(fresh) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range fresh {
		if prior := c.entries[e.s.ID]; prior == nil {
			c.makeRoom()
		} else if prior.s.Version > e.s.Version {
			continue // a later page read it at a later version
		}
		c.entries[e.s.ID] = e
	}
}

// newListEntry copies r with what its pointers point to.
func newListEntry(r *listRow) *listEntry {
	e := &listEntry{s: r.Session}
	e.s.UserID = ""
	e.s.SettlesAt = nil // final: it settles no more
	if r.StartTime != nil {
		e.start = *r.StartTime
		e.s.StartTime = &e.start
	}
	if r.EndTime != nil {
		e.end = *r.EndTime
		e.s.EndTime = &e.end
	}
	if r.Cost != nil {
		e.cost = *r.Cost
		e.s.Cost = &e.cost
	}
	if r.PlannedCost != nil {
		e.planned = *r.PlannedCost
		e.s.PlannedCost = &e.planned
	}
	return e
}

// makeRoom evicts, when the cache is full, down to nine tenths of its
// size: entries not read since the last pass first (map order), then, if
// every entry was, any.
func (c *listCache) makeRoom() {
	if len(c.entries) < c.size {
		return
	}
	target := c.size - c.size/10
	for pass := 0; pass < 2 && len(c.entries) > target; pass++ {
		for id, e := range c.entries {
			if len(c.entries) <= target {
				break
			}
			if pass == 0 && e.recent.Load() {
				e.recent.Store(false)
				continue
			}
			delete(c.entries, id)
		}
	}
}

// len is the number of cached rows.
func (c *listCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
