package sqlite

import (
	"slices"
	"strings"
	"testing"

	"github.com/coordapi/coord"
)

// listVersionsMigration is the migration that put the version into the
// list indexes.
const listVersionsMigration = 6

// A database of the webhooks' schema upgrades in place: the list indexes
// are replaced by ones with the version, the page's id query reads the
// index alone, and the sessions stored before are listed as they were.
func TestUpgradeToListVersions(t *testing.T) {
	ctx := t.Context()
	path, old := fileAt(t, listVersionsMigration-1)
	fill(t, old,
		`INSERT INTO users (user_id, partner_id, external_uid, created_at) VALUES ('u-1', 'p', 'x', 1000)`,
		`INSERT INTO sessions (user_id, location_id, status, currency, created_at, start_time, end_time, cost_amount, cost_currency, version)
			VALUES ('u-1', 'l', 'ended', 'EUR', 1000, 1000, 2000, 50, 'EUR', 3)`,
		`INSERT INTO sessions (user_id, location_id, status, currency, created_at, start_time, version)
			VALUES ('u-1', 'm', 'active', 'EUR', 3000, 3000, 1)`,
	)

	db := open(t, path, coord.StoreConfig{})
	var indexes []string
	for _, name := range indexNames(t, db, "sessions") {
		if strings.HasPrefix(name, "sessions_user") {
			indexes = append(indexes, name)
		}
	}
	if want := []string{"sessions_user_listed", "sessions_user_location_listed"}; !slices.Equal(indexes, want) {
		t.Errorf("list indexes %v, want %v", indexes, want)
	}
	for _, f := range []coord.SessionFilter{{UserID: "u-1", Limit: 50}, {UserID: "u-1", LocationID: "l", BeforeID: 9, Limit: 50}} {
		query, args := pageIDsQuery(f)
		var id, parent, notused int
		var plan string
		if err := db.reader.QueryRowContext(ctx, `EXPLAIN QUERY PLAN `+query, args...).Scan(&id, &parent, &notused, &plan); err != nil {
			t.Fatal(err)
		}
		if want := "USING COVERING INDEX sessions_user_"; !strings.Contains(plan, want) {
			t.Errorf("%+v: plan %q, want %q", f, plan, want)
		}
	}
	list, err := db.Sessions(ctx, coord.SessionFilter{UserID: "u-1"})
	if err != nil || len(list) != 2 || list[0].Status != coord.StatusActive || list[1].Version != 3 || list[1].Cost.Amount != 50 {
		t.Fatalf("after the upgrade: %s, %v", dump(list), err)
	}
}
