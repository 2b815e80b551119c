package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/client/events"
	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// feed is list_events as a partner's backend calls it.
func feed(t *testing.T, s *apitest.Server, key, server string, after *int64, typ string, wait int32) []*models.Event {
	t.Helper()
	list, err := tryFeed(s, key, server, after, typ, wait)
	if err != nil {
		t.Fatalf("list_events: %v", err)
	}
	return list
}

func tryFeed(s *apitest.Server, key, server string, after *int64, typ string, wait int32) ([]*models.Event, error) {
	p := events.NewListEventsParams().WithAfter(after).WithTimeout(2 * time.Minute)
	if typ != "" {
		p.WithType(&typ)
	}
	if wait > 0 {
		p.WithWait(&wait)
	}
	ok, err := s.Client.Events.ListEvents(p, apitest.UserAuth(key, server))
	if err != nil {
		return nil, err
	}
	return ok.Payload, nil
}

func types(list []*models.Event) string {
	var b []string
	for _, e := range list {
		b = append(b, e.Type)
	}
	return strings.Join(b, " ")
}

func TestEveryChangeAppendsOneEventWithTheResourceAfterIt(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		auth := apitest.UserAuth(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "feed@example.com", Name: "Feed"}))
		setPlate(t, s, auth, "AB 123", "de", "by")
		testLink(t, s, auth, gatesSystem, true)
		testLink(t, s, auth, gatesSystem, true) // no change, no event
		gate := start(t, s, &apitest.User{Auth: auth}, gateLotB)

		// Refused changes append nothing.
		if _, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(gateLotB), auth); err == nil {
			t.Fatal("a second open session was accepted")
		}
		if _, err := putPlate(s, auth, "far too long a plate", "de", ""); err == nil {
			t.Fatal("a bad plate was accepted")
		}
		if _, err := redeem(s, &apitest.User{Auth: auth}, gateLotB, gate.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := redeem(s, &apitest.User{Auth: auth}, gateLotB, gate.ID, 0); err == nil {
			t.Fatal("a second redemption was accepted")
		}
		testLink(t, s, auth, gatesSystem, false)

		list := feed(t, s, alphaKey, alphaServer, nil, "", 0)
		want := "user.vehicle_updated user.account_linked session.created session.started session.ended user.account_unlinked"
		if got := types(list); got != want {
			t.Fatalf("events %q, want %q", got, want)
		}
		user := currentUser(t, s, auth)
		for i, e := range list {
			if e.Seq != int64(i+1) || !e.Test || e.UserID != user.UserID || !strings.HasPrefix(e.ID, "evt_") {
				t.Errorf("event %d: seq %d test %v user %s id %s", i, e.Seq, e.Test, e.UserID, e.ID)
			}
		}
		if u := list[0].Data.User; u == nil || u.Vehicle.LicensePlate.Text != "ab123" || u.ExternalUID != "feed@example.com" {
			t.Errorf("vehicle_updated data: %+v", list[0].Data)
		}
		if u := list[1].Data.User; u == nil || !*systemStatus(t, u, gatesSystem).LinkedAccount {
			t.Errorf("account_linked data: %+v", list[1].Data)
		}
		for i, status := range map[int]string{2: "pending", 3: "active", 4: "ended"} {
			if got := list[i].Data.Session; got == nil || got.Status != status || got.ID != gate.ID {
				t.Errorf("%s data: %+v, want status %s", list[i].Type, list[i].Data, status)
			}
		}
		if list[4].Data.Session.BillingInfo == nil {
			t.Error("session.ended without billing_info")
		}

		ended := feed(t, s, alphaKey, alphaServer, nil, "session.ended", 0)
		if len(ended) != 1 || ended[0].Seq != 5 {
			t.Fatalf("type=session.ended: %q", types(ended))
		}
		if rest := feed(t, s, alphaKey, alphaServer, ptr(int64(4)), "", 0); types(rest) != "session.ended user.account_unlinked" {
			t.Fatalf("after=4: %q", types(rest))
		}
		if none := feed(t, s, alphaKey, alphaServer, ptr(int64(6)), "", 0); len(none) != 0 {
			t.Fatalf("after the last: %q", types(none))
		}
	})
}

