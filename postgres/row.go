package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/coordapi/coord"
)

// sessionCols is what every session query selects or returns, in the order
// scanSession reads.
const sessionCols = `id, location_id, user_id::text, status, start_time, end_time, resource_id,
	coalesce(barcode, ''), cost_amount, cost_currency, planned_amount, planned_currency, exit_at, expires_at, version`

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

// scanSession reads one row of sessionCols, then into extra any columns
// the query returned after them. The scan targets and the values the
// session points to share one allocation: scanning into pointers cost an
// allocation per non-NULL time and amount, and the larger part of a long
// list page's allocations.
func scanSession(row pgx.Row, extra ...any) (*sessionRow, error) {
	r := new(scannedSession)
	s := &r.session
	var err error
	if len(extra) == 0 {
		err = row.Scan(&s.ID, &s.LocationID, &s.UserID, &s.Status, &r.start, &r.end, &s.ResourceID,
			&s.Barcode, &r.cost.amount, &r.cost.currency, &r.planned.amount, &r.planned.currency, &r.exit, &r.expires, &s.Version)
	} else {
		err = row.Scan(append([]any{&s.ID, &s.LocationID, &s.UserID, &s.Status, &r.start, &r.end, &s.ResourceID,
			&s.Barcode, &r.cost.amount, &r.cost.currency, &r.planned.amount, &r.planned.currency, &r.exit, &r.expires, &s.Version},
			extra...)...)
	}
	if err != nil {
		return nil, err
	}
	s.StartTime, s.EndTime = utcTime(r.start, &r.startTime), utcTime(r.end, &r.endTime)
	s.Cost, s.PlannedCost = r.cost.money(&r.costMoney), r.planned.money(&r.plannedMoney)
	r.row = sessionRow{Session: s, exitAt: utcTime(r.exit, &r.exitTime), expiresAt: utcTime(r.expires, &r.expiresTime)}
	switch s.Status {
	case coord.StatusPending:
		s.SettlesAt = r.row.expiresAt
	case coord.StatusActive:
		s.SettlesAt = r.row.exitAt
	}
	return &r.row, nil
}

// scannedSession is a sessionRow with its session, its scan targets and
// the storage of its pointer fields.
type scannedSession struct {
	row                                       sessionRow
	session                                   coord.Session
	start, end, exit, expires                 pgtype.Timestamptz
	cost, planned                             nullMoney
	startTime, endTime, exitTime, expiresTime time.Time
	costMoney, plannedMoney                   coord.Money
}

// utcTime is a nullable stored time in UTC (pgx returns local time), kept
// in *t; nil when NULL.
func utcTime(ts pgtype.Timestamptz, t *time.Time) *time.Time {
	if !ts.Valid {
		return nil
	}
	*t = ts.Time.UTC()
	return t
}

// nullMoney is a nullable pair of amount and currency columns.
type nullMoney struct {
	amount   pgtype.Int8
	currency pgtype.Text
}

// money is the pair as Money, kept in *into; nil when either is NULL.
func (m nullMoney) money(into *coord.Money) *coord.Money {
	if !m.amount.Valid || !m.currency.Valid {
		return nil
	}
	*into = coord.Money{Amount: m.amount.Int64, Currency: m.currency.String}
	return into
}

// utcMillis is t as the API shows it: UTC, whole milliseconds.
func utcMillis(t time.Time) time.Time {
	return t.UTC().Truncate(time.Millisecond)
}
