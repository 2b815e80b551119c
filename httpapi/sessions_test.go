package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/client/sessions"
	testingops "github.com/coordapi/coord/client/testing"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// Demo catalog locations (catalog/demo.yaml).
const (
	plateLot = "downtown-garage" // license_plate, $4/h in 15-min steps, 10 min grace, cap $24; needs a plate
	gateLot  = "riverside-lot"   // barcode, $3/h in 30-min steps; needs a linked gatepark account
	closed   = "harbor-street"   // not_available
)

func start(t testing.TB, s *apitest.Server, u *apitest.User, location string) *models.Session {
	t.Helper()
	ok, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(location), u.Auth)
	if err != nil {
		t.Fatalf("post_session at %s: %v", location, err)
	}
	return ok.Payload
}

func get(t *testing.T, s *apitest.Server, u *apitest.User, location string, id int64) *models.Session {
	t.Helper()
	ok, err := s.Client.Sessions.GetSession(sessions.NewGetSessionParams().WithLocationID(location).WithSessionID(id), u.Auth)
	if err != nil {
		t.Fatalf("get_session %d: %v", id, err)
	}
	return ok.Payload
}

func end(s *apitest.Server, u *apitest.User, location string, id int64) (*models.Session, error) {
	ok, err := s.Client.Sessions.EndSession(sessions.NewEndSessionParams().WithLocationID(location).WithSessionID(id), u.Auth)
	if err != nil {
		return nil, err
	}
	return ok.Payload, nil
}

func redeem(s *apitest.Server, u *apitest.User, location string, id int64, minutes int32) (*models.Session, error) {
	p := testingops.NewSimulateRedemptionParams().WithLocationID(location).WithSessionID(id).
		WithBody(&models.SimulateRedemption{DurationMinutes: &minutes})
	ok, err := s.Client.Testing.SimulateRedemption(p, u.Auth)
	if err != nil {
		return nil, err
	}
	return ok.Payload, nil
}

func TestLicensePlateSessionStartsAtOnceAndEndsWithABill(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "plate@example.com", false)

		resource := "B-12"
		ok, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(plateLot).
			WithBody(&models.NewSession{ResourceID: resource}), u.Auth)
		if err != nil {
			t.Fatal(err)
		}
		created := ok.Payload
		if created.Status != "active" || created.StartTime == nil || created.EndTime != nil || created.BillingInfo != nil ||
			created.RedemptionInfo != nil || created.ResourceID != resource || created.LocationID != plateLot ||
			string(created.UserID) != u.UserID {
			t.Fatalf("unexpected new session: %+v", created)
		}
		if got := time.Time(*created.StartTime); !got.Equal(s.Clock.Now().Truncate(time.Millisecond)) {
			t.Fatalf("start_time %v, want the clock's %v", got, s.Clock.Now())
		}
		if polled := get(t, s, u, plateLot, created.ID); !sameSession(polled, created) {
			t.Fatalf("get_session differs from the created session:\n%+v\n%+v", polled, created)
		}

		s.Clock.Advance(61 * time.Minute) // 5 steps of 15 min = 75 min at $4/h = $5.00
		ended, err := end(s, u, plateLot, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ended.Status != "ended" || ended.EndTime == nil || ended.BillingInfo == nil ||
			*ended.BillingInfo.Cost.Amount != 500 || ended.BillingInfo.Cost.Currency != "USD" {
			t.Fatalf("unexpected ended session: %+v", ended)
		}

		s.Clock.Advance(time.Hour) // ending again changes nothing: same end time, same cost
		again, err := end(s, u, plateLot, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sameSession(again, ended) {
			t.Fatalf("second end_session changed the session:\n%+v\n%+v", again, ended)
		}
	})
}

func TestFreeSessionsSerialiseAZeroCost(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "grace@example.com", false)
		created := start(t, s, u, plateLot)
		s.Clock.Advance(5 * time.Minute) // within the 10-minute grace
		ended, err := end(s, u, plateLot, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ended.BillingInfo == nil || ended.BillingInfo.Cost.Amount == nil || *ended.BillingInfo.Cost.Amount != 0 {
			t.Fatalf("want a billed zero, got %+v", ended.BillingInfo)
		}
	})
}

