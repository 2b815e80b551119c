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
