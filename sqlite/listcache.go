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
// The trade-offs: memory, up to listCacheSize rows of a few hundred bytes
// (TestListCacheEntrySize measures ~280), ~9 MiB when full, and the
// garbage of the rows it evicts; a page none of whose rows is cached (a
// user's first listing) costs the id query on top of the full rows, about
// a fifth more, and copies its final rows into the cache; and writes keep
// the version in two more index entries (migration 6). A working set
// larger than the cache falls back to one query a page (see worthIDs).
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
	// hits and misses count the rows looked up (tests read them);
	// recentHits and recentLooked the same, halved now and then, for
	// worthIDs.
	hits, misses             atomic.Int64
	recentHits, recentLooked atomic.Int64
	// unkept counts the pages read in one query while not worth it.
	unkept atomic.Int64
}

// A page read through the cache costs two columns a row more than one
// query when none of its rows is cached (its first query), and saves
// ten a row that is: about a fifth of the rows must be found for it to pay
// (measured: 0.3 µs a row for the first query, 1.8 µs a full row).
// worthIDs answers whether the rows looked up lately were found that
// often; when they were not (a working set larger than the cache: every
// user's history listed in turn), pages are read in one query, as before
// the cache, and their rows still counted and kept, so that the cache is
// used again once it is found again.
const (
	worthHitsPerRow = 0.25
	recentRows      = 1 << 14 // the counts are halved past this many rows
)

func (c *listCache) worthIDs() bool {
	looked := c.recentLooked.Load()
	return looked == 0 || float64(c.recentHits.Load()) >= worthHitsPerRow*float64(looked)
}

// keepOneIn is how many of the pages read while the cache is not worth it
// keep their rows in it.
const keepOneIn = 8

// sampled reports whether this page read while not worth it is one of
// those that keep their rows.
func (c *listCache) sampled() bool { return c.unkept.Add(1)%keepOneIn == 1 }

// count adds a page's rows found and not found.
func (c *listCache) count(hits, misses int) {
	c.hits.Add(int64(hits))
	c.misses.Add(int64(misses))
	c.recentHits.Add(int64(hits))
	if c.recentLooked.Add(int64(hits+misses)) > recentRows {
		// Racy halving loses or doubles a few counts at most: a rate.
		c.recentHits.Store(c.recentHits.Load() / 2)
		c.recentLooked.Store(c.recentLooked.Load() / 2)
	}
}

func newListCache(size int) *listCache {
	return &listCache{entries: make(map[int64]*listEntry, min(size, 1024)), size: size}
}

// lookup sets found[i] to the entry of session ids[i] if it is cached at
// versions[i], and returns the indexes of the others, in page order.
func (c *listCache) lookup(ids, versions []int64, found []*listEntry) (misses []int) {
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
		found[i] = e
	}
	c.count(len(ids)-len(misses), len(misses))
	return misses
}

// uncached returns those of rows, read in one query, that are not cached
// at their version, and counts them as lookup does.
func (c *listCache) uncached(rows []*listRow) []*listRow {
	var out []*listRow
	c.mu.RLock()
	for _, r := range rows {
		if e := c.entries[r.ID]; e == nil || e.s.Version != r.Version {
			out = append(out, r)
		} else if !e.recent.Load() {
			e.recent.Store(true)
		}
	}
	c.mu.RUnlock()
	c.count(len(rows)-len(out), len(out))
	return out
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
