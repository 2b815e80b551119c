package storetest

import (
	"strings"
	"sync"
	"time"

	"github.com/coordapi/coord"
)

func testCreateAppSession(e *env) {
	u := e.user()
	ns := e.newSession(u, locApp, false)
	ns.ResourceID = "stall 42"
	s := e.create(ns)
	e.wantSession(s, &coord.Session{ID: s.ID, LocationID: locApp, UserID: u.UserID,
		Status: coord.StatusActive, StartTime: at(e.now()), ResourceID: "stall 42"})
	if s.ID <= 0 {
		e.Errorf("ID = %d, want > 0", s.ID)
	}
	e.wantSession(e.get(s), s)
}

func testCreateGateSession(e *env) {
	u, v := e.user(), e.user()
	s := e.create(e.newSession(u, locGate, true))
	if s.Barcode == "" {
		e.Fatal("gate session has no barcode")
	}
	e.wantSession(s, &coord.Session{ID: s.ID, LocationID: locGate, UserID: u.UserID,
		Status: coord.StatusPending, Barcode: s.Barcode})
	e.wantSession(e.get(s), s)

	other := e.create(e.newSession(v, locGate, true))
	if other.Barcode == s.Barcode {
		e.Errorf("two sessions share barcode %q", s.Barcode)
	}
	if other.ID <= s.ID {
		e.Errorf("later session has id %d <= %d", other.ID, s.ID)
	}
}

func testOneOpenSession(e *env) {
	u := e.user()
	open := e.create(e.newSession(u, locApp, false))
	// The rule holds across locations and access types.
	_, _, err := e.s.CreateSession(e.ctx, e.newSession(u, locGate, true))
	e.wantActiveExists(err, open)
	_, _, err = e.s.CreateSession(e.ctx, e.newSession(u, locApp, false))
	e.wantActiveExists(err, open)

	e.end(open)
	pending := e.create(e.newSession(u, locGate, true))
	_, _, err = e.s.CreateSession(e.ctx, e.newSession(u, locOther, false))
	e.wantActiveExists(err, pending)

	// Another user is not affected.
	e.create(e.newSession(e.user(), locApp, false))
}

func testOneOpenSessionConcurrent(e *env) {
	u := e.user()
	const n = 50
	var wg sync.WaitGroup
	sessions := make([]*coord.Session, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			ns := e.newSession(u, locApp, false)
			if i%2 == 1 {
				ns = e.newSession(u, locGate, true)
			}
			sessions[i], created[i], errs[i] = e.s.CreateSession(e.ctx, ns)
		})
	}
	wg.Wait()
	var winner *coord.Session
	for i := range n {
		if errs[i] == nil {
			if winner != nil {
				e.Fatalf("two sessions created: %d and %d", winner.ID, sessions[i].ID)
			}
			winner = sessions[i]
			if !created[i] {
				e.Errorf("the one session %d was not reported created", winner.ID)
			}
		}
	}
	if winner == nil {
		e.Fatalf("no session created; first error: %v", errs[0])
	}
	for i := range n {
		if errs[i] != nil {
			e.wantActiveExists(errs[i], winner)
		}
	}
	list, err := e.s.Sessions(e.ctx, coord.SessionFilter{UserID: u.UserID, Limit: 100})
	if err != nil || len(list) != 1 {
		e.Fatalf("Sessions = %d sessions, %v; want 1", len(list), err)
	}
}

func testExpiredPendingDoesNotBlock(e *env) {
	// Read first: the read settles it.
	u := e.user()
	pending := e.create(e.newSession(u, locGate, true))
	e.clock.Advance(expiry - time.Millisecond)
	_, _, err := e.s.CreateSession(e.ctx, e.newSession(u, locApp, false))
	e.wantActiveExists(err, pending)
	e.wantSession(e.get(pending), pending)

	e.clock.Advance(time.Millisecond) // due exactly at ExpiresAt
	cancelled := *pending
	cancelled.Status, cancelled.Cost = coord.StatusCancelled, money(0)
	e.wantSession(e.get(pending), &cancelled)
	e.create(e.newSession(u, locApp, false))
	e.wantSession(e.get(pending), &cancelled)

	// Write first: creating settles it.
	v := e.user()
	pending = e.create(e.newSession(v, locGate, true))
	e.clock.Advance(expiry + time.Second)
	e.create(e.newSession(v, locGate, true))
	cancelled = *pending
	cancelled.Status, cancelled.Cost = coord.StatusCancelled, money(0)
	e.wantSession(e.get(pending), &cancelled)
}

