package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coordapi/coord"
)

// checkTimes fails unless every time in s is UTC and in whole milliseconds,
// as the API shows them.
func (e *env) checkTimes(s *coord.Session) {
	e.Helper()
	for name, tm := range map[string]*time.Time{"StartTime": s.StartTime, "EndTime": s.EndTime} {
		if tm == nil {
			continue
		}
		if tm.Location() != time.UTC {
			e.Errorf("session %d: %s %v is not UTC", s.ID, name, *tm)
		}
		if tm.Nanosecond()%int(time.Millisecond) != 0 {
			e.Errorf("session %d: %s %v has sub-millisecond digits", s.ID, name, *tm)
		}
	}
}

// wantSession fails with a field-by-field diff unless got equals want.
func (e *env) wantSession(got, want *coord.Session) {
	e.Helper()
	if d := diffSession(got, want); d != "" {
		e.Errorf("session mismatch (got, want):\n%s", d)
	}
}

func diffSession(got, want *coord.Session) string {
	if got == nil || want == nil {
		if got == want {
			return ""
		}
		return fmt.Sprintf("  %v, %v\n", got, want)
	}
	var b strings.Builder
	field := func(name string, g, w any) {
		if g != w {
			fmt.Fprintf(&b, "  %s: %v, %v\n", name, g, w)
		}
	}
	field("ID", got.ID, want.ID)
	field("LocationID", got.LocationID, want.LocationID)
	field("UserID", got.UserID, want.UserID)
	field("Status", got.Status, want.Status)
	field("ResourceID", got.ResourceID, want.ResourceID)
	field("Barcode", got.Barcode, want.Barcode)
	field("StartTime", fmtTime(got.StartTime), fmtTime(want.StartTime))
	field("EndTime", fmtTime(got.EndTime), fmtTime(want.EndTime))
	field("Cost", fmtMoney(got.Cost), fmtMoney(want.Cost))
	field("PlannedCost", fmtMoney(got.PlannedCost), fmtMoney(want.PlannedCost))
	return b.String()
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "<nil>"
	}
	return t.Format(time.RFC3339Nano)
}

func fmtMoney(m *coord.Money) string {
	if m == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%d %s", m.Amount, m.Currency)
}

// wantCode fails unless err is a *coord.Error with code, and returns it.
func (e *env) wantCode(err error, code string) *coord.Error {
	e.Helper()
	var ce *coord.Error
	if !errors.As(err, &ce) || ce.Code != code {
		e.Fatalf("error = %v, want code %q", err, code)
	}
	return ce
}

// wantError fails unless err is (or wraps) a *coord.Error equal to want:
// code, message and details, so that every store words it the same.
func (e *env) wantError(err error, want *coord.Error) {
	e.Helper()
	ce := e.wantCode(err, want.Code)
	if ce.Message != want.Message || !slices.Equal(ce.Details, want.Details) {
		e.Errorf("error = %q %q, want %q %q", ce.Message, ce.Details, want.Message, want.Details)
	}
}

// wantActiveExists fails unless err is EActiveSessionExists naming open.
func (e *env) wantActiveExists(err error, open *coord.Session) {
	e.Helper()
	e.wantError(err, coord.ErrOpenSessionExists(open.ID))
}

// at is a pointer to t, for building expected sessions.
func at(t time.Time) *time.Time { return &t }

// money is a pointer to amount in the suite's currency.
func money(amount int64) *coord.Money { return &coord.Money{Amount: amount, Currency: currency} }
