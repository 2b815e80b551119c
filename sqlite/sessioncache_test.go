package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/storetest"
)

// openCached opens a fresh database on a fake clock with one user and one
// active app session of theirs, read once so that it is cached.
func openCached(t *testing.T) (*DB, *storetest.Clock, coord.SessionRef) {
	t.Helper()
	clock := storetest.NewClock()
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{Clock: clock, PendingTTL: time.Hour})
	u, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := db.CreateSession(t.Context(), coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	ref := coord.SessionRef{UserID: u.UserID, LocationID: "l", ID: s.ID}
	if _, err := db.Session(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	return db, clock, ref
}

// TestSessionReadsComeFromTheCache changes a session behind the store's
// back (as another process on the file would): a read within the cache's
// age still gives the state as read, a read after it the database's.
func TestSessionReadsComeFromTheCache(t *testing.T) {
	db, clock, ref := openCached(t)
	if _, err := db.writer.ExecContext(t.Context(), `UPDATE sessions SET version = 99 WHERE id = ?`, ref.ID); err != nil {
		t.Fatal(err)
	}
	s, err := db.Session(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 1 {
		t.Errorf("read within the cache's age: version %d, want the cached 1", s.Version)
	}
	clock.Advance(sessionCacheAge * time.Millisecond)
	if s, err = db.Session(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	if s.Version != 99 {
		t.Errorf("read after the cache's age: version %d, want the database's 99", s.Version)
	}
}

// TestCachedSessionIsNotAnotherUsers: a cached session is found only for
// its own user and location; for anyone else the database answers, not
// found, as without the cache.
func TestCachedSessionIsNotAnotherUsers(t *testing.T) {
	db, _, ref := openCached(t)
	other, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "other"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []coord.SessionRef{
		{UserID: other.UserID, LocationID: ref.LocationID, ID: ref.ID},
		{UserID: ref.UserID, LocationID: "elsewhere", ID: ref.ID},
	} {
		if _, err := db.Session(t.Context(), r); coord.ErrorCode(err) != coord.ENotFound {
			t.Errorf("session %+v: %v, want not found", r, err)
		}
	}
}

// TestEveryCommittedChangeDropsTheCachedSession goes through every way a
// session changes (end, redemption, a due exit settled by a read and by
// SettleDue, an expiry): the read after each gives the new state, though
// the old one was cached and the clock has not moved past the cache's age.
func TestEveryCommittedChangeDropsTheCachedSession(t *testing.T) {
	ctx := t.Context()
	price := coord.Price{Rate: coord.Money{Amount: 300, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}
	read := func(t *testing.T, db *DB, ref coord.SessionRef) *coord.Session {
		t.Helper()
		s, err := db.Session(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	gate := func(t *testing.T) (*DB, *storetest.Clock, coord.SessionRef) {
		db, clock, app := openCached(t)
		if _, _, err := db.EndSession(ctx, app, price); err != nil {
			t.Fatal(err)
		}
		s, _, err := db.CreateSession(ctx, coord.NewSession{UserID: app.UserID, LocationID: "l", Currency: "USD", Gate: true})
		if err != nil {
			t.Fatal(err)
		}
		ref := coord.SessionRef{UserID: app.UserID, LocationID: "l", ID: s.ID}
		read(t, db, ref)
		return db, clock, ref
	}
	t.Run("end", func(t *testing.T) {
		db, _, ref := openCached(t)
		if _, _, err := db.EndSession(ctx, ref, price); err != nil {
			t.Fatal(err)
		}
		if s := read(t, db, ref); s.Status != coord.StatusEnded {
			t.Errorf("after end: %s", s.Status)
		}
	})
	t.Run("redeem, then the exit settled by a read", func(t *testing.T) {
		db, clock, ref := gate(t)
		if _, err := db.Redeem(ctx, ref, 100*time.Millisecond, price); err != nil {
			t.Fatal(err)
		}
		if s := read(t, db, ref); s.Status != coord.StatusActive {
			t.Errorf("after redeem: %s", s.Status)
		}
		clock.Advance(100 * time.Millisecond)
		if s := read(t, db, ref); s.Status != coord.StatusEnded {
			t.Errorf("after the exit fell due: %s", s.Status)
		}
	})
	t.Run("exit settled by SettleDue", func(t *testing.T) {
		db, clock, ref := gate(t)
		if _, err := db.Redeem(ctx, ref, 100*time.Millisecond, price); err != nil {
			t.Fatal(err)
		}
		read(t, db, ref)
		clock.Advance(100 * time.Millisecond)
		if n, err := db.SettleDue(ctx); err != nil || n != 1 {
			t.Fatalf("SettleDue: %d, %v", n, err)
		}
		if s := read(t, db, ref); s.Status != coord.StatusEnded || s.Version != 3 {
			t.Errorf("after SettleDue: %s, version %d", s.Status, s.Version)
		}
	})
	t.Run("expiry", func(t *testing.T) {
		db, clock, ref := gate(t)
		clock.Advance(time.Hour)
		if s := read(t, db, ref); s.Status != coord.StatusCancelled {
			t.Errorf("after the expiry: %s", s.Status)
		}
	})
}

// TestNoReadAfterAnAcknowledgedWriteIsOlder races pollers against a writer
// ending sessions one after another: once EndSession has returned, every
// read begun after it sees the session ended.
func TestNoReadAfterAnAcknowledgedWriteIsOlder(t *testing.T) {
	ctx := t.Context()
	db, _, first := openCached(t)
	price := coord.Price{Rate: coord.Money{Amount: 300, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}
	const rounds, pollers = 100, 4
	var (
		mu    sync.Mutex
		ref   = first
		ended bool // ref's EndSession has returned
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range pollers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				r, mustBeEnded := ref, ended
				mu.Unlock()
				s, err := db.Session(ctx, r)
				if err != nil {
					t.Error(err)
					return
				}
				if mustBeEnded && s.Status != coord.StatusEnded {
					t.Errorf("session %d read as %s after its end was acknowledged", r.ID, s.Status)
					return
				}
			}
		})
	}
	for i := range rounds {
		mu.Lock()
		r := ref
		mu.Unlock()
		if _, _, err := db.EndSession(ctx, r, price); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		ended = true
		mu.Unlock()
		time.Sleep(time.Millisecond) // let the pollers read it ended
		if i == rounds-1 {
			break
		}
		s, _, err := db.CreateSession(ctx, coord.NewSession{UserID: r.UserID, LocationID: "l", Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		next := coord.SessionRef{UserID: r.UserID, LocationID: "l", ID: s.ID}
		if _, err := db.Session(ctx, next); err != nil { // cached while active
			t.Fatal(err)
		}
		mu.Lock()
		ref, ended = next, false
		mu.Unlock()
		time.Sleep(time.Millisecond) // let the pollers cache it active
	}
	close(stop)
	wg.Wait()
}

// TestACommitUnderWayBlocksHitsAndFills: while a commit that changes a
// session is under way, the cache neither answers for it nor takes a read
// of it, and a read begun before any invalidation never fills it.
func TestACommitUnderWayBlocksHitsAndFills(t *testing.T) {
	c := newSessionCache()
	ref := coord.SessionRef{UserID: "u", LocationID: "l", ID: 7}
	row := &sessionRow{Session: coord.Session{ID: 7, UserID: "u", LocationID: "l"}}
	c.put(row, 0, c.generation())
	if _, ok := c.get(ref, 0); !ok {
		t.Fatal("no hit after a put")
	}
	gen := c.generation()
	c.changing([]int64{7})
	if _, ok := c.get(ref, 0); ok {
		t.Error("a hit while its change commits")
	}
	c.put(row, 0, c.generation())
	if _, ok := c.get(ref, 0); ok {
		t.Error("a fill while its change commits")
	}
	c.changed([]int64{7})
	c.put(row, 0, gen)
	if _, ok := c.get(ref, 0); ok {
		t.Error("a fill by a read begun before the change")
	}
	c.put(row, 0, c.generation())
	if _, ok := c.get(ref, 0); !ok {
		t.Error("no hit after the change and a fresh read")
	}
}

// A committed write leaves the session in the cache as the write left it,
// so the read after it (a woken long-poll's) does not go to the database;
// a write that failed leaves nothing of its own there.
func TestACommittedWriteCachesTheSessionItLeft(t *testing.T) {
	ctx := t.Context()
	db, _, ref := openCached(t)
	price := coord.Price{Rate: coord.Money{Amount: 300, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}
	ended, _, err := db.EndSession(ctx, ref, price)
	if err != nil {
		t.Fatal(err)
	}
	// Behind the store's back: a read from the cache does not see it.
	if _, err := db.writer.ExecContext(ctx, `UPDATE sessions SET version = 99 WHERE id = ?`, ref.ID); err != nil {
		t.Fatal(err)
	}
	s, err := db.Session(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != coord.StatusEnded || s.Version != ended.Version || s.Cost == nil || *s.Cost != *ended.Cost {
		t.Errorf("read after the end: %s version %d cost %v, want the write's ended version %d cost %v",
			s.Status, s.Version, s.Cost, ended.Version, ended.Cost)
	}
	if s == ended {
		t.Error("the read returned the writer's own session, not a copy")
	}

	// A write that fails after its event (rolled back): the database's
	// state is read, not the failed write's.
	db.sessions.changed([]int64{ref.ID})
	boom := errors.New("boom")
	err = db.write(ctx, func(ctx context.Context, tx querier) error {
		r, err := userSession(ctx, tx, ref)
		if err != nil {
			return err
		}
		r.Version = 1000
		if err := sessionEvent(ctx, tx, db.now(), coord.EventSessionEnded, r); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("write: %v", err)
	}
	if s, err = db.Session(ctx, ref); err != nil || s.Version != 99 {
		t.Errorf("after a failed write: version %d, %v; want the database's 99", s.Version, err)
	}
}
