package coordclient_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/coordtest"
)

// fast retries quickly, so that the tests measure the rules, not the waits.
var fast = coordclient.WithRetry(coordclient.Retry{Max: 3, MinDelay: time.Millisecond, MaxDelay: 3 * time.Second})

// flaky answers the first failures requests with status (and Retry-After,
// if set), then an empty JSON list; it records what each attempt sent.
type flaky struct {
	status     int
	retryAfter string
	failures   int

	mu       sync.Mutex
	attempts []*http.Request
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.attempts = append(f.attempts, r.Clone(context.Background()))
	n := len(f.attempts)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req-"+string(rune('0'+n)))
	if n <= f.failures {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(`{"code":"unavailable","message":"try again"}`))
		return
	}
	if r.Method == http.MethodPost {
		_, _ = w.Write([]byte(`{"id":1,"location_id":"downtown-garage","user_id":"6f1c2f4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f","status":"active","jwt_token":"t"}`))
		return
	}
	_, _ = w.Write([]byte(`[]`))
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.attempts)
}

func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestRetriesTheStatusesThatMeanTryAgain(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504} {
		f := &flaky{status: status, failures: 2}
		if _, err := newClient(t, serve(t, f), fast).Systems(context.Background()); err != nil {
			t.Fatalf("%d twice, then 200: %v", status, err)
		}
		if f.count() != 3 {
			t.Fatalf("%d: %d attempts, want 3", status, f.count())
		}
	}
	for _, status := range []int{400, 401, 404, 409, 422, 500} {
		f := &flaky{status: status, failures: 1}
		_, err := newClient(t, serve(t, f), fast).Systems(context.Background())
		if err == nil || f.count() != 1 {
			t.Fatalf("%d: retried (%d attempts, %v)", status, f.count(), err)
		}
	}
}

func TestRetriesHonourRetryAfterAndStopAtMax(t *testing.T) {
	f := &flaky{status: 503, retryAfter: "1", failures: 1}
	start := time.Now()
	if _, err := newClient(t, serve(t, f), fast).Systems(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("retried after %v, before the Retry-After of 1s", d)
	}

	f = &flaky{status: 503, failures: 10}
	_, err := newClient(t, serve(t, f), fast).Systems(context.Background())
	var e *coordclient.Error
	if !errors.As(err, &e) || e.Status != 503 || f.count() != 4 {
		t.Fatalf("%d attempts, %v; want 4 attempts and the last 503", f.count(), err)
	}
	if e.RequestID != "req-4" {
		t.Fatalf("request id %q, want the last response's (req-4)", e.RequestID)
	}

	f = &flaky{status: 429, retryAfter: "3600", failures: 1}
	if _, err := newClient(t, serve(t, f), fast).Systems(context.Background()); !coordclient.IsCode(err, "unavailable") || f.count() != 1 {
		t.Fatalf("a Retry-After beyond MaxDelay was waited for: %d attempts, %v", f.count(), err)
	}

	f = &flaky{status: 503, failures: 10}
	if _, err := newClient(t, serve(t, f), coordclient.WithoutRetries()).Systems(context.Background()); err == nil || f.count() != 1 {
		t.Fatalf("WithoutRetries: %d attempts, %v", f.count(), err)
	}
}

func TestRetriesEndWithTheContext(t *testing.T) {
	f := &flaky{status: 503, retryAfter: "2", failures: 10}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newClient(t, serve(t, f), fast).Systems(ctx)
	if err == nil || time.Since(start) > time.Second || f.count() != 1 {
		t.Fatalf("a retry outlasting the context was attempted: %d attempts in %v, %v", f.count(), time.Since(start), err)
	}
}

