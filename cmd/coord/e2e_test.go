package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/internal/proctest"
)

// meterCatalog adds to the demo partner a location billed USD 1.00 per
// started minute with no grace, so that a session of a few milliseconds
// has a real, predictable cost.
const meterCatalog = `
partners:
  - id: demo
    name: Demo Partner
    access_keys: [demo-access-key]
    server_tokens: [demo-server-token]
    redirect_uri_prefixes: [http://localhost:3000/]
systems:
  - id: citypark
    name: CityPark Garages
    requirements:
      jwt_claims: [email]
      users_api_fields: [vehicle.license_plate.text]
    locations:
      - id: meter
        name: Meter Street
        time_zone: America/New_York
        online_access_type: license_plate
        price:
          rate: {amount: 100, currency: USD}
          rate_period_m: 1
          increment_m: 1
  - id: gatepark
    name: GatePark Lots
    requirements:
      jwt_claims: [email]
      linked_account: true
    locations:
      - id: riverside-lot
        name: Riverside Lot
        time_zone: America/Chicago
        online_access_type: barcode
        price:
          rate: {amount: 300, currency: USD}
          increment_m: 30
`

// sessionJSON is the part of a session the tests read from --json output.
type sessionJSON struct {
	ID          int64  `json:"id"`
	Status      string `json:"status"`
	ResourceID  string `json:"resource_id"`
	BillingInfo *struct {
		Cost struct {
			Amount   *int64 `json:"amount"`
			Currency string `json:"currency"`
		} `json:"cost"`
	} `json:"billing_info"`
}

func decode[T any](t *testing.T, out string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return v
}

