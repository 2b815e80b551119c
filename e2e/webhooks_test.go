package e2e

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord/client/webhooks"
	"github.com/coordapi/coord/internal/apitest"
)

// startHooked starts a server with the endpoints and the test webhook
// flags, on the database given.
func startHooked(t *testing.T, db string, hooks map[string]*receiver, extra ...string) *server {
	t.Helper()
	args := append([]string{"--db", db, "--catalog", hookCatalog(t, hooks)}, hookFlags...)
	return startServer(t, append(args, extra...)...)
}

func sqliteFile(t *testing.T) string { return filepath.Join(t.TempDir(), "coord.db") }

// A receiver that fails the first two attempts of each event gets each
// once more, and then once: list_webhook_deliveries shows the three attempts.
func TestWebhookRetriesUntilTheReceiverAccepts(t *testing.T) {
	r := newReceiver(t, func(w http.ResponseWriter, attempt int) {
		if attempt <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := startHooked(t, sqliteFile(t), map[string]*receiver{"backend": r})
	changeVehicle(t, srv, newTestDriver(t, srv, "retry@example.com"), 4)
	ids := eventIDs(t, srv)
	r.waitFor(t, ids, 10*time.Second)
	for _, id := range ids {
		if n := len(r.attemptsOf(id)); n != 3 {
			t.Errorf("event %s: %d attempts, want 3", id, n)
		}
	}
	if accepted, distinct, invalid := r.counts(); accepted != len(ids) || distinct != len(ids) || invalid != 0 {
		t.Fatalf("accepted %d (%d distinct) of %d events, %d bad signatures", accepted, distinct, len(ids), invalid)
	}
	// The dispatcher records an attempt after the receiver has answered
	// it, so the last records may trail the receiver by a moment.
	var ok *webhooks.ListWebhookDeliveriesOK
	waitUntil(t, 5*time.Second, func() bool {
		var err error
		ok, err = srv.Client.Webhooks.ListWebhookDeliveries(webhooks.NewListWebhookDeliveriesParams(),
			apitest.UserAuth(apitest.DemoAccessKey, "demo-server-token"))
		if err != nil || len(ok.Payload) != 1 {
			t.Fatalf("list_webhook_deliveries: %+v, %v", ok, err)
		}
		return len(ok.Payload[0].Attempts) >= 3*len(ids)
	})
	if n := len(ok.Payload[0].Attempts); n != 3*len(ids) {
		t.Fatalf("list_webhook_deliveries: %d attempts, want %d: %+v", n, 3*len(ids), ok.Payload[0])
	}
	if a := ok.Payload[0].Attempts[0]; a.Outcome != "delivered" || a.Attempt != 3 || a.StatusCode != 204 {
		t.Fatalf("the newest attempt: %+v", a)
	}
	wants := []string{
		fmt.Sprintf("coord_webhook_deliveries_total{outcome=\"delivered\"} %d\n", len(ids)),
		fmt.Sprintf("coord_webhook_deliveries_total{outcome=\"retrying\"} %d\n", 2*len(ids)),
		"coord_webhook_queue_depth 0\n", "coord_webhook_delivery_lag_seconds_count " + fmt.Sprint(len(ids)) + "\n",
	}
	var metrics string
	deadline := time.Now().Add(5 * time.Second)
	for {
		metrics = get(t, srv.URL+"/metrics")
		missing := 0
		for _, want := range wants {
			if !strings.Contains(metrics, want) {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range wants {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The warning per failed attempt names the host, never the path.
	if logs := srv.logs.String(); !strings.Contains(logs, `"msg":"webhook attempt failed"`) || strings.Contains(logs, "/hook") {
		t.Errorf("the failed attempts' log lines:\n%s", logs)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// A 503 with Retry-After: 2 delays the next attempt by 2 s, though the
// (scaled) schedule would retry after 5 ms.
func TestWebhookRetryAfterIsHonoured(t *testing.T) {
	r := newReceiver(t, func(w http.ResponseWriter, attempt int) {
		if attempt == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := startHooked(t, sqliteFile(t), map[string]*receiver{"backend": r})
	newTestDriver(t, srv, "later@example.com")
	ids := eventIDs(t, srv)
	r.waitFor(t, ids, 10*time.Second)
	at := r.attemptsOf(ids[0])
	if len(at) != 2 || at[1].Sub(at[0]) < 2*time.Second || at[1].Sub(at[0]) > 5*time.Second {
		t.Fatalf("attempts at %v, want two, 2-5 s apart", at)
	}
}

// 410 Gone disables one endpoint (the other goes on) until its catalog
// entry changes: then its waiting deliveries go out.
func TestWebhook410DisablesTheEndpointUntilTheCatalogChanges(t *testing.T) {
	gone := newReceiver(t, func(w http.ResponseWriter, _ int) { w.WriteHeader(http.StatusGone) })
	ok := newReceiver(t, nil)
	db := sqliteFile(t)
	srv := startHooked(t, db, map[string]*receiver{"gone": gone, "ok": ok})
	auth := newTestDriver(t, srv, "gone@example.com")
	first := eventIDs(t, srv)
	ok.waitFor(t, first, 10*time.Second)
	waitUntil(t, 5*time.Second, func() bool { return len(gone.attemptsOf(first[0])) == 1 })
	// The 410 disables the endpoint when it is recorded, a moment after
	// the receiver answered: the next events must come after that.
	goneID, hookAuth := "gone", apitest.UserAuth(apitest.DemoAccessKey, "demo-server-token")
	waitUntil(t, 5*time.Second, func() bool {
		got, err := srv.Client.Webhooks.ListWebhookDeliveries(webhooks.NewListWebhookDeliveriesParams().WithWebhookID(&goneID), hookAuth)
		return err == nil && len(got.Payload) == 1 && len(got.Payload[0].Attempts) == 1
	})

	changeVehicle(t, srv, auth, 2)
	all := eventIDs(t, srv)
	ok.waitFor(t, all, 10*time.Second)
	time.Sleep(500 * time.Millisecond) // the scaled schedule's first retries are long done
	for _, id := range all {
		if want := map[bool]int{true: 1, false: 0}[id == first[0]]; len(gone.attemptsOf(id)) != want {
			t.Fatalf("the disabled endpoint got event %s %d times, want %d", id, len(gone.attemptsOf(id)), want)
		}
	}

	// The partner fixes the endpoint in the catalog: a new URL.
	srv.kill()
	fixed := newReceiver(t, nil)
	fixed.secret = gone.secret
	startHooked(t, db, map[string]*receiver{"gone": fixed, "ok": ok})
	fixed.waitFor(t, all[1:], 10*time.Second)
	if accepted, distinct, invalid := fixed.counts(); accepted != 2 || distinct != 2 || invalid != 0 {
		t.Fatalf("after the fix: %d accepted, %d distinct, %d invalid; want the 2 that waited", accepted, distinct, invalid)
	}
}

// An endpoint that hangs past the timeout holds its own workers only: a
// healthy endpoint gets every event promptly.
func TestHangingEndpointDoesNotDelayAHealthyOne(t *testing.T) {
	hang := newReceiver(t, func(w http.ResponseWriter, _ int) {
		time.Sleep(1500 * time.Millisecond) // past --webhook-timeout 1s
		w.WriteHeader(http.StatusNoContent)
	})
	ok := newReceiver(t, nil)
	srv := startHooked(t, sqliteFile(t), map[string]*receiver{"hang": hang, "ok": ok})
	began := time.Now()
	changeVehicle(t, srv, newTestDriver(t, srv, "hang@example.com"), 29)
	ids := eventIDs(t, srv)
	ok.waitFor(t, ids, 3*time.Second)
	t.Logf("%d events at the healthy endpoint %v after the first commit, the hanging one holding its workers", len(ids), time.Since(began).Round(time.Millisecond))
	if accepted, _, _ := hang.counts(); accepted != 0 {
		t.Logf("the hanging endpoint answered %d in time (it sleeps past the timeout)", accepted)
	}
}

// SIGKILL of the server at random moments while it delivers, five times:
// afterwards every committed event has reached the endpoint at least once,
// every request carried a valid signature. Duplicates are reported.
func TestSIGKILLDuringDeliveriesLosesNone(t *testing.T) {
	r := newReceiver(t, func(w http.ResponseWriter, _ int) {
		time.Sleep(20 * time.Millisecond) // deliveries in flight when the kill comes
		w.WriteHeader(http.StatusNoContent)
	})
	db := sqliteFile(t)
	hooks := map[string]*receiver{"backend": r}
	slow := []string{"--webhook-per-endpoint", "2"} // deliveries trail the commits: some are in flight at each kill
	srv := startHooked(t, db, hooks, slow...)
	auth := newTestDriver(t, srv, "kill@example.com")
	inFlight := 0
	for range 5 {
		changeVehicle(t, srv, auth, 40)
		time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
		srv.kill()
		_, distinct, _ := r.counts()
		inFlight += len(eventIDsOf(t, db)) - distinct
		srv = startHooked(t, db, hooks, slow...)
	}
	ids := eventIDs(t, srv)
	r.waitFor(t, ids, 15*time.Second) // a killed server's claims wait out their 3 s lease
	// Deliveries the receiver accepted but a killed server never recorded
	// go out again once their lease runs out: wait for those to count them.
	time.Sleep(4 * time.Second)
	accepted, distinct, invalid := r.counts()
	if distinct != len(ids) || invalid != 0 {
		t.Fatalf("%d of %d events delivered, %d bad signatures", distinct, len(ids), invalid)
	}
	t.Logf("5 SIGKILLs (events not yet delivered at each kill, summed: %d): %d events, %d deliveries accepted, %d duplicates (%.1f%%)",
		inFlight, len(ids), accepted, accepted-distinct, 100*float64(accepted-distinct)/float64(len(ids)))
}

// Two PostgreSQL replicas share the queue: every event once, duplicates
// counted (SKIP LOCKED and leases make them rare); then one replica is
// killed and the other delivers what it held once the leases expire.
func TestTwoReplicasShareTheWebhookQueue(t *testing.T) {
	dsn := postgresSchema(t)
	r := newReceiver(t, nil)
	hooks := map[string]*receiver{"backend": r}
	replicas := []*server{startHooked(t, dsn, hooks), startHooked(t, dsn, hooks)}
	auths := []runtime.ClientAuthInfoWriter{newTestDriver(t, replicas[0], "a@example.com"), newTestDriver(t, replicas[1], "b@example.com")}
	for i := range 4 {
		changeVehicle(t, replicas[i%2], auths[i%2], 50)
	}
	ids := eventIDs(t, replicas[0])
	r.waitFor(t, ids, 15*time.Second)
	accepted, distinct, invalid := r.counts()
	t.Logf("two replicas: %d events, %d deliveries, %d duplicates (%.2f%%)", len(ids), accepted, accepted-distinct,
		100*float64(accepted-distinct)/float64(len(ids)))
	if distinct != len(ids) || invalid != 0 {
		t.Fatalf("%d of %d delivered, %d bad signatures", distinct, len(ids), invalid)
	}

	changeVehicle(t, replicas[0], auths[0], 50)
	replicas[0].kill()
	ids = eventIDs(t, replicas[1])
	r.waitFor(t, ids, 15*time.Second)
	time.Sleep(4 * time.Second) // the killed replica's leases run out: redeliveries, counted
	accepted, distinct, _ = r.counts()
	t.Logf("after killing one replica: %d events, all delivered, %d duplicates in all", len(ids), accepted-distinct)
}

// waitUntil polls cond every 20 ms, failing t after within.
func waitUntil(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SIGTERM with an attempt hanging: the server waits for it no longer
// than --webhook-timeout, then exits; the delivery goes out again later.
func TestSIGTERMWaitsForAHangingAttemptOnlyUntilItsTimeout(t *testing.T) {
	hang := newReceiver(t, func(w http.ResponseWriter, _ int) {
		time.Sleep(3 * time.Second)
		w.WriteHeader(http.StatusNoContent)
	})
	srv := startHooked(t, sqliteFile(t), map[string]*receiver{"hang": hang})
	newTestDriver(t, srv, "term@example.com")
	waitUntil(t, 5*time.Second, func() bool { return len(hang.attemptsOf(eventIDs(t, srv)[0])) == 1 })
	began := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10 s after SIGTERM:\n%s", srv.logs)
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Fatalf("shutdown took %v with --webhook-timeout 1s", took)
	}
}

// Receivers that redirect, reset the connection or answer a huge body:
// each attempt is recorded with what happened, and a healthy endpoint
// beside them gets everything.
func TestMisbehavingReceiversAreRecordedAndIsolated(t *testing.T) {
	redirect := newReceiver(t, func(w http.ResponseWriter, _ int) {
		w.Header().Set("Location", "https://elsewhere.example/hook")
		w.WriteHeader(http.StatusFound)
	})
	reset := newReceiver(t, func(w http.ResponseWriter, _ int) {
		conn, _, err := w.(*statusRecorder).ResponseWriter.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	huge := newReceiver(t, func(w http.ResponseWriter, _ int) {
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 160 { // 10 MiB, of which the server reads a few KiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	ok := newReceiver(t, nil)
	hooks := map[string]*receiver{"redirect": redirect, "reset": reset, "huge": huge, "ok": ok}
	srv := startHooked(t, sqliteFile(t), hooks)
	changeVehicle(t, srv, newTestDriver(t, srv, "faults@example.com"), 4)
	ids := eventIDs(t, srv)
	ok.waitFor(t, ids, 5*time.Second)
	huge.waitFor(t, ids, 5*time.Second)
	auth := apitest.UserAuth(apitest.DemoAccessKey, "demo-server-token")
	want := map[string]string{"redirect": "HTTP 302 (redirects are not followed", "reset": "connection reset"}
	for id, msg := range want {
		waitUntil(t, 5*time.Second, func() bool {
			got, err := srv.Client.Webhooks.ListWebhookDeliveries(webhooks.NewListWebhookDeliveriesParams().WithWebhookID(&id), auth)
			return err == nil && len(got.Payload[0].Attempts) > 0 && strings.HasPrefix(got.Payload[0].Attempts[0].Error, msg)
		})
	}
}
