package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// call sends one API request with the demo access key and returns the
// status, the ETag and the body.
func call(t *testing.T, s *server, method, path, bearer, body string, header ...string) (int, string, []byte) {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req, err := http.NewRequest(method, s.url+"/v1/users"+path+sep+"access_key=demo-access-key", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("ETag"), b
}

// plateSession makes a test user with a plate and starts a session at the
// demo garage; it returns the user's token, the session's path and ETag.
func plateSession(t *testing.T, s *server) (token, path, etag string) {
	t.Helper()
	_, _, b := call(t, s, "POST", "/testing/create_jwt", "", `{"email":"longpoll@example.com"}`)
	var minted struct {
		JWT string `json:"jwt_token"`
	}
	if err := json.Unmarshal(b, &minted); err != nil || minted.JWT == "" {
		t.Fatalf("create_test_jwt: %s", b)
	}
	if status, _, b := call(t, s, "PUT", "/user/current/vehicle", minted.JWT, `{"license_plate":{"text":"lp1","country":"us"}}`); status != 200 {
		t.Fatalf("put_vehicle: %d %s", status, b)
	}
	status, _, b := call(t, s, "POST", "/downtown-garage/session", minted.JWT, "")
	var created struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(b, &created); err != nil || status != 200 {
		t.Fatalf("post_session: %d %s", status, b)
	}
	path = fmt.Sprintf("/downtown-garage/session/%d", created.ID)
	_, etag, _ = call(t, s, "GET", path, minted.JWT, "")
	return minted.JWT, path, etag
}

// A held request outlives --read-timeout and --write-timeout, which guard
// every other request: net/http would otherwise cancel it at the read
// deadline and cut its answer at the write deadline.
func TestLongPollOutlivesTheServersTimeouts(t *testing.T) {
	s := startServer(t, []string{"COORD_DB=" + filepath.Join(t.TempDir(), "coord.db")},
		"--read-timeout", "1s", "--write-timeout", "1s")
	token, path, etag := plateSession(t, s)
	began := time.Now()
	status, again, b := call(t, s, "GET", path+"?wait=3", token, "", "If-None-Match", etag)
	if status != http.StatusNotModified || again != etag || len(b) != 0 {
		t.Fatalf("held request: %d %q %s, want 304 with ETag %s", status, again, b, etag)
	}
	if waited := time.Since(began); waited < 3*time.Second {
		t.Fatalf("answered after %v, want the full wait of 3 s", waited)
	}
}

// SIGTERM answers held requests at once (304), not after their wait, and
// the server exits well within --graceful-timeout.
func TestSIGTERMAnswersHeldLongPollsAtOnce(t *testing.T) {
	s := startServer(t, []string{"COORD_DB=" + filepath.Join(t.TempDir(), "coord.db")}, "--graceful-timeout", "30s")
	token, path, etag := plateSession(t, s)
	type answer struct {
		status int
		after  time.Duration
	}
	answered := make(chan answer, 1)
	go func() {
		began := time.Now()
		status, _, _ := call(t, s, "GET", path+"?wait=60", token, "", "If-None-Match", etag)
		answered <- answer{status, time.Since(began)}
	}()
	until(t, "the request is held", func() bool { return s.gauge(t, "coord_live_waiters") == 1 })
	signalled := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a := <-answered
	if a.status != http.StatusNotModified || time.Since(signalled) > 5*time.Second {
		t.Fatalf("held request: %d after %v, want 304 at once", a.status, a.after)
	}
	if code := s.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// Settlement is prompt without any read: a pending gate session past its
// expiry is cancelled, with its event, within a second (the default
// --settle-interval).
func TestExpiryIsSettledWithinASecondWithoutReads(t *testing.T) {
	s := startServer(t, []string{"COORD_DB=" + filepath.Join(t.TempDir(), "coord.db")}, "--pending-ttl", "1s")
	_, _, b := call(t, s, "POST", "/testing/create_jwt", "", `{"email":"expiry@example.com"}`)
	var minted struct {
		JWT string `json:"jwt_token"`
	}
	_ = json.Unmarshal(b, &minted)
	if status, _, b := call(t, s, "POST", "/testing/user/current/transactable_systems", minted.JWT,
		`{"system_id":"gatepark","linked_account":true}`); status != 200 {
		t.Fatalf("link: %d %s", status, b)
	}
	if status, _, b := call(t, s, "POST", "/riverside-lot/session", minted.JWT, ""); status != 200 {
		t.Fatalf("post_session: %d %s", status, b)
	}
	status, _, b := call(t, s, "GET", "/events?type=session.cancelled&wait=10", "demo-server-token", "")
	var list []struct {
		CreatedAt time.Time `json:"created_at"`
	}
	if err := json.Unmarshal(b, &list); err != nil || status != 200 || len(list) != 1 {
		t.Fatalf("events: %d %s", status, b)
	}
	_, _, b = call(t, s, "GET", "/events?type=session.created", "demo-server-token", "")
	var created []struct {
		CreatedAt time.Time `json:"created_at"`
	}
	if err := json.Unmarshal(b, &created); err != nil || len(created) != 1 {
		t.Fatalf("events: %s", b)
	}
	due := created[0].CreatedAt.Add(time.Second)
	if late := list[0].CreatedAt.Sub(due); late > 1100*time.Millisecond {
		t.Fatalf("cancelled %v after it was due, want ≤ 1 s", late)
	}
}