func testIdempotencyKey(e *env) {
	u, v := e.user(), e.user()
	ns := e.newSession(u, locApp, false)
	ns.IdempotencyKey = "key-1"
	first := e.create(ns)
	e.clock.Advance(time.Minute)
	e.wantSession(e.replay(ns), first)

	// Same key, other user: independent.
	nv := e.newSession(v, locApp, false)
	nv.IdempotencyKey = "key-1"
	if other := e.create(nv); other.ID == first.ID {
		e.Errorf("another user's key returned session %d", first.ID)
	}

	// Same key, other location or resource: a different request, refused
	// naming the key's session.
	reused := e.newSession(u, locOther, false)
	reused.IdempotencyKey = "key-1"
	_, _, err := e.s.CreateSession(e.ctx, reused)
	e.wantError(err, coord.ErrIdempotencyKeyReused(first.ID))
	for _, resource := range []string{"S1", " ", "s" + strings.Repeat("x", 200)} {
		other := ns
		other.ResourceID = resource
		_, _, err = e.s.CreateSession(e.ctx, other)
		e.wantError(err, coord.ErrIdempotencyKeyReused(first.ID))
	}

	// The retry still returns the session once it has ended.
	ended := e.end(first)
	e.wantSession(e.replay(ns), ended)

	// A conflict does not use up the key.
	open := e.create(e.newSession(u, locApp, false))
	ns.IdempotencyKey = "key-2"
	_, _, err = e.s.CreateSession(e.ctx, ns)
	e.wantActiveExists(err, open)
	e.end(open)
	second := e.create(ns)
	if second.ID == open.ID || second.ID == first.ID {
		e.Errorf("key-2 returned an old session %d", second.ID)
	}
	e.wantSession(e.replay(ns), second)
}

func testIdempotencyKeyConcurrent(e *env) {
	u := e.user()
	ns := e.newSession(u, locGate, true)
	ns.IdempotencyKey = uniq("key")
	const n = 20
	var wg sync.WaitGroup
	sessions := make([]*coord.Session, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { sessions[i], created[i], errs[i] = e.s.CreateSession(e.ctx, ns) })
	}
	wg.Wait()
	creators := 0
	for i := range n {
		if errs[i] != nil {
			e.Fatalf("call %d: %v", i, errs[i])
		}
		e.wantSession(sessions[i], sessions[0])
		if created[i] {
			creators++
		}
	}
	if creators != 1 {
		e.Errorf("%d of %d calls with one key reported creating the session, want 1", creators, n)
	}
}

func testSessionNotFound(e *env) {
	u, v := e.user(), e.user()
	s := e.create(e.newSession(u, locApp, false))
	for _, c := range []struct {
		name, user, loc string
		id              int64
	}{
		{"another user's", v.UserID, locApp, s.ID},
		{"another location's", u.UserID, locOther, s.ID},
		{"missing", u.UserID, locApp, s.ID + 1_000_000},
	} {
		_, err := e.s.Session(e.ctx, coord.SessionRef{UserID: c.user, LocationID: c.loc, ID: c.id})
		e.wantError(err, coord.ErrSessionNotFound(c.id))
		_, _, err = e.s.EndSession(e.ctx, coord.SessionRef{UserID: c.user, LocationID: c.loc, ID: c.id}, price)
		e.wantError(err, coord.ErrSessionNotFound(c.id))
		_, err = e.s.Redeem(e.ctx, coord.SessionRef{UserID: c.user, LocationID: c.loc, ID: c.id}, time.Minute, price)
		e.wantError(err, coord.ErrSessionNotFound(c.id))
	}
	e.wantSession(e.get(s), s) // untouched
}

func testSessions(e *env) {
	u, v := e.user(), e.user()
	list, err := e.s.Sessions(e.ctx, coord.SessionFilter{UserID: u.UserID, Limit: 50})
	if err != nil || list == nil || len(list) != 0 {
		e.Fatalf("Sessions of a new user = %#v, %v; want an empty non-nil slice", list, err)
	}

	var all []*coord.Session // newest first
	for i, loc := range []string{locApp, locOther, locApp, locOther, locApp} {
		s := e.create(e.newSession(u, loc, false))
		e.create(e.newSession(v, loc, false)) // interleaved noise
		e.clock.Advance(time.Minute)
		if i < 4 {
			s = e.end(s)
			e.end(e.mustOpen(v))
		}
		all = append([]*coord.Session{s}, all...)
	}
	page := func(f coord.SessionFilter, want []*coord.Session) {
		e.Helper()
		f.UserID = u.UserID
		got, err := e.s.Sessions(e.ctx, f)
		if err != nil {
			e.Fatalf("Sessions(%+v): %v", f, err)
		}
		if len(got) != len(want) {
			e.Fatalf("Sessions(%+v) = %v, want %v", f, ids(got), ids(want))
		}
		for i := range got {
			e.checkTimes(got[i])
			e.wantSession(got[i], want[i])
		}
	}
	page(coord.SessionFilter{Limit: 50}, all)
	page(coord.SessionFilter{Limit: 2}, all[:2])
	page(coord.SessionFilter{Limit: 50, BeforeID: all[1].ID}, all[2:])
	page(coord.SessionFilter{Limit: 2, BeforeID: all[1].ID}, all[2:4])
	page(coord.SessionFilter{Limit: 50, BeforeID: all[4].ID}, []*coord.Session{})
	page(coord.SessionFilter{Limit: 50, LocationID: locApp}, []*coord.Session{all[0], all[2], all[4]})
	page(coord.SessionFilter{Limit: 1, LocationID: locOther, BeforeID: all[1].ID}, all[3:4])
	page(coord.SessionFilter{Limit: 50, LocationID: locGate}, []*coord.Session{})
}

