package sqlite

import (
	"database/sql"
	"time"

	"github.com/coordapi/coord"
)

// sessionCols are the columns scanSession reads, in order.
const sessionCols = `id, location_id, user_id, status, resource_id, barcode,
	start_time, end_time, cost_amount, cost_currency, planned_amount, planned_currency, expires_at, exit_at, version`

// sessionRow is a session as stored, with what it takes to tell whether a
// settlement is due.
type sessionRow struct {
	coord.Session
	expiresAt, exitAt sql.NullInt64
}

// due reports whether the session's pending expiry or simulated exit has
// come by now, so that it must be settled before anyone sees it.
func (r *sessionRow) due(now int64) bool {
	switch r.Status {
	case coord.StatusPending:
		return r.expiresAt.Valid && r.expiresAt.Int64 <= now
	case coord.StatusActive:
		return r.exitAt.Valid && r.exitAt.Int64 <= now
	}
	return false
}

// scanSession reads a row of sessionCols. The scan targets and the
// values the session points to share the row's one allocation: scanning
// into separate locals cost some twenty allocations a row, the larger part
// of a long list page's.
func scanSession(sc interface{ Scan(...any) error }) (*sessionRow, error) {
	r := new(scannedSession)
	err := sc.Scan(&r.ID, &r.LocationID, &r.UserID, &r.Status, &r.ResourceID, &r.barcode,
		&r.start, &r.end, &r.cost.amount, &r.cost.currency, &r.planned.amount, &r.planned.currency, &r.expiresAt, &r.exitAt, &r.Version)
	if err != nil {
		return nil, err
	}
	r.Barcode = r.barcode.String
	r.StartTime = r.start.time(&r.startTime)
	r.EndTime = r.end.time(&r.endTime)
	r.Cost, r.PlannedCost = r.cost.money(&r.costMoney), r.planned.money(&r.plannedMoney)
	switch r.Status {
	case coord.StatusPending:
		r.SettlesAt = nullMillis{r.expiresAt}.time(&r.settlesTime)
	case coord.StatusActive:
		r.SettlesAt = nullMillis{r.exitAt}.time(&r.settlesTime)
	}
	return &r.sessionRow, nil
}

// scannedSession is a sessionRow with its scan targets and the storage of
// its pointer fields.
type scannedSession struct {
	sessionRow
	barcode                 sql.NullString
	cost, planned           nullMoney
	start, end              nullMillis
	startTime, endTime      time.Time
	settlesTime             time.Time
	costMoney, plannedMoney coord.Money
}

// nullMillis is a nullable stored time.
type nullMillis struct{ sql.NullInt64 }

// time is the stored time as the API shows it (UTC, milliseconds), kept in
// *t; nil when NULL.
func (ms nullMillis) time(t *time.Time) *time.Time {
	if !ms.Valid {
		return nil
	}
	*t = time.UnixMilli(ms.Int64).UTC()
	return t
}

// nullMoney is a nullable pair of amount and currency columns.
type nullMoney struct {
	amount   sql.NullInt64
	currency sql.NullString
}

// money is the pair as Money, kept in *into; nil when either is NULL.
func (m nullMoney) money(into *coord.Money) *coord.Money {
	if !m.amount.Valid || !m.currency.Valid {
		return nil
	}
	*into = coord.Money{Amount: m.amount.Int64, Currency: m.currency.String}
	return into
}

// millis is a duration between two stored times.
func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
