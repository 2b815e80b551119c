package sqlite

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/coordapi/coord"
)

// TestListRowIsScanSession checks the list's own row reading against
// scanSession's, on random histories of every status with every nullable
// column both NULL and set, odd strings and extreme integers: every page of
// every filter must be the same sessions, field for field.
func TestListRowIsScanSession(t *testing.T) {
	ctx := t.Context()
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	rng := rand.New(rand.NewPCG(18, 50))
	texts := []string{"", "a", "lot-7", "ünïcødé ✓", "🚗 P+R", `q"uo'te\`, "nul\x00byte", "EUR", "USD"}
	ints := []int64{0, 1, 255, 256, -1, -257, 1_700_000_000_000, math.MaxInt64, math.MinInt64}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	num := func() int64 { return ints[rng.IntN(len(ints))] }
	orNull := func(v any) any {
		if rng.IntN(2) == 0 {
			return nil
		}
		return v
	}
	var users []string
	locations := map[string]bool{}
	barcodes := 0
	for u := range 4 {
		user, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: fmt.Sprint(u)})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, user.UserID)
		for i := range 40 {
			status := []string{"ended", "cancelled", "pending", "active"}[rng.IntN(2)]
			if i == 39 { // at most one open session per user: the newest
				status = []string{"ended", "cancelled", "pending", "active"}[rng.IntN(4)]
			}
			loc := pick(texts)
			locations[loc] = true
			var barcode, start, end, cost, costCur, expires, exit, planned, plannedCur any
			barcode = orNull(fmt.Sprintf("CRD-%d-%s", barcodes, pick(texts)))
			barcodes++
			if status == "pending" {
				barcode = fmt.Sprintf("CRD-%d", barcodes)
				barcodes++
			}
			if status == "active" || status == "ended" {
				start = num()
			}
			if status == "ended" {
				end = num()
			}
			if status == "ended" || status == "cancelled" {
				cost, costCur = num(), pick(texts)
			}
			expires = orNull(num())
			if rng.IntN(2) == 0 {
				exit, planned, plannedCur = num(), num(), pick(texts)
			}
			if _, err := db.writer.ExecContext(ctx, `INSERT INTO sessions (user_id, location_id, status, resource_id,
				barcode, currency, created_at, start_time, end_time, expires_at, exit_at, planned_amount, planned_currency,
				cost_amount, cost_currency) VALUES (?, ?, ?, ?, ?, 'EUR', 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
				user.UserID, loc, status, pick(texts), barcode, start, end, expires, exit, planned, plannedCur, cost, costCur,
			); err != nil {
				t.Fatal(err)
			}
		}
	}
	var maxID int64
	if err := db.reader.QueryRowContext(ctx, `SELECT max(id) FROM sessions`).Scan(&maxID); err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, user := range users {
		for loc := range locations {
			for _, limit := range []int{1, 3, 50, 100} {
				for _, before := range []int64{0, maxID / 2, rng.Int64N(maxID + 1)} {
					for _, loc := range []string{"", loc} {
						f := coord.SessionFilter{UserID: user, LocationID: loc, BeforeID: before, Limit: limit}
						query, args := listQuery(f)
						got, _, err := listSessions(ctx, db.ro, 0, f, query, args)
						if err != nil {
							t.Fatal(err)
						}
						want := scannedPage(t, db, f)
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("Sessions(%+v):\n got %s\nwant %s", f, dump(got), dump(want))
						}
						pages++
					}
				}
			}
		}
	}
	t.Logf("%d pages compared", pages)
}

// scannedPage is the page of f read with sessionCols and scanSession.
func scannedPage(t *testing.T, db *DB, f coord.SessionFilter) []*coord.Session {
	t.Helper()
	rows, err := db.reader.QueryContext(t.Context(), `SELECT `+sessionCols+` FROM sessions
		WHERE user_id = ? AND (? = '' OR location_id = ?) AND (? <= 0 OR id < ?) ORDER BY id DESC LIMIT ?`,
		f.UserID, f.LocationID, f.LocationID, f.BeforeID, f.BeforeID, f.Limit)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	list := []*coord.Session{}
	for rows.Next() {
		r, err := scanSession(rows)
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, &r.Session)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return list
}

func dump(list []*coord.Session) string {
	s := ""
	for _, x := range list {
		s += fmt.Sprintf("\n  %+v cost=%v planned=%v start=%v end=%v settles=%v", *x, x.Cost, x.PlannedCost, x.StartTime, x.EndTime, x.SettlesAt)
	}
	return s
}
