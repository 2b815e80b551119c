package sqlite

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
)

// pruneByIDMigration dropped the webhook tables' time indexes.
const pruneByIDMigration = 7

// A database with the time indexes upgrades in place: they are gone, and
// pruning deletes the deliveries and attempts before the cutoff, in id
// order, without them — a scan that stops at the first row to keep.
func TestUpgradeToPruneByID(t *testing.T) {
	ctx := t.Context()
	path, old := fileAt(t, pruneByIDMigration-1)
	cutoff := time.UnixMilli(10_000)
	// Times by id: 1 and 2 before the cutoff, 3 at it, 4 before it again
	// (committed just after 3), 5 after it.
	for i, at := range []int64{1000, 2000, 10_000, 9999, 20_000} {
		id := i + 1
		for _, stmt := range []string{
			`INSERT INTO webhook_deliveries (id, webhook_id, event_id, created_at, next_at, state) VALUES (?, 'w', 'evt', ?, ?, 'delivered')`,
			`INSERT INTO webhook_attempts (id, webhook_id, event_id, attempt, state, attempted_at, status_code, error, latency_ms)
				VALUES (?, 'w', 'evt', 1, 'delivered', ?, 204, '', 1)`,
		} {
			args := []any{id, at}
			if strings.Contains(stmt, "next_at") {
				args = append(args, at)
			}
			if _, err := old.ExecContext(ctx, stmt, args...); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	}
	must(t, old.Close())

	db := open(t, path, coord.StoreConfig{})
	indexes := indexNames(t, db, "webhook_deliveries", "webhook_attempts")
	if want := []string{"webhook_attempts_recent", "webhook_deliveries_due"}; !slices.Equal(indexes, want) {
		t.Errorf("indexes %v, want %v", indexes, want)
	}
	for _, table := range []string{"webhook_deliveries", "webhook_attempts"} {
		var plan string
		var id, parent, notused int
		stmt := pruneBefore(table, map[string]string{"webhook_deliveries": "created_at", "webhook_attempts": "attempted_at"}[table])
		if err := db.reader.QueryRowContext(ctx, `EXPLAIN QUERY PLAN `+stmt, 0).Scan(&id, &parent, &notused, &plan); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "USING INTEGER PRIMARY KEY") {
			t.Errorf("%s: prune plan %q, want the rows before the boundary by rowid", table, plan)
		}
	}

	if _, err := db.PruneEvents(ctx, cutoff); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"webhook_deliveries", "webhook_attempts"} {
		if got := tableIDs(t, db, table); !slices.Equal(got, []int64{3, 4, 5}) {
			t.Errorf("%s after pruning at the cutoff: ids %v, want 3, 4, 5", table, got)
		}
	}
	// A cutoff past every row deletes them all; an empty table stays so.
	for range 2 {
		if _, err := db.PruneEvents(ctx, time.UnixMilli(30_000)); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"webhook_deliveries", "webhook_attempts"} {
			if got := tableIDs(t, db, table); len(got) != 0 {
				t.Errorf("%s after pruning past every row: ids %v", table, got)
			}
		}
	}
}

func tableIDs(t *testing.T, db *DB, table string) []int64 {
	t.Helper()
	rows, err := db.reader.QueryContext(t.Context(), `SELECT id FROM `+table+` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	must(t, rows.Err())
	return ids
}

// indexNames lists the indexes of tables, sorted.
func indexNames(t *testing.T, db *DB, tables ...string) []string {
	t.Helper()
	var names []string
	for _, table := range tables {
		rows, err := db.reader.QueryContext(t.Context(), `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			must(t, rows.Scan(&name))
			names = append(names, name)
		}
		must(t, rows.Err())
	}
	slices.Sort(names)
	return names
}
