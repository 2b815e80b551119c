package httpapi_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// poll is get_session with If-None-Match (if not empty) and wait (if > 0):
// the session and its ETag on 200, nil and the ETag on 304.
func poll(t *testing.T, s *apitest.Server, u *apitest.User, location string, id int64, known string, wait int32) (*models.Session, string) {
	t.Helper()
	p := sessions.NewGetSessionParams().WithLocationID(location).WithSessionID(id)
	if known != "" {
		p.WithIfNoneMatch(&known)
	}
	if wait > 0 {
		p.WithWait(&wait)
	}
	p.WithTimeout(2 * time.Minute)
	ok, err := s.Client.Sessions.GetSession(p, u.Auth)
	var notModified *sessions.GetSessionNotModified
	if errors.As(err, &notModified) {
		return nil, notModified.ETag
	}
	if err != nil {
		t.Fatalf("get_session %d: %v", id, err)
	}
	if ok.ETag == "" {
		t.Fatal("200 without an ETag")
	}
	return ok.Payload, ok.ETag
}

// heldSoon waits until the hub holds n requests.
func heldSoon(t *testing.T, s *apitest.Server, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.Hub.Held() < n; {
		if time.Now().After(deadline) {
			t.Fatalf("the hub holds %d requests, want %d", s.Hub.Held(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type polled struct {
	s     *models.Session
	etag  string
	after time.Duration
}

// pollAsync runs poll in a goroutine.
func pollAsync(t *testing.T, s *apitest.Server, u *apitest.User, location string, id int64, known string, wait int32) <-chan polled {
	ch := make(chan polled, 1)
	start := time.Now()
	go func() {
		got, tag := poll(t, s, u, location, id, known, wait)
		ch <- polled{got, tag, time.Since(start)}
	}()
	return ch
}

func TestGetSessionAnswersWithAnETagAnd304WhenItMatches(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "etag@example.com", false)
		created := start(t, s, u, plateLot)
		got, tag := poll(t, s, u, plateLot, created.ID, "", 0)
		if got == nil || tag != `"1"` {
			t.Fatalf("first read: ETag %s", tag)
		}
		for _, same := range []string{tag, "W/" + tag, `"7", ` + tag, "*"} {
			if got, again := poll(t, s, u, plateLot, created.ID, same, 0); got != nil || again != tag {
				t.Errorf("If-None-Match %s: got %v (ETag %s), want 304", same, got, again)
			}
		}
		for _, other := range []string{`"2"`, "1", `"1`, "garbage", `W/"x"`} {
			if got, _ := poll(t, s, u, plateLot, created.ID, other, 0); got == nil {
				t.Errorf("If-None-Match %s: 304, want 200 (no match)", other)
			}
		}
		if _, err := end(s, u, plateLot, created.ID); err != nil {
			t.Fatal(err)
		}
		if got, next := poll(t, s, u, plateLot, created.ID, tag, 0); got == nil || next == tag || got.Status != "ended" {
			t.Fatalf("after end_session: %v, ETag %s (was %s)", got, next, tag)
		}
	})
}

func TestLongPollIsWokenByEndSessionOnAnotherConnection(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "woken@example.com", false)
		created := start(t, s, u, plateLot)
		_, tag := poll(t, s, u, plateLot, created.ID, "", 0)
		held := pollAsync(t, s, u, plateLot, created.ID, tag, 30)
		heldSoon(t, s, 1)
		if _, err := end(s, u, plateLot, created.ID); err != nil {
			t.Fatal(err)
		}
		got := <-held
		if got.s == nil || got.s.Status != "ended" || got.etag == tag || got.s.BillingInfo == nil {
			t.Fatalf("woken with %+v", got)
		}
		if got.after > 10*time.Second {
			t.Fatalf("answered after %v: not woken by the change", got.after)
		}
	})
}

func TestLongPollTimesOutWith304(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "timeout@example.com", false)
		created := start(t, s, u, plateLot)
		_, tag := poll(t, s, u, plateLot, created.ID, "", 0)
		got := <-pollAsync(t, s, u, plateLot, created.ID, tag, 1)
		if got.s != nil || got.etag != tag || got.after < time.Second || got.after > 5*time.Second {
			t.Fatalf("got %+v, want 304 after about a second", got)
		}
		// Without If-None-Match, wait answers at once.
		if got := <-pollAsync(t, s, u, plateLot, created.ID, "", 30); got.s == nil || got.after > 5*time.Second {
			t.Fatalf("wait without If-None-Match: %+v", got)
		}
	})
}

// A pending gate session whose expiry falls inside the window is answered
// at the expiry, settled (cancelled), with no other change to wake it.
func TestLongPollAnswersAtTheExpiry(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{RealClock: true, PendingTTL: 1500 * time.Millisecond})
		u := s.NewUser(t, "expiry@example.com", true)
		s.Link(t, u, "gatepark")
		created := start(t, s, u, gateLot)
		_, tag := poll(t, s, u, gateLot, created.ID, "", 0)
		got := <-pollAsync(t, s, u, gateLot, created.ID, tag, 20)
		if got.s == nil || got.s.Status != "cancelled" {
			t.Fatalf("got %+v, want the cancelled session", got)
		}
		if got.after > 4*time.Second {
			t.Fatalf("answered after %v, want at the expiry (1.5 s)", got.after)
		}
	})
}