// Another partner's events are never visible, not even their count: each
// partner's seqs start at 1 and have no gaps for the other's activity.
func TestEventFeedsArePerPartner(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		alpha := apitest.UserAuth(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "a@example.com"}))
		beta := apitest.UserAuth(betaKey, mintTest(t, s, betaKey, models.TestJWTRequest{Email: "b@example.com"}))
		setPlate(t, s, alpha, "A1", "de", "")
		setPlate(t, s, beta, "B1", "de", "")
		setPlate(t, s, alpha, "A2", "de", "")
		setPlate(t, s, beta, "B2", "de", "")
		setPlate(t, s, beta, "B3", "de", "")
		for _, tc := range []struct {
			key, server string
			plates      []string
		}{{alphaKey, alphaServer, []string{"a1", "a2"}}, {betaKey, betaServer, []string{"b1", "b2", "b3"}}} {
			list := feed(t, s, tc.key, tc.server, nil, "", 0)
			if len(list) != len(tc.plates) {
				t.Fatalf("%s sees %d events, want %d", tc.key, len(list), len(tc.plates))
			}
			for i, e := range list {
				if e.Seq != int64(i+1) || e.Data.User.Vehicle.LicensePlate.Text != tc.plates[i] {
					t.Errorf("%s event %d: seq %d plate %s", tc.key, i, e.Seq, e.Data.User.Vehicle.LicensePlate.Text)
				}
			}
		}
		// Credentials: the server token is required, and must be the key's partner's.
		for _, creds := range [][2]string{{alphaKey, ""}, {alphaKey, betaServer}, {betaKey, alphaServer}} {
			p := events.NewListEventsParams()
			var err error
			if creds[1] == "" {
				_, err = s.Client.Events.ListEvents(p, apitest.KeyAuth(creds[0]))
			} else {
				_, err = s.Client.Events.ListEvents(p, apitest.UserAuth(creds[0], creds[1]))
			}
			apitest.WantFailure(t, err, 401, coord.EUnauthorized)
		}
		_, err := tryFeed(s, alphaKey, alphaServer, ptr(int64(-1)), "", 0)
		apitest.WantFailure(t, err, 422, coord.EValidation)
	})
}

func TestAnExpiredCursorIs410(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		auth := apitest.UserAuth(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "old@example.com"}))
		setPlate(t, s, auth, "OLD1", "de", "")
		setPlate(t, s, auth, "OLD2", "de", "")
		s.Clock.Advance(2 * time.Hour)
		setPlate(t, s, auth, "NEW1", "de", "")
		if n, err := s.Store.PruneEvents(t.Context(), s.Clock.Now().Add(-time.Hour)); err != nil || n != 2 {
			t.Fatalf("pruned %d, %v; want 2", n, err)
		}
		for _, after := range []int64{0, 1} {
			_, err := tryFeed(s, alphaKey, alphaServer, &after, "", 0)
			apitest.WantFailure(t, err, 410, coord.ECursorExpired)
		}
		for _, after := range []*int64{nil, ptr(int64(2))} {
			if list := feed(t, s, alphaKey, alphaServer, after, "", 0); len(list) != 1 || list[0].Seq != 3 {
				t.Fatalf("after %v: %q", after, types(list))
			}
		}
	})
}

func TestEventFeedLongPollIsWokenByTheNextEvent(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		auth := apitest.UserAuth(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "follow@example.com"}))
		setPlate(t, s, auth, "F1", "de", "")
		type result struct {
			list  []*models.Event
			after time.Duration
		}
		got := make(chan result, 1)
		began := time.Now()
		go func() {
			list, err := tryFeed(s, alphaKey, alphaServer, ptr(int64(1)), "", 30)
			if err != nil {
				t.Error(err)
			}
			got <- result{list, time.Since(began)}
		}()
		heldSoon(t, s, 1)
		// Another partner's event does not answer it.
		beta := apitest.UserAuth(betaKey, mintTest(t, s, betaKey, models.TestJWTRequest{Email: "other@example.com"}))
		setPlate(t, s, beta, "X1", "de", "")
		setPlate(t, s, auth, "F2", "de", "")
		r := <-got
		if len(r.list) != 1 || r.list[0].Seq != 2 || r.list[0].Data.User.Vehicle.LicensePlate.Text != "f2" || r.after > 10*time.Second {
			t.Fatalf("woken with %q after %v", types(r.list), r.after)
		}
	})
}
