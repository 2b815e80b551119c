package postgres_test

import (
	"os"
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/internal/pgtest"
	"github.com/coordapi/coord/postgres"
	"github.com/coordapi/coord/storetest"
)

// TestStore runs the conformance suite against a real PostgreSQL. Every
// subtest opens its own handle on one fresh schema, so Open on an already
// migrated schema is exercised too.
func TestStore(t *testing.T) {
	dsn := testSchema(t)
	storetest.Run(t, func(t *testing.T) func(coord.StoreConfig) coord.Store {
		return func(cfg coord.StoreConfig) coord.Store { return open(t, dsn, cfg) }
	})
}

// testSchema returns the DSN of a fresh schema in the database named by
// COORD_TEST_POSTGRES, dropped when t ends.
func testSchema(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("COORD_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("COORD_TEST_POSTGRES is not set; to run the PostgreSQL tests set it to a DSN such as " +
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	}
	schemaDSN, drop, err := pgtest.NewSchema(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return schemaDSN
}

// open opens a store on dsn, closed when t ends.
func open(t testing.TB, dsn string, cfg coord.StoreConfig) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
