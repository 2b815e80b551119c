package sqlite

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/storetest"
)

var listPrice = coord.Price{Rate: coord.Money{Amount: 100, Currency: "EUR"}, RatePeriodM: 60, IncrementM: 1}

// listEnv is a store on a fake clock with one user.
type listEnv struct {
	t     *testing.T
	db    *DB
	clock *storetest.Clock
	user  string
}

func newListEnv(t *testing.T) *listEnv {
	t.Helper()
	clock := storetest.NewClock()
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{Clock: clock, PendingTTL: time.Hour})
	u, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	return &listEnv{t: t, db: db, clock: clock, user: u.UserID}
}

// start creates a session of the user at loc: gate (pending) or app (active).
func (e *listEnv) start(loc string, gate bool) coord.SessionRef {
	e.t.Helper()
	s, _, err := e.db.CreateSession(e.t.Context(), coord.NewSession{UserID: e.user, LocationID: loc, Currency: "EUR", Gate: gate})
	if err != nil {
		e.t.Fatal(err)
	}
	return coord.SessionRef{UserID: e.user, LocationID: loc, ID: s.ID}
}

func (e *listEnv) end(ref coord.SessionRef) {
	e.t.Helper()
	e.clock.Advance(7 * time.Minute)
	if _, _, err := e.db.EndSession(e.t.Context(), ref, listPrice); err != nil {
		e.t.Fatal(err)
	}
}

// ended makes n ended app sessions at loc.
func (e *listEnv) ended(loc string, n int) {
	e.t.Helper()
	for range n {
		e.end(e.start(loc, false))
	}
}

// list lists f's page through the store, and checks it against the page
// as one query reads it from the database right after.
func (e *listEnv) list(f coord.SessionFilter) []*coord.Session {
	e.t.Helper()
	got, err := e.db.Sessions(e.t.Context(), f)
	if err != nil {
		e.t.Fatal(err)
	}
	f = f.Page()
	query, args := listQuery(f)
	want, _, err := listSessions(e.t.Context(), e.db.ro, e.db.now(), f, query, args)
	if err != nil {
		e.t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		e.t.Fatalf("Sessions(%+v):\n%s\nthe database has:\n%s", f, dump(got), dump(want))
	}
	return got
}

// TestListedFinalRowsComeFromTheCache: the second listing of a page of
// ended and cancelled sessions reads none of their rows; the open session
// is read each time.
func TestListedFinalRowsComeFromTheCache(t *testing.T) {
	e := newListEnv(t)
	e.ended("l", 20)
	pending := e.start("l", true)
	e.clock.Advance(2 * time.Hour) // expires: cancelled by the next read
	e.list(coord.SessionFilter{UserID: e.user})
	e.list(coord.SessionFilter{UserID: e.user}) // the one that settled it read it in its write
	e.start("l", false)
	c := e.db.lists
	hits, misses := c.hits.Load(), c.misses.Load()
	page := e.list(coord.SessionFilter{UserID: e.user})
	if len(page) != 22 || page[1].ID != pending.ID || page[1].Status != coord.StatusCancelled {
		t.Fatalf("page: %s", dump(page))
	}
	if h, m := c.hits.Load()-hits, c.misses.Load()-misses; h != 21 || m != 1 {
		t.Errorf("second listing: %d rows from the cache, %d read; want 21 and the open session's 1", h, m)
	}
}

// TestListIsNeverStale: a session that changes after it was listed, by a
// request, by the clock (a pending session's expiry, an active one's
// exit) or behind the store's back (another process, a later kind of
// write), is listed as it is now.
func TestListIsNeverStale(t *testing.T) {
	e := newListEnv(t)
	all := coord.SessionFilter{UserID: e.user}
	e.ended("l", 3)

	app := e.start("l", false)
	e.list(all)
	e.end(app)
	if s := e.list(all)[0]; s.Status != coord.StatusEnded || s.Cost == nil {
		t.Errorf("after end_session: %+v", *s)
	}

	gate := e.start("l", true)
	e.list(all)
	e.clock.Advance(2 * time.Hour)
	if s := e.list(all)[0]; s.ID != gate.ID || s.Status != coord.StatusCancelled {
		t.Errorf("after its expiry: %+v", *s)
	}

	gate = e.start("l", true)
	if _, err := e.db.Redeem(t.Context(), gate, 10*time.Minute, listPrice); err != nil {
		t.Fatal(err)
	}
	if s := e.list(all)[0]; s.Status != coord.StatusActive {
		t.Errorf("redeemed: %+v", *s)
	}
	e.clock.Advance(11 * time.Minute)
	if s := e.list(all)[0]; s.ID != gate.ID || s.Status != coord.StatusEnded || s.EndTime == nil {
		t.Errorf("after its exit: %+v", *s)
	}

	// A final row, cached, rewritten with its version bumped.
	e.list(all)
	if _, err := e.db.writer.ExecContext(t.Context(), `UPDATE sessions SET cost_amount = 12345, version = version + 1
		WHERE id = ?`, app.ID); err != nil {
		t.Fatal(err)
	}
	for _, s := range e.list(all) {
		if s.ID == app.ID && (s.Cost == nil || s.Cost.Amount != 12345) {
			t.Errorf("rewritten behind the store's back: %+v", *s)
		}
	}

	// The same through a second handle on the file, as another process.
	other := open(t, e.db.path(t), coord.StoreConfig{Clock: e.clock, PendingTTL: time.Hour})
	e.list(all)
	later := e.start("m", false)
	if _, _, err := other.EndSession(t.Context(), later, listPrice); err != nil {
		t.Fatal(err)
	}
	if s := e.list(all)[0]; s.ID != later.ID || s.Status != coord.StatusEnded {
		t.Errorf("ended by another handle: %+v", *s)
	}
}

