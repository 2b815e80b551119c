package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
)

// sessionCols is what every session query selects or returns, in the order
// scanSession reads.
const sessionCols = `id, location_id, user_id::text, status, start_time, end_time, resource_id,
	coalesce(barcode, ''), cost_amount, cost_currency, planned_amount, planned_currency, exit_at, expires_at`

// sessionRow is a session with the columns that say when it settles by itself.
type sessionRow struct {
	*coord.Session
	exitAt    *time.Time // a redeemed gate session's simulated exit
	expiresAt *time.Time // a pending gate session's expiry
}

// due reports whether the session's simulated exit or expiry has passed, so
// that it must be settled before anyone sees it.
func (r *sessionRow) due(now time.Time) bool {
	switch r.Status {
	case coord.StatusActive:
		return r.exitAt != nil && !r.exitAt.After(now)
	case coord.StatusPending:
		return r.expiresAt != nil && !r.expiresAt.After(now)
	}
	return false
}

// scanSession reads one row of sessionCols.
func scanSession(row pgx.Row) (*sessionRow, error) {
	var (
		s             coord.Session
		r             = sessionRow{Session: &s}
		cost, planned nullMoney
	)
	err := row.Scan(&s.ID, &s.LocationID, &s.UserID, &s.Status, &s.StartTime, &s.EndTime, &s.ResourceID,
		&s.Barcode, &cost.amount, &cost.currency, &planned.amount, &planned.currency, &r.exitAt, &r.expiresAt)
	if err != nil {
		return nil, err
	}
	s.Cost, s.PlannedCost = cost.money(), planned.money()
	for _, t := range []*time.Time{s.StartTime, s.EndTime, r.exitAt, r.expiresAt} {
		if t != nil {
			*t = t.UTC() // pgx returns local time
		}
	}
	return &r, nil
}

// nullMoney is a nullable pair of amount and currency columns.
type nullMoney struct {
	amount   *int64
	currency *string
}

func (m nullMoney) money() *coord.Money {
	if m.amount == nil || m.currency == nil {
		return nil
	}
	return &coord.Money{Amount: *m.amount, Currency: *m.currency}
}

// utcMillis is t as the API shows it: UTC, whole milliseconds.
func utcMillis(t time.Time) time.Time {
	return t.UTC().Truncate(time.Millisecond)
}
