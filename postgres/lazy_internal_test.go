package postgres

import "testing"

// lazy's statement runs with synchronous_commit off, and the connection it
// ran on is back to the server's setting afterwards.
func TestLazyIsLocalToItsStatement(t *testing.T) {
	db := openInternal(t, "&pool_max_conns=1")
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