// path is the file the store is on.
func (db *DB) path(t *testing.T) string {
	t.Helper()
	var name string
	if err := db.reader.QueryRowContext(t.Context(), `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestListPagesMatchOneQuery lists random pages (every filter: location or
// not, before_id cursors, page sizes) of a history that keeps changing, so
// that pages mix rows cached by earlier pages, rows cached at an older
// version and rows never read; each must be the page one query reads.
func TestListPagesMatchOneQuery(t *testing.T) {
	e := newListEnv(t)
	rng := rand.New(rand.NewPCG(18, 2))
	locations := []string{"a", "b", "c"}
	var ids []int64
	var open *coord.SessionRef
	for round := range 300 {
		switch op := rng.IntN(10); {
		case op < 4 && open == nil:
			ref := e.start(locations[rng.IntN(len(locations))], rng.IntN(2) == 0)
			open, ids = &ref, append(ids, ref.ID)
		case op < 6 && open != nil:
			if _, err := e.db.Redeem(t.Context(), *open, time.Duration(rng.IntN(20))*time.Minute, listPrice); err == nil {
				break
			}
			if _, _, err := e.db.EndSession(t.Context(), *open, listPrice); err != nil && coord.ErrorCode(err) != coord.EPhysicalCheckout {
				t.Fatal(err)
			}
		case op < 7:
			e.clock.Advance(time.Duration(rng.IntN(90)) * time.Minute)
		case op < 8 && len(ids) > 0: // a final row rewritten, version bumped
			if _, err := e.db.writer.ExecContext(t.Context(), `UPDATE sessions SET resource_id = ?, version = version + 1
				WHERE id = ? AND status IN ('ended', 'cancelled')`, fmt.Sprint("r", round), ids[rng.IntN(len(ids))]); err != nil {
				t.Fatal(err)
			}
		}
		if open != nil {
			if s, err := e.db.Session(t.Context(), *open); err == nil && (s.Status == coord.StatusEnded || s.Status == coord.StatusCancelled) {
				open = nil
			}
		}
		f := coord.SessionFilter{UserID: e.user, Limit: rng.IntN(30)}
		if rng.IntN(3) == 0 {
			f.LocationID = locations[rng.IntN(len(locations))]
		}
		if len(ids) > 0 && rng.IntN(2) == 0 {
			f.BeforeID = ids[rng.IntN(len(ids))] + int64(rng.IntN(2))
		}
		e.list(f)
	}
	if e.db.lists.hits.Load() == 0 || e.db.lists.misses.Load() == 0 {
		t.Errorf("%d rows from the cache, %d read: the pages did not mix both", e.db.lists.hits.Load(), e.db.lists.misses.Load())
	}
}

// TestPageMovedBetweenItsQueries: a range whose rows are not the page's,
// or whose missed row is at another version than the page's first query
// read, fails the page, which is then read in one query.
func TestPageMovedBetweenItsQueries(t *testing.T) {
	row := func(id, version int64) *listRow { return &listRow{Session: coord.Session{ID: id, Version: version}} }
	cached := &coord.Session{ID: 8}
	for _, c := range []struct {
		name string
		read []*listRow
		want error
	}{
		{"the page's rows", []*listRow{row(9, 2), row(8, 5)}, nil},
		{"a miss at a newer version", []*listRow{row(9, 3), row(8, 5)}, errPageMoved},
		{"a row more", []*listRow{row(9, 2), row(8, 5), row(7, 1)}, errPageMoved},
		{"a row less", []*listRow{row(9, 2)}, errPageMoved},
		{"another row", []*listRow{row(10, 2), row(8, 5)}, errPageMoved},
	} {
		list := []*coord.Session{nil, cached}
		filled, _, err := fillMisses(list, []int64{9, 8}, []int64{2, 1}, c.read, 0)
		if err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if err == nil && (len(filled) != 1 || list[0] != &c.read[0].Session || list[1] != cached) {
			t.Errorf("%s: filled %v, page %v", c.name, filled, list)
		}
	}
}

func finalRow(id, version int64) *listRow {
	r := &listRow{Session: coord.Session{ID: id, Version: version, Status: coord.StatusEnded, LocationID: "lot-42"}}
	r.start, r.end = time.UnixMilli(id).UTC(), time.UnixMilli(id+1).UTC()
	r.cost = coord.Money{Amount: id, Currency: strings.Clone("EUR")}
	r.StartTime, r.EndTime, r.Cost = &r.start, &r.end, &r.cost
	return r
}

// TestListCacheIsBounded: the cache never holds more than its size, and
// an eviction spares the rows read since the last one.
func TestListCacheIsBounded(t *testing.T) {
	c := newListCache(100)
	var rows []*listRow
	for id := range int64(90) {
		rows = append(rows, finalRow(id+1, 1))
	}
	c.keep(rows)
	hot := []int64{3, 30, 60}
	if misses := c.lookup(hot, []int64{1, 1, 1}, make([]*listEntry, 3)); len(misses) != 0 {
		t.Fatalf("misses %v", misses)
	}
	for id := int64(100); id < 1000; id += 10 {
		var more []*listRow
		for i := range int64(10) {
			more = append(more, finalRow(id+i, 1))
		}
		c.keep(more)
		if c.len() > 100 {
			t.Fatalf("%d rows cached, size 100", c.len())
		}
		if id == 100 {
			if misses := c.lookup(hot, []int64{1, 1, 1}, make([]*listEntry, 3)); len(misses) != 0 {
				t.Errorf("rows read before the eviction were evicted: %v", misses)
			}
		}
	}
	// Pending and active rows are never kept.
	open := finalRow(5000, 1)
	open.Status = coord.StatusActive
	c.keep([]*listRow{open})
	if misses := c.lookup([]int64{5000}, []int64{1}, make([]*listEntry, 1)); len(misses) != 1 {
		t.Error("an active row was cached")
	}
}

// TestListCacheEntrySize measures what a cached row costs in memory, for
// the bound stated in listcache.go.
func TestListCacheEntrySize(t *testing.T) {
	const n = 20_000
	c := newListCache(n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for id := range int64(n) {
		r := finalRow(id+1, 2)
		r.LocationID = strings.Clone("lot-42")
		r.ResourceID = strings.Clone("bay-7")
		c.keep([]*listRow{r})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.0f bytes a cached row; %d rows: %.1f MiB", per, listCacheSize, per*listCacheSize/(1<<20))
	if per > 512 {
		t.Errorf("%.0f bytes a cached row; listcache.go states a few hundred", per)
	}
	runtime.KeepAlive(c)
}

// TestEverySessionUpdateBumpsVersion: the list cache takes a session's
// version for its content (listcache.go), so every UPDATE of sessions in
// the store's code must bump it.
func TestEverySessionUpdateBumpsVersion(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	update := regexp.MustCompile("(?is)UPDATE\\s+sessions\\b[^`]*")
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range update.FindAllString(string(src), -1) {
			found++
			if !strings.Contains(stmt, "version = version + 1") {
				t.Errorf("%s: an UPDATE of sessions that leaves the version: %s", name, stmt)
			}
		}
	}
	if found < 4 {
		t.Errorf("found %d UPDATEs of sessions; the store has at least 4", found)
	}
}

