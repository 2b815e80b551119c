package postgres

import (
	"os"
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/internal/pgtest"
)

// openInternal opens a store on a fresh schema of COORD_TEST_POSTGRES
// (skipping without it), with extra DSN parameters ("&k=v"), for the tests
// inside the package; closed and dropped when t ends.
func openInternal(t *testing.T, params string) *DB {
	t.Helper()
	db, err := Open(t.Context(), internalSchema(t)+params, coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// internalSchema makes a fresh schema of COORD_TEST_POSTGRES (skipping
// without it), dropped when t ends, and returns its DSN.
func internalSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("COORD_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("COORD_TEST_POSTGRES is not set")
	}
	schemaDSN, drop, err := pgtest.NewSchema(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	return schemaDSN
}