func TestAPostIsRetriedOnlyWithAnIdempotencyKey(t *testing.T) {
	f := &flaky{status: 503, failures: 1}
	c := newClient(t, serve(t, f), fast)
	if _, err := c.CreateTestToken(context.Background(), coordclient.Identity{Email: "x@example.com"}); err == nil || f.count() != 1 {
		t.Fatalf("a POST without a key was retried after a 503: %d attempts, %v", f.count(), err)
	}

	f = &flaky{status: 503, failures: 2}
	u := newClient(t, serve(t, f), fast).AsUser("jwt")
	if _, err := u.StartSession(context.Background(), "downtown-garage", nil); err != nil {
		t.Fatal(err)
	}
	if f.count() != 3 {
		t.Fatalf("%d attempts of post_session, want 3", f.count())
	}
	key := f.attempts[0].Header.Get("Idempotency-Key")
	for _, a := range f.attempts {
		if got := a.Header.Get("Idempotency-Key"); key == "" || got != key {
			t.Fatalf("attempts sent keys %q and %q: one logical call needs one key", key, got)
		}
	}
	if _, err := u.StartSession(context.Background(), "downtown-garage", nil); err != nil {
		t.Fatal(err)
	}
	if again := f.attempts[3].Header.Get("Idempotency-Key"); again == key {
		t.Fatal("two logical calls sent the same key")
	}
	if _, err := u.StartSession(context.Background(), "downtown-garage", &coordclient.StartOptions{IdempotencyKey: "mine"}); err != nil {
		t.Fatal(err)
	}
	if got := f.attempts[4].Header.Get("Idempotency-Key"); got != "mine" {
		t.Fatalf("the caller's key was replaced by %q", got)
	}
}

// lossyTransport delivers the first POST, then loses its response and
// crashes the server, as a deploy or an OOM kill would.
type lossyTransport struct {
	srv  *coordtest.Server
	once sync.Once
}

func (l *lossyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	lost := false
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/session") {
		l.once.Do(func() { lost = true })
	}
	if !lost || err != nil {
		return res, err
	}
	res.Body.Close()
	l.srv.Stop()
	go func() {
		time.Sleep(300 * time.Millisecond)
		l.srv.Start()
	}()
	return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
}

func TestStartSessionRetriedAcrossAServerRestartStartsOneSession(t *testing.T) {
	ctx := context.Background()
	srv := coordtest.NewServer(t)
	lossy := &lossyTransport{srv: srv}
	c, err := coordclient.New(srv.URL, srv.AccessKey, coordclient.WithHTTPClient(&http.Client{Transport: lossy}),
		coordclient.WithRetry(coordclient.Retry{Max: 10, MinDelay: 50 * time.Millisecond, MaxDelay: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	u := plateUser(t, c, "restart@example.com")

	s, err := u.StartSession(ctx, "downtown-garage", nil)
	if err != nil {
		t.Fatalf("across the restart: %v", err)
	}
	var ids []int64
	for got, err := range u.Sessions(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	if len(ids) != 1 || ids[0] != s.ID {
		t.Fatalf("sessions %v after one StartSession answered %d", ids, s.ID)
	}
}

func TestTheUserAgentNamesTheSDKAndTheApplication(t *testing.T) {
	f := &flaky{}
	if _, err := newClient(t, serve(t, f)).Systems(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ua := f.attempts[0].UserAgent(); !strings.HasPrefix(ua, "coordclient-go/") || !strings.Contains(ua, " go1.") {
		t.Fatalf("default User-Agent %q", ua)
	}
	if _, err := newClient(t, serve(t, f), coordclient.WithUserAgent("parkly/2.1")).Systems(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ua := f.attempts[1].UserAgent(); !strings.HasPrefix(ua, "parkly/2.1 coordclient-go/") {
		t.Fatalf("User-Agent %q does not start with the application", ua)
	}
}

func TestAPIErrorsCarryTheRequestID(t *testing.T) {
	srv := coordtest.NewServer(t)
	_, err := srv.Client.AsUser("not-a-jwt").User(context.Background())
	var e *coordclient.Error
	if !errors.As(err, &e) || e.Status != 401 || len(e.RequestID) < 8 {
		t.Fatalf("got %#v", err)
	}
}