// TestListCacheNotWorthItReadsInOneQuery: while few rows looked up are
// found, pages are read in one query, and their rows still kept and
// counted, so that a page listed again brings the cache back.
func TestListCacheNotWorthItReadsInOneQuery(t *testing.T) {
	c := newListCache(100)
	if !c.worthIDs() {
		t.Error("an unused cache is not worth reading ids for")
	}
	c.count(10, 90)
	if c.worthIDs() {
		t.Error("10 of 100 rows found: worth it")
	}
	c.count(recentRows, 0) // the counts halve: the misses fade
	if !c.worthIDs() {
		t.Error("the rows found since are not counted")
	}

	e := newListEnv(t)
	e.ended("l", 30)
	e.db.lists.count(0, 100)
	if e.db.lists.worthIDs() {
		t.Fatal("worth it after 100 rows missed")
	}
	all := coord.SessionFilter{UserID: e.user}
	e.list(all) // in one query; the first such page keeps its rows
	hits := e.db.lists.hits.Load()
	listings := 1
	for ; !e.db.lists.worthIDs() && listings < 20; listings++ {
		e.list(all)
	}
	if !e.db.lists.worthIDs() || e.db.lists.hits.Load()-hits != int64(30*(listings-1)) {
		t.Errorf("after %d listings of the same page: worth it %v, %d rows found", listings,
			e.db.lists.worthIDs(), e.db.lists.hits.Load()-hits)
	}
	// While not worth it, seven pages in eight keep nothing.
	e.db.lists.count(0, 1000)
	e.db.lists.unkept.Store(1) // the sampled page was the last
	cached := e.db.lists.len()
	e.ended("m", 1)
	for range keepOneIn - 1 {
		e.list(all)
	}
	if got := e.db.lists.len(); got != cached {
		t.Errorf("%d rows cached after pages that keep nothing, %d before", got, cached)
	}
}
