package postgres_test

import (
	"github.com/coordapi/coord"
	"testing"

	"github.com/coordapi/coord/internal/bench/storebench"
)

// The benchmarks need COORD_TEST_POSTGRES, like the tests; each gets a fresh schema.

func BenchmarkSession(b *testing.B) { storebench.Get(b, open(b, testSchema(b), coord.StoreConfig{})) }
func BenchmarkSessionParallel(b *testing.B) {
	storebench.GetParallel(b, open(b, testSchema(b), coord.StoreConfig{}))
}
func BenchmarkCreateSession(b *testing.B) {
	storebench.Create(b, open(b, testSchema(b), coord.StoreConfig{}))
}
func BenchmarkSessions(b *testing.B) { storebench.List(b, open(b, testSchema(b), coord.StoreConfig{})) }