// mustOpen returns u's open session, found through the list.
func (e *env) mustOpen(u *coord.User) *coord.Session {
	e.Helper()
	list, err := e.s.Sessions(e.ctx, coord.SessionFilter{UserID: u.UserID, Limit: 1})
	if err != nil || len(list) == 0 || (list[0].Status != coord.StatusPending && list[0].Status != coord.StatusActive) {
		e.Fatalf("no open session for %s: %v", u.UserID, err)
	}
	return list[0]
}

func ids(list []*coord.Session) []int64 {
	out := make([]int64, len(list))
	for i, s := range list {
		out[i] = s.ID
	}
	return out
}

func testEndSession(e *env) {
	u := e.user()
	s := e.create(e.newSession(u, locApp, false))
	e.clock.Advance(90*time.Minute + 123*time.Millisecond)
	ended := e.end(s)
	want := *s
	want.Status, want.EndTime, want.Cost = coord.StatusEnded, at(e.now()), money(price.Cost(e.now().Sub(*s.StartTime)).Amount)
	e.wantSession(ended, &want)
	if ended.Cost.Amount != 210 { // 90m123ms is 7 steps of 15m: 105m at 2 a minute
		e.Errorf("cost = %d, want 210", ended.Cost.Amount)
	}
	e.wantSession(e.get(s), ended)

	// Ending again, later and with another price, changes nothing.
	e.clock.Advance(time.Hour)
	dearer := price
	dearer.Rate.Amount *= 10
	again, endedAgain, err := e.s.EndSession(e.ctx, coord.SessionRef{UserID: u.UserID, LocationID: locApp, ID: s.ID}, dearer)
	if err != nil {
		e.Fatal(err)
	}
	if endedAgain {
		e.Error("ending an ended session reported it ended again")
	}
	e.wantSession(again, ended)
}

func testEndSessionConcurrent(e *env) {
	u := e.user()
	s := e.create(e.newSession(u, locApp, false))
	e.clock.Advance(42 * time.Minute)
	const n = 20
	var wg sync.WaitGroup
	results := make([]*coord.Session, n)
	ended := make([]bool, n)
	errs := make([]error, n)
	prices := make([]coord.Price, n)
	for i := range n {
		prices[i] = price
		prices[i].Rate.Amount += int64(i) * 60 // a second bill would show
		wg.Go(func() {
			results[i], ended[i], errs[i] = e.s.EndSession(e.ctx, coord.SessionRef{UserID: u.UserID, LocationID: locApp, ID: s.ID}, prices[i])
		})
	}
	wg.Wait()
	winner, enders := -1, 0
	for i := range n {
		if errs[i] != nil {
			e.Fatalf("call %d: %v", i, errs[i])
		}
		e.wantSession(results[i], results[0])
		if ended[i] {
			winner, enders = i, enders+1
		}
	}
	e.wantSession(e.get(s), results[0])
	if results[0].Status != coord.StatusEnded {
		e.Errorf("status = %s, want ended", results[0].Status)
	}
	if enders != 1 {
		e.Fatalf("%d of %d calls reported ending the session, want 1", enders, n)
	}
	// The call that reported ending it is the one whose bill stands.
	if want := prices[winner].Cost(42 * time.Minute); results[0].Cost == nil || *results[0].Cost != want {
		e.Errorf("cost = %s, want %d %s from the price of call %d, which reported ending it",
			fmtMoney(results[0].Cost), want.Amount, want.Currency, winner)
	}
}

func testEndGateSession(e *env) {
	u := e.user()
	s := e.create(e.newSession(u, locGate, true))
	_, _, err := e.s.EndSession(e.ctx, coord.SessionRef{UserID: u.UserID, LocationID: locGate, ID: s.ID}, price)
	e.wantError(err, coord.ErrPhysicalCheckout(s.ID))
	e.redeem(s, time.Hour)
	_, _, err = e.s.EndSession(e.ctx, coord.SessionRef{UserID: u.UserID, LocationID: locGate, ID: s.ID}, price)
	e.wantError(err, coord.ErrPhysicalCheckout(s.ID))
	if got := e.get(s); got.Status != coord.StatusActive {
		e.Errorf("status = %s, want active", got.Status)
	}
}
