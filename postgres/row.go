package postgres

import (
	"errors"
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
	return scanSessionOf(row, nil, extra...)
}

// scanSessionOf is scanSession for the rows of one page: the text columns
// a page repeats from row to row (its user, location, status, currencies)
// reuse the string of the row before when equal, instead of a new string
// per row and column. page nil: every string is new.
func scanSessionOf(row pgx.Row, page *pageText, extra ...any) (*sessionRow, error) {
	r := new(scannedSession)
	s := &r.session
	var user, location, status, costCurrency, plannedCurrency any = &s.UserID, &s.LocationID, &s.Status,
		&r.cost.currency, &r.planned.currency
	if page != nil {
		page.user.to(&s.UserID, nil)
		page.location.to(&s.LocationID, nil)
		page.status.to((*string)(&s.Status), nil)
		page.costCurrency.to(&r.cost.currency.String, &r.cost.currency.Valid)
		page.plannedCurrency.to(&r.planned.currency.String, &r.planned.currency.Valid)
		user, location, status, costCurrency, plannedCurrency = &page.user, &page.location, &page.status,
			&page.costCurrency, &page.plannedCurrency
	}
	var err error
	if len(extra) == 0 {
		err = row.Scan(&s.ID, location, user, status, &r.start, &r.end, &s.ResourceID,
			&s.Barcode, &r.cost.amount, costCurrency, &r.planned.amount, plannedCurrency, &r.exit, &r.expires, &s.Version)
	} else {
		err = row.Scan(append([]any{&s.ID, location, user, status, &r.start, &r.end, &s.ResourceID,
			&s.Barcode, &r.cost.amount, costCurrency, &r.planned.amount, plannedCurrency, &r.exit, &r.expires, &s.Version},
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

// pageText holds, per repeated text column of a page, the string of the
// row before; each is the column's scan target (a pgtype.BytesScanner, so
// pgx hands it the column's bytes without making a string).
type pageText struct {
	user, location, status, costCurrency, plannedCurrency repeatedText
}

// repeatedText scans a text column into dst, reusing the last string it
// made when the bytes are the same. valid, when set, is the column's NULL
// flag; without it a NULL is an error, as it is scanning into a string.
type repeatedText struct {
	last  string
	made  bool
	dst   *string
	valid *bool
}

func (t *repeatedText) to(dst *string, valid *bool) { t.dst, t.valid = dst, valid }

func (t *repeatedText) ScanBytes(b []byte) error {
	if b == nil {
		if t.valid == nil {
			return errors.New("cannot scan NULL into a string")
		}
		*t.valid = false
		return nil
	}
	if !t.made || string(b) != t.last {
		t.last, t.made = string(b), true
	}
	*t.dst = t.last
	if t.valid != nil {
		*t.valid = true
	}
	return nil
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
