package sqlite

import (
	"github.com/coordapi/coord"
	"path/filepath"
	"testing"

	"github.com/coordapi/coord/internal/bench/storebench"
)

// openBench opens a store in a temporary directory, closed when b ends.
func openBench(b *testing.B) *DB {
	b.Helper()
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), "coord.db"), coord.StoreConfig{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func BenchmarkSession(b *testing.B)         { storebench.Get(b, openBench(b)) }
func BenchmarkSessionParallel(b *testing.B) { storebench.GetParallel(b, openBench(b)) }
func BenchmarkCreateSession(b *testing.B)   { storebench.Create(b, openBench(b)) }
func BenchmarkSessions(b *testing.B)        { storebench.List(b, openBench(b)) }

// BenchmarkSessionsUncached is BenchmarkSessions with none of the page's
// rows cached: a user's first listing while the cache is worth reading
// through (two queries); BenchmarkSessionsThrashing the same while it is
// not (one query, as without the cache), its rows still kept.
func BenchmarkSessionsUncached(b *testing.B)  { benchUncached(b, true) }
func BenchmarkSessionsThrashing(b *testing.B) { benchUncached(b, false) }

func benchUncached(b *testing.B, worth bool) {
	ctx := b.Context()
	db := openBench(b)
	u, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: "list"})
	if err != nil {
		b.Fatal(err)
	}
	for range 60 {
		s, _, err := db.CreateSession(ctx, coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "EUR"})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := db.EndSession(ctx, coord.SessionRef{UserID: u.UserID, LocationID: "l", ID: s.ID}, listPrice); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		db.lists.mu.Lock()
		clear(db.lists.entries)
		db.lists.mu.Unlock()
		if worth {
			db.lists.recentHits.Store(0)
			db.lists.recentLooked.Store(0)
		}
		if page, err := db.Sessions(ctx, coord.SessionFilter{UserID: u.UserID, Limit: 50}); err != nil || len(page) != 50 {
			b.Fatal(len(page), err)
		}
	}
}
