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

// The notifications' transaction commits with synchronous_commit off, and
// leaves its connection at the server's setting.
func TestNotificationsCommitLazily(t *testing.T) {
	db := openInternal(t, "&pool_max_conns=1")
	ctx := t.Context()
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, notifyBatchQuery, db.channel, []string{"0 0 test p"}); err != nil {
		t.Fatal(err)
	}
	var in, after string
	if err := tx.QueryRow(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&in); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if in != "off" || after != "on" {
		t.Fatalf("synchronous_commit %s in the notifications' transaction, %s after; want off, on", in, after)
	}
}