func TestGateSessionIsPendingWithABarcodeAndEndsAtTheExitGate(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "gate@example.com", true)
		s.Link(t, u, "gatepark")

		created := start(t, s, u, gateLot)
		if created.Status != "pending" || created.StartTime != nil || created.RedemptionInfo == nil ||
			created.RedemptionInfo.Barcode.Format != "aztec" || created.RedemptionInfo.Barcode.Data == "" {
			t.Fatalf("unexpected gate session: %+v", created)
		}
		_, err := end(s, u, gateLot, created.ID)
		apitest.WantFailure(t, err, http.StatusConflict, coord.EPhysicalCheckout)

		entered := s.Clock.Now().Truncate(time.Millisecond)
		active, err := redeem(s, u, gateLot, created.ID, 90)
		if err != nil {
			t.Fatal(err)
		}
		if active.Status != "active" || !time.Time(*active.StartTime).Equal(entered) || active.EndTime != nil || active.BillingInfo != nil {
			t.Fatalf("after the entry gate: %+v", active)
		}
		s.Clock.Advance(89 * time.Minute)
		if got := get(t, s, u, gateLot, created.ID); got.Status != "active" {
			t.Fatalf("before the exit gate the session is %s", got.Status)
		}
		s.Clock.Advance(time.Minute)
		ended := get(t, s, u, gateLot, created.ID)
		if ended.Status != "ended" || !time.Time(*ended.EndTime).Equal(entered.Add(90*time.Minute)) ||
			*ended.BillingInfo.Cost.Amount != 450 { // 3 steps of 30 min at $3/h
			t.Fatalf("after the exit gate: %+v", ended)
		}
		_, err = redeem(s, u, gateLot, created.ID, 10)
		apitest.WantFailure(t, err, http.StatusConflict, coord.ENotRedeemable)
	})
}

func TestRedemptionWithZeroMinutesExitsAtOnce(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "zero@example.com", true)
		s.Link(t, u, "gatepark")
		created := start(t, s, u, gateLot)
		ended, err := redeem(s, u, gateLot, created.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if ended.Status != "ended" || *ended.BillingInfo.Cost.Amount != 0 || !time.Time(*ended.StartTime).Equal(time.Time(*ended.EndTime)) {
			t.Fatalf("unexpected: %+v", ended)
		}
		start(t, s, u, gateLot) // the user is free to start another
	})
}

func TestSimulateRedemptionRules(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		real := s.NewUser(t, "real@example.com", false)
		s.Link(t, real, "gatepark")
		pending := start(t, s, real, gateLot)
		_, err := redeem(s, real, gateLot, pending.ID, 10)
		apitest.WantFailure(t, err, http.StatusForbidden, coord.EForbidden)

		tester := s.NewUser(t, "tester@example.com", true)
		app := start(t, s, tester, plateLot)
		_, err = redeem(s, tester, plateLot, app.ID, 10)
		apitest.WantFailure(t, err, http.StatusConflict, coord.ENotRedeemable)
		for _, minutes := range []int32{-1, 1441} {
			_, err = redeem(s, tester, plateLot, app.ID, minutes)
			apitest.WantFailure(t, err, http.StatusUnprocessableEntity, coord.EValidation)
		}
	})
}

func TestPendingSessionNeverRedeemedIsCancelled(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "late@example.com", true)
		s.Link(t, u, "gatepark")
		created := start(t, s, u, gateLot)
		s.Clock.Advance(31 * time.Minute)
		got := get(t, s, u, gateLot, created.ID)
		if got.Status != "cancelled" || got.BillingInfo == nil || *got.BillingInfo.Cost.Amount != 0 {
			t.Fatalf("want cancelled at cost 0, got %+v", got)
		}
		start(t, s, u, plateLot) // a cancelled session does not block a new one
	})
}

