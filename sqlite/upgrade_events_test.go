package sqlite

import (
	"testing"

	"github.com/coordapi/coord"
)

// eventsMigration is the migration that added session versions and the
// event log.
const eventsMigration = 4

// A database of the schema before the event log upgrades in place: its
// sessions get version 1 and their next change is the partner's first event.
func TestUpgradeToTheEventLog(t *testing.T) {
	ctx := t.Context()
	path, old := fileAt(t, eventsMigration-1)
	fill(t, old,
		`INSERT INTO users (user_id, partner_id, external_uid, created_at) VALUES ('u-1', 'p', 'x', 1000)`,
		`INSERT INTO sessions (id, user_id, location_id, status, currency, created_at, start_time)
			VALUES (7, 'u-1', 'l', 'active', 'USD', 1000, 1000)`,
	)

	db := open(t, path, coord.StoreConfig{})
	ref := coord.SessionRef{UserID: "u-1", LocationID: "l", ID: 7}
	s, err := db.Session(ctx, ref)
	if err != nil || s.Version != 1 {
		t.Fatalf("old session after the upgrade: %+v, %v", s, err)
	}
	price := coord.Price{Rate: coord.Money{Amount: 60, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}
	ended, _, err := db.EndSession(ctx, ref, price)
	if err != nil || ended.Version != 2 {
		t.Fatalf("end: %+v, %v", ended, err)
	}
	list, err := db.Events(ctx, coord.EventFilter{PartnerID: "p"})
	if err != nil || len(list) != 1 || list[0].Seq != 1 || list[0].Type != coord.EventSessionEnded || list[0].Session.ID != 7 {
		t.Fatalf("events after the upgrade: %+v, %v", list, err)
	}
}
