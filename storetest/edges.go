package storetest

import (
	"time"

	"github.com/coordapi/coord"
)

// noUser is a well-formed user id no store hands out.
const noUser = "00000000-0000-0000-0000-000000000000"

// testPageLimits pins SessionFilter.Page: the stores apply the domain's
// paging policy, not their own.
func testPageLimits(e *env) {
	u := e.user()
	var newest []*coord.Session // newest first
	for range coord.MaxPageSize + 1 {
		s := e.end(e.create(e.newSession(u, locApp, false)))
		newest = append([]*coord.Session{s}, newest...)
	}
	for _, c := range []struct {
		limit int
		want  int
	}{
		{0, coord.DefaultPageSize}, {-1, coord.DefaultPageSize}, {1, 1},
		{coord.MaxPageSize, coord.MaxPageSize}, {coord.MaxPageSize + 1, coord.MaxPageSize},
	} {
		for _, before := range []int64{0, -1} {
			f := coord.SessionFilter{UserID: u.UserID, Limit: c.limit, BeforeID: before}
			got, err := e.s.Sessions(e.ctx, f)
			if err != nil {
				e.Fatalf("Sessions(%+v): %v", f, err)
			}
			if len(got) != c.want || got[0].ID != newest[0].ID {
				e.Errorf("Sessions(%+v) = %d sessions from %d, want %d from %d", f, len(got), got[0].ID, c.want, newest[0].ID)
			}
		}
	}
	list, err := e.s.Sessions(e.ctx, coord.SessionFilter{UserID: noUser})
	if err != nil || list == nil || len(list) != 0 {
		e.Errorf("Sessions of an unknown user = %v, %v; want an empty list", list, err)
	}
}

// testIDsNeverReused checks that ids only grow, also across a restart, so
// that a before_id cursor or an idempotency key never names another session.
func testIDsNeverReused(e *env) {
	u := e.user()
	first := e.end(e.create(e.newSession(u, locApp, false)))
	second := e.end(e.create(e.newSession(u, locApp, false)))
	if second.ID <= first.ID {
		e.Errorf("ids %d then %d, want them to grow", first.ID, second.ID)
	}
	e.restart()
	third := e.create(e.newSession(u, locApp, false))
	if third.ID <= second.ID {
		e.Errorf("id %d after a restart, not above %d", third.ID, second.ID)
	}
}

// testSettleAcrossRestart checks that a simulated exit and a pending expiry
// that fall due while no store is running settle when one is back, from
// what was stored: the planned bill, the exit time, the expiry.
func testSettleAcrossRestart(e *env) {
	u, v := e.user(), e.user()
	redeemed := e.redeem(e.create(e.newSession(u, locGate, true)), 20*time.Minute)
	pending := e.create(e.newSession(v, locGate, true))
	exit := e.now().Add(20 * time.Minute)
	if err := e.s.Close(); err != nil {
		e.Fatalf("Close: %v", err)
	}
	e.clock.Advance(time.Hour)
	e.s = e.open()

	want := *redeemed
	want.Status, want.EndTime, want.Cost = coord.StatusEnded, &exit, money(price.Cost(20*time.Minute).Amount)
	e.wantSession(e.get(redeemed), &want)
	wantPending := *pending
	wantPending.Status, wantPending.Cost = coord.StatusCancelled, money(0)
	e.wantSession(e.get(pending), &wantPending)
	if n, err := e.s.SettleDue(e.ctx); err != nil || n != 0 {
		e.Errorf("SettleDue after the lazy settlements = %d, %v; want 0", n, err)
	}
	e.create(e.newSession(u, locGate, true)) // neither blocks a new session
	e.create(e.newSession(v, locGate, true))
}

// testMissingUser checks the error of every write for a user that does not exist.
func testMissingUser(e *env) {
	for _, gate := range []bool{false, true} {
		_, _, err := e.s.CreateSession(e.ctx, coord.NewSession{UserID: noUser, LocationID: locApp, Currency: currency, Gate: gate})
		e.wantError(err, coord.ErrUserNotFound(noUser))
	}
	u := e.user()
	s := e.create(e.newSession(u, locGate, true))
	_, err := e.s.Redeem(e.ctx, coord.SessionRef{UserID: u.UserID, LocationID: locGate, ID: s.ID}, -time.Minute, price)
	e.wantError(err, coord.ErrNegativeDuration(-time.Minute))
}
