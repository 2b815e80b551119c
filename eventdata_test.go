package coord_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/coordapi/coord"
)

// SetSession gives an event the session SetData would read back from the
// session's stored data: the same fields, times in UTC, nothing else (not
// SettlesAt nor PlannedCost, which the stored data does not keep).
func TestSetSessionIsSetDataOfTheStoredData(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.FixedZone("X", 3600))
	end := start.Add(90 * time.Minute)
	settles := end.Add(time.Hour)
	cases := map[string]*coord.Session{
		"full": {ID: 42, LocationID: "downtown-garage", UserID: "3f2b1c9e-6d4a-4e8b-9a7c-1b2c3d4e5f60",
			Status: coord.StatusEnded, StartTime: &start, EndTime: &end, ResourceID: "stall 7", Barcode: "CRD-1",
			Cost: &coord.Money{Amount: 1250, Currency: "USD"}, Version: 3, SettlesAt: &settles,
			PlannedCost: &coord.Money{Amount: 1, Currency: "USD"}},
		"pending": {ID: 1, LocationID: "l", UserID: "u", Status: coord.StatusPending},
		"zero":    {},
	}
	for name, s := range cases {
		var want coord.Event
		if err := want.SetData(coord.SessionEventData(s)); err != nil {
			t.Fatal(err)
		}
		var got coord.Event
		got.SetSession(s)
		if !reflect.DeepEqual(got.Session, want.Session) {
			t.Errorf("%s: SetSession %+v\nwant SetData's %+v", name, got.Session, want.Session)
		}
		if got.Session == s || got.Session.StartTime != nil && got.Session.StartTime == s.StartTime {
			t.Errorf("%s: SetSession shares the session given", name)
		}
	}
}
