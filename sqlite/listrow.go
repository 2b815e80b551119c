package sqlite

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/coordapi/coord"
)

// A list page's rows are read more cheaply than scanSession reads one
// session: on a page of 50 the row itself is most of the request's cost,
// and what a row costs is paid per column — two or three locked calls into
// the driver, a boxed int (≥ 256) or a new string, then database/sql's
// reflective conversion into the scan target. So the page query selects
// only what the filter leaves open (never user_id, location_id only when
// it is not given), the status as a small integer, and the one settle time
// the status uses; and it scans every column into an any, which
// database/sql fills without its conversion, and decodes the values here.
// The page's rows are allocated together (see pageRows).

// statusCodes are the codes of listStatus, by code.
var statusCodes = [...]coord.SessionStatus{coord.StatusPending, coord.StatusActive, coord.StatusEnded, coord.StatusCancelled}

const (
	// listStatus is the status as an index into statusCodes (the column's
	// CHECK allows these four only). Both CASEs test the terminal statuses
	// first: a history's rows are decided by one comparison.
	listStatus = `CASE status WHEN 'ended' THEN 2 WHEN 'cancelled' THEN 3 WHEN 'active' THEN 1 ELSE 0 END`
	// listSettles is the time the session changes by itself: a pending
	// session's expiry, an active one's exit; NULL for the others.
	listSettles = `CASE WHEN status IN ('ended', 'cancelled') THEN NULL WHEN status = 'active' THEN exit_at ELSE expires_at END`
	// listCols are the columns listRow.decode reads; location_id follows
	// them when the filter leaves it open.
	listCols = `id, ` + listStatus + `, resource_id, barcode, start_time, end_time,
	cost_amount, cost_currency, planned_amount, planned_currency, ` + listSettles + `, version`
)

// The indexes of listCols' columns in a row's values.
const (
	lcID = iota
	lcStatus
	lcResource
	lcBarcode
	lcStart
	lcEnd
	lcCostAmount
	lcCostCurrency
	lcPlannedAmount
	lcPlannedCurrency
	lcSettles
	lcVersion
	lcLocation // only when selected
)

// listQuery builds the page query; only the conditions in use are in it, so
// that SQLite walks the (user_id[, location_id], id) index backwards.
func listQuery(f coord.SessionFilter) (string, []any) {
	cols := listCols
	if f.LocationID == "" {
		cols += `, location_id`
	}
	return pageQuery(cols, f)
}

// pageQuery selects cols of the sessions of f's page.
func pageQuery(cols string, f coord.SessionFilter) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT ` + cols)
	b.WriteString(` FROM sessions WHERE user_id = ?`)
	args := []any{f.UserID}
	if f.LocationID != "" {
		b.WriteString(` AND location_id = ?`)
		args = append(args, f.LocationID)
	}
	if f.BeforeID > 0 {
		b.WriteString(` AND id < ?`)
		args = append(args, f.BeforeID)
	}
	b.WriteString(` ORDER BY id DESC LIMIT ?`)
	args = append(args, f.Limit)
	return b.String(), args
}

// listScanner scans the rows of one page query: vals are the row's driver
// values, dest the pointers to them that Scan takes, both reused per row.
type listScanner struct {
	f    coord.SessionFilter
	vals [lcLocation + 1]any
	dest []any
	page pageRows
}

func newListScanner(f coord.SessionFilter) *listScanner {
	s := &listScanner{f: f, page: pageRows{limit: f.Limit}}
	n := lcLocation
	if f.LocationID == "" {
		n++
	}
	s.dest = make([]any, n)
	for i := range s.dest {
		s.dest[i] = &s.vals[i]
	}
	return s
}

// scan reads the current row of rows.
func (s *listScanner) scan(rows *sql.Rows) (*listRow, error) {
	if err := rows.Scan(s.dest...); err != nil {
		return nil, err
	}
	r := s.page.next()
	if err := r.decode(&s.vals, s.f); err != nil {
		return nil, err
	}
	return r, nil
}

// listRow is a listed session with the storage of its pointer fields.
type listRow struct {
	coord.Session
	start, end, settles time.Time
	cost, planned       coord.Money
	settlesMs           int64 // SettlesAt as stored
}

// pageRows hands out a page's rows from at most two allocations: a first
// small batch, so that a short or empty page stays small, then the rest of
// the page at once.
type pageRows struct {
	batch        []listRow
	limit, taken int
}

const firstBatch = 8

func (p *pageRows) next() *listRow {
	if len(p.batch) == 0 {
		n := min(p.limit, firstBatch)
		if p.taken > 0 {
			n = p.limit - p.taken
		}
		p.batch = make([]listRow, max(n, 1))
	}
	r := &p.batch[0]
	p.batch = p.batch[1:]
	p.taken++
	return r
}

// decode fills r from a row's values; the filter supplies the user and,
// when given, the location.
func (r *listRow) decode(v *[lcLocation + 1]any, f coord.SessionFilter) error {
	var err error
	r.UserID, r.LocationID = f.UserID, f.LocationID
	if f.LocationID == "" {
		r.LocationID = text(v[lcLocation], &err)
	}
	r.ID = integer(v[lcID], &err)
	code := integer(v[lcStatus], &err)
	if code < 0 || code >= int64(len(statusCodes)) {
		return fmt.Errorf("session %d: status code %d", r.ID, code)
	}
	r.Status = statusCodes[code]
	r.ResourceID = text(v[lcResource], &err)
	r.Barcode = text(v[lcBarcode], &err)
	r.StartTime = timeOf(v[lcStart], &r.start, &err)
	r.EndTime = timeOf(v[lcEnd], &r.end, &err)
	r.SettlesAt = timeOf(v[lcSettles], &r.settles, &err)
	r.settlesMs, _ = v[lcSettles].(int64)
	r.Cost = moneyOf(v[lcCostAmount], v[lcCostCurrency], &r.cost, &err)
	r.PlannedCost = moneyOf(v[lcPlannedAmount], v[lcPlannedCurrency], &r.planned, &err)
	r.Version = integer(v[lcVersion], &err)
	return err
}

// due reports whether the session's expiry or exit has come by now (see
// sessionRow.due; SettlesAt is the one of the two its status uses).
func (r *listRow) due(now int64) bool {
	return r.SettlesAt != nil && r.settlesMs <= now
}

// integer, text, timeOf and moneyOf decode driver values as scanning into
// int64, sql.NullString, nullMillis and nullMoney did: NULL is 0, "", nil.
// A value of another type sets *err, if it is not set yet.

func integer(v any, err *error) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case nil:
		return 0
	}
	badValue(v, "integer", err)
	return 0
}

func text(v any, err *error) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	}
	badValue(v, "text", err)
	return ""
}

func timeOf(v any, into *time.Time, err *error) *time.Time {
	if v == nil {
		return nil
	}
	return nullMillis{sql.NullInt64{Int64: integer(v, err), Valid: true}}.time(into)
}

func moneyOf(amount, currency any, into *coord.Money, err *error) *coord.Money {
	if amount == nil || currency == nil {
		return nil
	}
	*into = coord.Money{Amount: integer(amount, err), Currency: text(currency, err)}
	return into
}

func badValue(v any, want string, err *error) {
	if *err == nil {
		*err = fmt.Errorf("sqlite: %T value %v where %s was stored", v, v, want)
	}
}