// A simulated exit falls due; the settler (SettleDue, as the server's
// background settler runs it) commits it, and that wakes the waiter.
func TestLongPollIsWokenWhenASimulatedExitIsSettled(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "exit@example.com", true)
		s.Link(t, u, "gatepark")
		created := start(t, s, u, gateLot)
		redeemed, err := redeem(s, u, gateLot, created.ID, 30)
		if err != nil {
			t.Fatal(err)
		}
		_, tag := poll(t, s, u, gateLot, redeemed.ID, "", 0)
		held := pollAsync(t, s, u, gateLot, created.ID, tag, 30)
		heldSoon(t, s, 1)
		s.Clock.Advance(30 * time.Minute)
		if _, err := s.Store.SettleDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		got := <-held
		if got.s == nil || got.s.Status != "ended" || got.after > 10*time.Second {
			t.Fatalf("got %+v, want the ended session at once", got)
		}
	})
}

func TestShutdownAnswersHeldRequestsAtOnce(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	u := s.NewUser(t, "shutdown@example.com", false)
	created := start(t, s, u, plateLot)
	_, tag := poll(t, s, u, plateLot, created.ID, "", 0)
	held := pollAsync(t, s, u, plateLot, created.ID, tag, 60)
	heldSoon(t, s, 1)
	s.Hub.Close()
	got := <-held
	if got.s != nil || got.etag != tag || got.after > 5*time.Second {
		t.Fatalf("got %+v, want 304 at once", got)
	}
	if got := <-pollAsync(t, s, u, plateLot, created.ID, tag, 60); got.s != nil || got.after > 5*time.Second {
		t.Fatalf("a wait after shutdown began: %+v, want 304 at once", got)
	}
}

func TestPastMaxWaitersALongPollAnswersAtOnce(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{MaxWaiters: 1})
	u := s.NewUser(t, "crowd@example.com", false)
	created := start(t, s, u, plateLot)
	_, tag := poll(t, s, u, plateLot, created.ID, "", 0)
	first := pollAsync(t, s, u, plateLot, created.ID, tag, 30)
	heldSoon(t, s, 1)
	if got := <-pollAsync(t, s, u, plateLot, created.ID, tag, 30); got.s != nil || got.after > 5*time.Second {
		t.Fatalf("second waiter: %+v, want 304 at once", got)
	}
	if s.Hub.Refused() != 1 {
		t.Fatalf("refused %d, want 1", s.Hub.Refused())
	}
	s.Hub.Close()
	<-first
}

func TestWaitOutOfRangeIsRefused(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "badwait@example.com", false)
		created := start(t, s, u, plateLot)
		for _, tc := range []struct {
			wait   string
			status int
		}{{"0", 422}, {"61", 422}, {"-1", 422}, {"abc", 400}, {"1.5", 400}} {
			req, _ := http.NewRequest("GET", s.URL+"/v1/users/"+plateLot+"/session/"+strconv.FormatInt(created.ID, 10)+
				"?access_key="+apitest.DemoAccessKey+"&wait="+tc.wait, nil)
			req.Header.Set("Authorization", "Bearer "+u.Token)
			req.Header.Set("If-None-Match", `"1"`)
			r := sendRaw(t, req)
			if code := wantErrorShape(t, r); r.status != tc.status || code == "" {
				t.Errorf("wait=%s: %d %s, want %d", tc.wait, r.status, r.body, tc.status)
			}
		}
	})
}

// Over HTTP/2 a connection cannot be taken over: the held request waits
// in its goroutine instead, and is woken all the same.
func TestLongPollOverHTTP2WaitsInItsGoroutine(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	u := s.NewUser(t, "h2@example.com", false)
	created := start(t, s, u, plateLot)
	_, tag := poll(t, s, u, plateLot, created.ID, "", 0)
	h2 := httptest.NewUnstartedServer(s.Handler)
	h2.EnableHTTP2 = true
	h2.StartTLS()
	t.Cleanup(h2.Close)
	type answer struct {
		status int
		proto  string
		etag   string
	}
	got := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest("GET", h2.URL+"/v1/users/"+plateLot+"/session/"+strconv.FormatInt(created.ID, 10)+
			"?access_key="+apitest.DemoAccessKey+"&wait=30", nil)
		req.Header.Set("Authorization", "Bearer "+u.Token)
		req.Header.Set("If-None-Match", tag)
		resp, err := h2.Client().Do(req)
		if err != nil {
			t.Error(err)
			got <- answer{}
			return
		}
		resp.Body.Close()
		got <- answer{resp.StatusCode, resp.Proto, resp.Header.Get("ETag")}
	}()
	heldSoon(t, s, 1)
	if _, err := end(s, u, plateLot, created.ID); err != nil {
		t.Fatal(err)
	}
	if a := <-got; a.status != http.StatusOK || a.proto != "HTTP/2.0" || a.etag == tag {
		t.Fatalf("got %+v, want 200 over HTTP/2 with a new ETag", a)
	}
}
