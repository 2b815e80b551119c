package sqlite

import (
	"database/sql"
	"time"

	"github.com/coordapi/coord"
)

// sessionCols are the columns scanSession reads, in order.
const sessionCols = `id, location_id, user_id, status, resource_id, barcode,
	start_time, end_time, cost_amount, cost_currency, planned_amount, planned_currency, expires_at, exit_at`

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

// scanSession reads a row of sessionCols.
func scanSession(sc interface{ Scan(...any) error }) (*sessionRow, error) {
	var (
		r             sessionRow
		barcode       sql.NullString
		cost, planned nullMoney
		start, end    sql.NullInt64
	)
	err := sc.Scan(&r.ID, &r.LocationID, &r.UserID, &r.Status, &r.ResourceID, &barcode,
		&start, &end, &cost.amount, &cost.currency, &planned.amount, &planned.currency, &r.expiresAt, &r.exitAt)
	if err != nil {
		return nil, err
	}
	r.Barcode = barcode.String
	r.StartTime = fromMillis(start)
	r.EndTime = fromMillis(end)
	r.Cost, r.PlannedCost = cost.money(), planned.money()
	return &r, nil
}

// nullMoney is a nullable pair of amount and currency columns.
type nullMoney struct {
	amount   sql.NullInt64
	currency sql.NullString
}

func (m nullMoney) money() *coord.Money {
	if !m.amount.Valid || !m.currency.Valid {
		return nil
	}
	return &coord.Money{Amount: m.amount.Int64, Currency: m.currency.String}
}

// fromMillis is a stored time as the API shows it: UTC, in milliseconds.
func fromMillis(ms sql.NullInt64) *time.Time {
	if !ms.Valid {
		return nil
	}
	t := time.UnixMilli(ms.Int64).UTC()
	return &t
}

// millis is a duration between two stored times.
func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