func TestNotAvailableAndUnknownLocations(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "nowhere@example.com", false)
		_, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(closed), u.Auth)
		apitest.WantFailure(t, err, http.StatusUnprocessableEntity, coord.ELocationNotTransactable)
		_, err = s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID("no-such-lot"), u.Auth)
		apitest.WantFailure(t, err, http.StatusNotFound, coord.ENotFound)
		_, err = s.Client.Sessions.GetLocationSessions(sessions.NewGetLocationSessionsParams().WithLocationID("no-such-lot"), u.Auth)
		apitest.WantFailure(t, err, http.StatusNotFound, coord.ENotFound)
	})
}

func TestRequirementsMustBeMet(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "unlinked@example.com", false) // has a plate, no linked account
		_, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(gateLot), u.Auth)
		e := apitest.WantFailure(t, err, http.StatusUnprocessableEntity, coord.ERequirementsNotMet)
		if fmt.Sprint(e.Details) != "[linked_account]" {
			t.Fatalf("details %v, want [linked_account]", e.Details)
		}
	})
}

func TestOneOpenSessionPerUser(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "twice@example.com", false)
		s.Link(t, u, "gatepark")
		first := start(t, s, u, plateLot)
		_, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(gateLot), u.Auth)
		e := apitest.WantFailure(t, err, http.StatusConflict, coord.EActiveSessionExists)
		if len(e.Details) == 0 || e.Details[0] != strconv.FormatInt(first.ID, 10) {
			t.Fatalf("the conflict does not name the open session %d: %v", first.ID, e.Details)
		}
		other := s.NewUser(t, "other@example.com", false)
		start(t, s, other, plateLot) // other users are not affected
	})
}

func TestFiftyConcurrentStartsYieldOneSession(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "race@example.com", false)
		const n = 50
		var wg sync.WaitGroup
		results := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(plateLot), u.Auth)
			}()
		}
		wg.Wait()
		oks, conflicts := 0, 0
		for _, err := range results {
			if err == nil {
				oks++
				continue
			}
			if status, code, _ := apitest.Failure(t, err); status == http.StatusConflict && code == coord.EActiveSessionExists {
				conflicts++
			} else {
				t.Errorf("unexpected %d %s", status, code)
			}
		}
		if oks != 1 || conflicts != n-1 {
			t.Fatalf("%d OK and %d conflicts, want 1 and %d", oks, conflicts, n-1)
		}
	})
}

func TestTwentyConcurrentEndsBillOnce(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "ender@example.com", false)
		created := start(t, s, u, plateLot)
		s.Clock.Advance(2 * time.Hour)
		const n = 20
		var wg sync.WaitGroup
		results := make([]*models.Session, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = end(s, u, plateLot, created.ID)
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("end %d: %v", i, errs[i])
			}
			if !sameSession(results[i], results[0]) {
				t.Fatalf("ends disagree:\n%+v\n%+v", results[i], results[0])
			}
		}
		if *results[0].BillingInfo.Cost.Amount != 800 {
			t.Fatalf("cost %d, want 800", *results[0].BillingInfo.Cost.Amount)
		}
	})
}

func TestIdempotencyKeyReturnsTheSameSession(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "retry@example.com", false)
		s.Link(t, u, "gatepark")
		key := "7d4c-retry"
		post := func(location, resource string) (*models.Session, error) {
			p := sessions.NewPostSessionParams().WithLocationID(location).WithIdempotencyKey(&key)
			if resource != "" {
				p = p.WithBody(&models.NewSession{ResourceID: resource})
			}
			ok, err := s.Client.Sessions.PostSession(p, u.Auth)
			if err != nil {
				return nil, err
			}
			return ok.Payload, nil
		}
		first, err := post(plateLot, "B-12")
		if err != nil {
			t.Fatal(err)
		}
		second, err := post(plateLot, "B-12")
		if err != nil {
			t.Fatalf("retry with the same key: %v", err)
		}
		if !sameSession(first, second) {
			t.Fatalf("retry returned another session:\n%+v\n%+v", first, second)
		}
		// The same key with a different request: another location, another
		// resource_id, none. Each is refused naming the key's session.
		for _, other := range [][2]string{{gateLot, "B-12"}, {plateLot, "B-13"}, {plateLot, ""}, {plateLot, "b-12"}} {
			_, err = post(other[0], other[1])
			e := apitest.WantFailure(t, err, http.StatusUnprocessableEntity, coord.EIdempotencyKeyReused)
			if want := strconv.FormatInt(first.ID, 10); len(e.Details) != 1 || e.Details[0] != want {
				t.Errorf("%v: details %v, want [%s]", other, e.Details, want)
			}
		}
	})
}