func TestCLIRunsASessionLifecycleAgainstTheServerBinary(t *testing.T) {
	coordBin, serverBin := binaries(t)
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := os.WriteFile(catalog, []byte(meterCatalog), 0o600); err != nil {
		t.Fatal(err)
	}
	port := proctest.FreePort(t)
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	startServer(t, serverBin, url, http.DefaultClient, "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--catalog", catalog)
	c := newCLI(t, coordBin, url)

	// Log in: the token lands in the config dir, readable by the user only.
	out := c.ok(t, "login", "--test", "--email", "driver@example.com", "--name", "Dee Driver")
	if !strings.Contains(out, "driver@example.com (test user)") {
		t.Fatalf("login printed:\n%s", out)
	}
	info, err := os.Stat(filepath.Join(c.home, ".config", "coord", "token"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, %v", info, err)
	}

	// The requirements are checked, and the failure names the code.
	c.fails(t, "coord: requirements_not_met: ", "session", "start", "meter")
	if out := c.ok(t, "vehicle", "set", "--plate", "AB C-123", "--country", "us", "--subdivision", "ny"); !strings.Contains(out, "abc123 (us-ny)") {
		t.Fatalf("vehicle set printed:\n%s", out)
	}

	started := decode[sessionJSON](t, c.ok(t, "--json", "session", "start", "meter", "--resource", "B-12", "--idempotency-key", "k1"))
	if started.Status != "active" || started.ResourceID != "B-12" || started.BillingInfo != nil {
		t.Fatalf("started %+v", started)
	}
	id := strconv.FormatInt(started.ID, 10)
	c.fails(t, "coord: active_session_exists: ", "session", "start", "meter")
	if out := c.ok(t, "session", "get", "meter", id); !strings.Contains(out, "status    active") {
		t.Fatalf("session get printed:\n%s", out)
	}

	// Watch it live in another process while it ends.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	watch := c.command(ctx, "session", "get", "meter", id, "--watch", "--interval", "50ms")
	pipe, err := watch.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(pipe)
	if !lines.Scan() || !strings.HasSuffix(lines.Text(), "session "+id+"  active") {
		t.Fatalf("watch's first line: %q", lines.Text())
	}

	ended := c.ok(t, "session", "end", "meter", id)
	if !strings.Contains(ended, "status    ended") || !strings.Contains(ended, "cost      USD 1.00") {
		t.Fatalf("session end printed:\n%s", ended)
	}
	if !lines.Scan() || !strings.HasSuffix(lines.Text(), "session "+id+"  ended  USD 1.00") {
		t.Fatalf("watch's second line: %q", lines.Text())
	}
	if err := watch.Wait(); err != nil {
		t.Fatalf("watch did not exit cleanly once the session ended: %v", err)
	}

	got := decode[sessionJSON](t, c.ok(t, "--json", "session", "get", "meter", id))
	if got.Status != "ended" || got.BillingInfo == nil || got.BillingInfo.Cost.Amount == nil ||
		*got.BillingInfo.Cost.Amount != 100 || got.BillingInfo.Cost.Currency != "USD" {
		t.Fatalf("--json session get: %+v", got)
	}
	if again := c.ok(t, "session", "end", "meter", id); again != ended {
		t.Fatalf("ending again changed the output:\n%s\nthen\n%s", ended, again)
	}

	// The gate flow, for a test user.
	c.ok(t, "link", "gatepark", "--test", "--allow")
	gate := decode[sessionJSON](t, c.ok(t, "--json", "session", "start", "riverside-lot"))
	if gate.Status != "pending" {
		t.Fatalf("gate session %+v", gate)
	}
	gateID := strconv.FormatInt(gate.ID, 10)
	c.fails(t, "coord: physical_checkout: ", "session", "end", "riverside-lot", gateID)
	if out := c.ok(t, "session", "redeem", "riverside-lot", gateID, "--minutes", "0"); !strings.Contains(out, "status    ended") || !strings.Contains(out, "cost      USD 0.00") {
		t.Fatalf("redeem printed:\n%s", out)
	}

	list := decode[[]sessionJSON](t, c.ok(t, "--json", "sessions"))
	if len(list) != 2 || list[0].ID != gate.ID || list[1].ID != started.ID {
		t.Fatalf("sessions: %+v", list)
	}
	if table := c.ok(t, "sessions", "--location", "meter"); !strings.Contains(table, "ID") || !strings.Contains(table, "USD 1.00") || strings.Contains(table, "riverside-lot") {
		t.Fatalf("sessions --location meter:\n%s", table)
	}
	c.fails(t, "coord: not_found: ", "session", "get", "meter", "999")

	// The partner's backend reads the event feed: every change above, in order.
	feed := c.ok(t, "events", "--server-token", "demo-server-token")
	wantTypes := []string{"user.vehicle_updated", "session.created", "session.ended", "user.account_linked",
		"session.created", "session.started", "session.ended"}
	if lines := strings.Split(strings.TrimSpace(feed), "\n"); len(lines) != len(wantTypes) {
		t.Fatalf("events printed:\n%s", feed)
	} else {
		for i, typ := range wantTypes {
			if !strings.HasPrefix(lines[i], strconv.Itoa(i+1)+"  ") || !strings.Contains(lines[i], typ) {
				t.Errorf("event line %d: %q, want seq %d %s", i, lines[i], i+1, typ)
			}
		}
	}
	if ended := c.ok(t, "events", "--server-token", "demo-server-token", "--type", "session.ended", "--after", "3"); strings.Count(ended, "session.ended") != 1 ||
		!strings.Contains(ended, "session "+gateID) {
		t.Fatalf("events --type session.ended --after 3 printed:\n%s", ended)
	}
	follow := c.command(ctx, "--json", "events", "--server-token", "demo-server-token", "--after", "7", "--follow")
	followOut, err := follow.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	c.ok(t, "vehicle", "set", "--plate", "ZZ 9", "--country", "us")
	followed := bufio.NewScanner(followOut)
	if !followed.Scan() || decode[struct {
		Seq  int64  `json:"seq"`
		Type string `json:"type"`
	}](t, followed.Text()).Type != "user.vehicle_updated" {
		t.Fatalf("events --follow printed %q", followed.Text())
	}
	_ = follow.Process.Kill()
	_ = follow.Wait()

	// coord listen forwards new events, signed, to a local receiver.
	secret := webhook.NewSecret()
	received := make(chan *webhook.Event, 4)
	receiver := httptest.NewServer(webhook.Handler(webhook.Verifier{Secrets: []string{secret}}, func(_ context.Context, e *webhook.Event) error {
		received <- e
		return nil
	}))
	defer receiver.Close()
	listen := c.command(ctx, "listen", "--server-token", "demo-server-token", "--forward-to", receiver.URL+"/hook", "--secret", secret)
	listenOut, err := listen.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := listen.Start(); err != nil {
		t.Fatal(err)
	}
	listened := bufio.NewScanner(listenOut)
	if !listened.Scan() || !strings.HasPrefix(listened.Text(), "Ready! Forwarding events after seq 8 ") {
		t.Fatalf("listen printed %q", listened.Text())
	}
	c.ok(t, "vehicle", "set", "--plate", "ZZ 10", "--country", "us")
	select {
	case e := <-received:
		if e.Seq != 9 || e.Type != "user.vehicle_updated" {
			t.Fatalf("the receiver got %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("listen forwarded nothing")
	}
	if !listened.Scan() || !strings.Contains(listened.Text(), "user.vehicle_updated") || !strings.Contains(listened.Text(), "--> 204 delivered") {
		t.Fatalf("listen printed %q", listened.Text())
	}
	_ = listen.Process.Kill()
	_ = listen.Wait()

	link := c.ok(t, "link", "gatepark", "--redirect-uri", "http://localhost:3000/done")
	if !strings.HasPrefix(link, url+"/v1/users/user/current/link_account?") {
		t.Fatalf("link printed %q", link)
	}
}

func TestCLIWorksOverTLSWithTheServersTLSFlags(t *testing.T) {
	coordBin, serverBin := binaries(t)
	cert, key := selfSignedCert(t)
	port := proctest.FreePort(t)
	url := "https://127.0.0.1:" + strconv.Itoa(port)
	startServer(t, serverBin, url, tlsClient(t, cert), "--scheme", "https", "--tls-host", "127.0.0.1",
		"--tls-port", strconv.Itoa(port), "--tls-certificate", cert, "--tls-key", key)
	c := newCLI(t, coordBin, url)

	c.fails(t, "coord: list_systems: ", "systems") // the system roots do not know this certificate
	c.ok(t, "--ca-cert", cert, "login", "--test", "--email", "tls@example.com")
	if out := c.ok(t, "--ca-cert", cert, "user"); !strings.Contains(out, "tls@example.com") {
		t.Fatalf("user over TLS printed:\n%s", out)
	}
}

func TestCLIWorksBehindABasePathPrefix(t *testing.T) {
	coordBin, serverBin := binaries(t)
	port := proctest.FreePort(t)
	backend := "http://127.0.0.1:" + strconv.Itoa(port)
	startServer(t, serverBin, backend, http.DefaultClient, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	target, _ := url.Parse(backend)
	mux := http.NewServeMux()
	mux.Handle("/coord/", http.StripPrefix("/coord", httputil.NewSingleHostReverseProxy(target)))
	proxy := httptest.NewServer(mux)
	t.Cleanup(proxy.Close)

	c := newCLI(t, coordBin, proxy.URL+"/coord")
	c.ok(t, "login", "--test", "--email", "prefix@example.com")
	if out := c.ok(t, "systems"); !strings.Contains(out, "downtown-garage") {
		t.Fatalf("systems through the prefix printed:\n%s", out)
	}
	c.url = proxy.URL // without the prefix the proxy has nothing to serve
	c.fails(t, "coord: HTTP 404: 404 page not found", "systems")
}
