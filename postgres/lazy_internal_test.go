package postgres

import (
	"os"
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/internal/pgtest"
)

// lazy's statement runs with synchronous_commit off, and the connection it
// ran on is back to the server's setting afterwards.
func TestLazyIsLocalToItsStatement(t *testing.T) {
	dsn := os.Getenv("COORD_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("COORD_TEST_POSTGRES is not set")
	}
	schemaDSN, drop, err := pgtest.NewSchema(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	db, err := Open(t.Context(), schemaDSN+"&pool_max_conns=1", coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for range 2 {
		br, err := db.lazy(t.Context(), `SELECT current_setting('synchronous_commit')`)
		if err != nil {
			t.Fatal(err)
		}
		var in, after string
		if err := br.QueryRow().Scan(&in); err != nil {
			t.Fatal(err)
		}
		if err := br.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.pool.QueryRow(t.Context(), `SELECT current_setting('synchronous_commit')`).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if in != "off" || after != "on" {
			t.Fatalf("synchronous_commit %s in lazy, %s after; want off, on", in, after)
		}
	}
}