func TestOtherUsersAndLocationsSessionsAreNotFound(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		alice := s.NewUser(t, "alice@example.com", false)
		bob := s.NewUser(t, "bob@example.com", false)
		created := start(t, s, alice, plateLot)

		_, err := s.Client.Sessions.GetSession(sessions.NewGetSessionParams().WithLocationID(plateLot).WithSessionID(created.ID), bob.Auth)
		apitest.WantFailure(t, err, http.StatusNotFound, coord.ENotFound)
		_, err = end(s, bob, plateLot, created.ID)
		apitest.WantFailure(t, err, http.StatusNotFound, coord.ENotFound)
		_, err = s.Client.Sessions.GetSession(sessions.NewGetSessionParams().WithLocationID(gateLot).WithSessionID(created.ID), alice.Auth)
		apitest.WantFailure(t, err, http.StatusNotFound, coord.ENotFound)
		_, err = s.Client.Sessions.GetSession(sessions.NewGetSessionParams().WithLocationID(plateLot).WithSessionID(created.ID+1000), alice.Auth)
		apitest.WantFailure(t, err, http.StatusNotFound, coord.ENotFound)

		list, err := s.Client.Sessions.GetUserSessions(sessions.NewGetUserSessionsParams(), bob.Auth)
		if err != nil || len(list.Payload) != 0 {
			t.Fatalf("bob sees %v (%v)", list, err)
		}
	})
}

func TestListsAreNewestFirstAndPaged(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "lister@example.com", true)
		s.Link(t, u, "gatepark")
		var ids []int64
		for i := range 5 {
			loc := plateLot
			if i%2 == 1 {
				loc = gateLot
			}
			created := start(t, s, u, loc)
			ids = append(ids, created.ID)
			if loc == plateLot {
				if _, err := end(s, u, loc, created.ID); err != nil {
					t.Fatal(err)
				}
			} else if _, err := redeem(s, u, loc, created.ID, 0); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.Client.Sessions.GetUserSessions(sessions.NewGetUserSessionsParams(), u.Auth)
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(all.Payload); fmt.Sprint(got) != fmt.Sprint(reversed(ids)) {
			t.Fatalf("all sessions %v, want %v", got, reversed(ids))
		}
		limit := int32(2)
		page, err := s.Client.Sessions.GetUserSessions(sessions.NewGetUserSessionsParams().WithLimit(&limit).WithBeforeID(&ids[3]), u.Auth)
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(page.Payload); fmt.Sprint(got) != fmt.Sprint([]int64{ids[2], ids[1]}) {
			t.Fatalf("page %v, want [%d %d]", got, ids[2], ids[1])
		}
		at, err := s.Client.Sessions.GetLocationSessions(sessions.NewGetLocationSessionsParams().WithLocationID(gateLot), u.Auth)
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(at.Payload); fmt.Sprint(got) != fmt.Sprint([]int64{ids[3], ids[1]}) {
			t.Fatalf("sessions at %s: %v, want [%d %d]", gateLot, got, ids[3], ids[1])
		}
	})
}

// sameSession compares sessions as the wire shows them.
func sameSession(a, b *models.Session) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func idsOf(list []*models.Session) []int64 {
	ids := []int64{}
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return ids
}

func reversed(ids []int64) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[len(ids)-1-i] = id
	}
	return out
}
