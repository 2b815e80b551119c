package coordclient_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/models"
)

const demoServerToken = "demo-server-token"

// Watch long-polls: while nothing changes it sends no further request, and
// each change costs one.
func TestWatchSendsOneRequestPerChange(t *testing.T) {
	var gets atomic.Int64
	h := testHandler(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/session/") {
			gets.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	ctx := context.Background()
	u := plateUser(t, newClient(t, ts.URL), "longpoll@example.com")
	s, err := u.StartSession(ctx, "downtown-garage", nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 4)
	done := make(chan *models.Session, 1)
	go func() {
		final, err := u.Watch(ctx, "downtown-garage", s.ID, 10*time.Millisecond, func(s *models.Session) { seen <- s.Status })
		if err != nil {
			t.Error(err)
		}
		done <- final
	}()
	if got := <-seen; got != "active" {
		t.Fatalf("first state %s", got)
	}
	time.Sleep(1500 * time.Millisecond) // a poller at 10 ms would send 150 requests here
	if n := gets.Load(); n != 2 {
		t.Fatalf("%d get_session requests while nothing changed, want 2 (the first read, then one held)", n)
	}
	if _, err := u.EndSession(ctx, "downtown-garage", s.ID); err != nil {
		t.Fatal(err)
	}
	if final := <-done; !coordclient.Done(final) || <-seen != "ended" {
		t.Fatalf("final %+v", final)
	}
	if n := gets.Load(); n != 2 {
		t.Fatalf("%d get_session requests in all, want 2", n)
	}
}

func TestEventsIteratesTheFeedAndFollowsIt(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, newServer(t).URL)
	u := plateUser(t, c, "feed@example.com") // vehicle_updated
	s, err := u.StartSession(ctx, "downtown-garage", nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := c.AsServer(demoServerToken)
	var types []string
	for e, err := range srv.Events(ctx, coordclient.EventsOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, e.Type)
	}
	if got := strings.Join(types, " "); got != "user.vehicle_updated session.created" {
		t.Fatalf("feed: %s", got)
	}

	after := int64(2)
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, _ = u.EndSession(ctx, "downtown-garage", s.ID)
	}()
	began := time.Now()
	for e, err := range srv.Events(ctx, coordclient.EventsOptions{After: &after, Follow: true}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Type != "session.ended" || e.Seq != 3 || time.Since(began) > 10*time.Second {
			t.Fatalf("followed %s %d after %v", e.Type, e.Seq, time.Since(began))
		}
		break
	}

	expired := int64(-1)
	for _, err := range srv.Events(ctx, coordclient.EventsOptions{After: &expired}) {
		if !coordclient.IsCode(err, "validation_failed") {
			t.Fatalf("after -1: %v", err)
		}
	}
}
