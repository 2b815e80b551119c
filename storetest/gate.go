package storetest

import (
	"sync"
	"time"

	"github.com/coordapi/coord"
)

func testRedeem(e *env) {
	u := e.user()
	s := e.create(e.newSession(u, locGate, true))
	e.clock.Advance(time.Minute)
	const d = 90 * time.Minute
	active := e.redeem(s, d)
	start := e.now()
	want := *s
	want.Status, want.StartTime, want.PlannedCost = coord.StatusActive, at(start), money(price.Cost(d).Amount)
	e.wantSession(active, &want)
	e.wantSession(e.get(s), active)

	e.clock.Advance(d - time.Millisecond)
	e.wantSession(e.get(s), active)
	_, _, err := e.s.CreateSession(e.ctx, e.newSession(u, locApp, false))
	e.wantActiveExists(err, s)

	e.clock.Advance(time.Millisecond) // the exit is due exactly at start+d
	want.Status, want.EndTime, want.Cost = coord.StatusEnded, at(start.Add(d)), money(price.Cost(d).Amount)
	// The list settles it too, on its own.
	list, err := e.s.Sessions(e.ctx, coord.SessionFilter{UserID: u.UserID, Limit: 10})
	if err != nil || len(list) != 1 {
		e.Fatalf("Sessions = %v, %v", ids(list), err)
	}
	e.checkTimes(list[0])
	e.wantSession(list[0], &want)

	// Much later, the session still ended at start+d.
	e.clock.Advance(24 * time.Hour)
	e.wantSession(e.get(s), &want)

	_, err = e.s.Redeem(e.ctx, coord.SessionRef{UserID: u.UserID, LocationID: locGate, ID: s.ID}, d, price)
	e.wantError(err, coord.ErrNotRedeemable(s.ID))
	e.create(e.newSession(u, locApp, false)) // no longer blocks
}

func testRedeemZero(e *env) {
	u := e.user()
	s := e.create(e.newSession(u, locGate, true))
	e.clock.Advance(time.Minute)
	got := e.redeem(s, 0)
	want := *s
	want.Status, want.StartTime, want.EndTime, want.Cost, want.PlannedCost = coord.StatusEnded, at(e.now()), at(e.now()), money(0), money(0)
	e.wantSession(got, &want)
	e.wantSession(e.get(s), &want)
	e.create(e.newSession(u, locGate, true))
}

func testRedeemNotRedeemable(e *env) {
	u := e.user()
	app := e.create(e.newSession(u, locApp, false))
	_, err := e.s.Redeem(e.ctx, coord.SessionRef{UserID: u.UserID, LocationID: locApp, ID: app.ID}, time.Minute, price)
	e.wantError(err, coord.ErrNotRedeemable(app.ID))
	e.wantSession(e.get(app), app)
	e.end(app)

	expired := e.create(e.newSession(u, locGate, true))
	e.clock.Advance(expiry)
	_, err = e.s.Redeem(e.ctx, coord.SessionRef{UserID: u.UserID, LocationID: locGate, ID: expired.ID}, time.Minute, price)
	e.wantError(err, coord.ErrNotRedeemable(expired.ID))
	if got := e.get(expired); got.Status != coord.StatusCancelled {
		e.Errorf("status = %s, want cancelled", got.Status)
	}
}

func testSettleDue(e *env) {
	// exits: due; expires: due; later: exit ahead; app: never due.
	exits, expires, later, app := e.user(), e.user(), e.user(), e.user()
	sExits := e.redeem(e.create(e.newSession(exits, locGate, true)), 10*time.Minute)
	sExpires := e.create(e.newSession(expires, locGate, true))
	sLater := e.redeem(e.create(e.newSession(later, locGate, true)), time.Hour)
	sApp := e.create(e.newSession(app, locApp, false))
	start := e.now()

	e.clock.Advance(20 * time.Minute)
	const replicas = 4
	var wg sync.WaitGroup
	counts := make([]int, replicas)
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() { counts[i], errs[i] = e.s.SettleDue(e.ctx) })
	}
	wg.Wait()
	total := 0
	for i := range replicas {
		if errs[i] != nil {
			e.Fatalf("SettleDue: %v", errs[i])
		}
		total += counts[i]
	}
	if total < 2 {
		e.Errorf("SettleDue settled %d sessions, want at least 2", total)
	}
	if n, err := e.s.SettleDue(e.ctx); err != nil || n != 0 {
		e.Errorf("SettleDue again = %d, %v; want 0", n, err)
	}

	want := *sExits
	want.Status, want.EndTime, want.Cost = coord.StatusEnded, at(start.Add(10*time.Minute)), money(price.Cost(10*time.Minute).Amount)
	e.wantSession(e.get(sExits), &want)
	want = *sExpires
	want.Status, want.Cost = coord.StatusCancelled, money(0)
	e.wantSession(e.get(sExpires), &want)
	e.wantSession(e.get(sLater), sLater)
	e.wantSession(e.get(sApp), sApp)
}
