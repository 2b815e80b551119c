package e2e

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord/client/events"
	"github.com/coordapi/coord/client/users"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// receiver is a webhook endpoint in the test: it verifies every request,
// answers as answer decides (by the event's attempt number here, from 1),
// and records what it accepted.
type receiver struct {
	URL    string
	secret string
	answer func(w http.ResponseWriter, attempt int)

	mu       sync.Mutex
	attempts map[string][]time.Time // by webhook-id, every request that verified
	accepted map[string]int         // by webhook-id, the 2xx answers
	invalid  int                    // requests whose signature or timestamp failed
	arrived  chan string
}

// newReceiver starts a receiver; answer nil accepts everything with 204.
func newReceiver(t *testing.T, answer func(w http.ResponseWriter, attempt int)) *receiver {
	t.Helper()
	r := &receiver{secret: webhook.NewSecret(), answer: answer, attempts: map[string][]time.Time{},
		accepted: map[string]int{}, arrived: make(chan string, 100_000)}
	if r.answer == nil {
		r.answer = func(w http.ResponseWriter, _ int) { w.WriteHeader(http.StatusNoContent) }
	}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/hook"
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	e, err := webhook.Verify([]string{r.secret}, req.Header, body)
	if err != nil || e.ID != req.Header.Get(webhook.HeaderID) {
		r.mu.Lock()
		r.invalid++
		r.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	r.attempts[e.ID] = append(r.attempts[e.ID], time.Now())
	n := len(r.attempts[e.ID])
	r.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w}
	r.answer(rec, n)
	if rec.status >= 200 && rec.status <= 299 {
		r.mu.Lock()
		r.accepted[e.ID]++
		r.mu.Unlock()
		r.arrived <- e.ID
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// waitFor waits until every id was accepted at least once, or fails.
func (r *receiver) waitFor(t *testing.T, ids []string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r.mu.Lock()
		var missing []string
		for _, id := range ids {
			if r.accepted[id] == 0 {
				missing = append(missing, id)
			}
		}
		r.mu.Unlock()
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events not delivered within %v, e.g. %s", len(missing), len(ids), within, missing[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// counts returns the total of 2xx answers, the distinct events accepted
// and the requests that failed verification.
func (r *receiver) counts() (accepted, distinct, invalid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.accepted {
		accepted += n
	}
	return accepted, len(r.accepted), r.invalid
}

func (r *receiver) attemptsOf(id string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.attempts[id]...)
}

// hookCatalog is crashCatalog with the given endpoints (id → receiver) for
// the partner, written to a file for --catalog.
func hookCatalog(t *testing.T, hooks map[string]*receiver) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("    webhooks:\n")
	for id, r := range hooks {
		fmt.Fprintf(&b, "      - {id: %s, url: %q, secrets: [%s]}\n", id, r.URL, r.secret)
	}
	doc := strings.Replace(crashCatalog, "    redirect_uri_prefixes: [\"https://example.com/callback\"]\n",
		"    redirect_uri_prefixes: [\"https://example.com/callback\"]\n"+b.String(), 1)
	path := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hookFlags are the server's webhook flags for tests: a schedule a
// thousand times faster (5 ms, 300 ms, 1.8 s, …), short timeouts and leases.
var hookFlags = []string{"--webhook-schedule-scale", "0.001", "--webhook-timeout", "1s", "--webhook-lease", "3s"}

// changeVehicle appends n user.vehicle_updated events and returns nothing;
// the events' ids come from the feed (eventIDs).
func changeVehicle(t *testing.T, srv *server, auth runtime.ClientAuthInfoWriter, n int) {
	t.Helper()
	for i := range n {
		_, err := srv.Client.Users.PutVehicle(users.NewPutVehicleParams().WithBody(&models.Vehicle{
			LicensePlate: &models.LicensePlate{Text: fmt.Sprintf("hook%d", i), Country: "us"}}), auth)
		if err != nil {
			t.Fatalf("put_vehicle: %v", err)
		}
	}
}

// eventIDs pages the whole event feed: the events every endpoint must get.
func eventIDs(t *testing.T, srv *server) []string {
	t.Helper()
	auth := apitest.UserAuth(apitest.DemoAccessKey, "demo-server-token")
	var ids []string
	var after int64
	for {
		limit := int32(500)
		ok, err := srv.Client.Events.ListEvents(events.NewListEventsParams().WithAfter(&after).WithLimit(&limit), auth)
		if err != nil {
			t.Fatalf("list_events: %v", err)
		}
		for _, e := range ok.Payload {
			ids = append(ids, e.ID)
			after = e.Seq
		}
		if len(ok.Payload) == 0 {
			return ids
		}
	}
}

// eventIDsOf reads the event ids from a SQLite file no server has open.
func eventIDsOf(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}
