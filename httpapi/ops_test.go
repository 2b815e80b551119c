package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/client"
	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// api is the base URL of the API's operations.
func api(s *apitest.Server) string { return s.URL + client.DefaultBasePath }

// call sends one raw request through the spec-validating client and
// returns the response with its body read.
func call(t *testing.T, method, url, body string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := apitest.ValidatingClient(t).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// errorCode is the code of an Error-shaped body.
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct{ Code, Message string }
	if err := json.Unmarshal(body, &e); err != nil || e.Code == "" || e.Message == "" {
		t.Fatalf("body is not in the Error shape: %q", body)
	}
	return e.Code
}

// logLines parses the captured JSON log.
func logLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	return lines
}

// accessLine is the access log line of the request with the given id.
func accessLine(t *testing.T, log, id string) map[string]any {
	t.Helper()
	var found map[string]any
	for _, l := range logLines(t, log) {
		if l["msg"] == "request" && l["request_id"] == id {
			if found != nil {
				t.Fatalf("two access log lines for request %s", id)
			}
			found = l
		}
	}
	if found == nil {
		t.Fatalf("no access log line for request %s in:\n%s", id, log)
	}
	return found
}

func TestHealthzAnswersWhileTheProcessIsUp(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	s.Store.Close() // the database plays no part in liveness
	resp, body := call(t, "GET", s.URL+"/healthz", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("healthz = %d %s", resp.StatusCode, body)
	}
}

func TestReadyzFollowsTheDatabase(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		if resp, body := call(t, "GET", s.URL+"/readyz", "", nil); resp.StatusCode != 200 {
			t.Fatalf("readyz with the database up = %d %s", resp.StatusCode, body)
		}
		s.Store.Close()
		resp, body := call(t, "GET", s.URL+"/readyz", "", nil)
		if resp.StatusCode != 503 || errorCode(t, body) != coord.EUnavailable {
			t.Fatalf("readyz with the database closed = %d %s, want 503 unavailable", resp.StatusCode, body)
		}
	})
}

func TestRequestIDIsKeptWhenSaneAndGeneratedOtherwise(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tc := range []struct {
		name, incoming string
		kept           bool
	}{
		{"no id is generated", "", false},
		{"a UUID is kept", "3f2b8c1e-9a4d-4f6b-8e2a-1c5d7e9f0a3b", true},
		{"a trace-style id is kept", "trace:abc.DEF_123", true},
		{"a too long id is replaced", strings.Repeat("a", 65), false},
		{"an id with spaces is replaced", "a b", false},
		{"an id that forges JSON is replaced", `x","level":"ERROR`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.incoming != "" {
				h.Set("X-Request-Id", tc.incoming)
			}
			resp, _ := call(t, "GET", api(s)+"/systems?access_key="+apitest.DemoAccessKey, "", h)
			id := resp.Header.Get("X-Request-Id")
			if tc.kept && id != tc.incoming {
				t.Fatalf("X-Request-Id = %q, want the incoming %q", id, tc.incoming)
			}
			if !tc.kept && !generated.MatchString(id) {
				t.Fatalf("X-Request-Id = %q, want a generated id", id)
			}
			accessLine(t, s.Log.String(), id)
		})
	}
}

func TestOneAccessLogLinePerRequest(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	for _, tc := range []struct {
		name, method, path string
		status             int
		operation          string
	}{
		{"an operation is named by its operationId", "GET", client.DefaultBasePath + "/systems?access_key=" + apitest.DemoAccessKey, 200, "list_systems"},
		{"a failed operation still is", "GET", client.DefaultBasePath + "/systems?access_key=wrong", 401, "list_systems"},
		{"an unknown path has no operation", "GET", client.DefaultBasePath + "/no/such/path?access_key=x", 404, ""},
		{"an operational endpoint has no operation", "GET", "/healthz", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, tc.method, s.URL+tc.path, "", nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d %s, want %d", resp.StatusCode, body, tc.status)
			}
			line := accessLine(t, s.Log.String(), resp.Header.Get("X-Request-Id"))
			path, _, _ := strings.Cut(tc.path, "?")
			want := map[string]any{"method": tc.method, "path": path, "status": float64(tc.status), "bytes": float64(len(body))}
			for k, v := range want {
				if line[k] != v {
					t.Errorf("access log %s = %v, want %v (line %v)", k, line[k], v, line)
				}
			}
			if op, _ := line["operation_id"].(string); op != tc.operation {
				t.Errorf("operation_id = %q, want %q", op, tc.operation)
			}
			if d, ok := line["duration_ms"].(float64); !ok || d < 0 {
				t.Errorf("duration_ms = %v", line["duration_ms"])
			}
		})
	}
}

func TestSecretsNeverReachTheLog(t *testing.T) {
	const (
		accessKey   = "ak-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
		serverToken = "st-9a8b7c6d5e4f30211203f4e5d6c7b8a9"
	)
	cat := catalog.Demo()
	cat.Partners[0].AccessKeys = []string{accessKey}
	cat.Partners[0].ServerTokens = []string{serverToken}
	s := apitest.New(t, "sqlite", apitest.Options{Catalog: cat})
	u := s.NewUser(t, "secret@example.com", true)
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

	requests := []struct {
		method, path, body string
		header             http.Header
	}{
		{"GET", "/user/current?access_key=" + accessKey, "", bearer(u.Token)},
		{"GET", "/user/current?access_key=" + accessKey, "", bearer(u.Token + "tampered")},
		{"GET", "/user/current?access_key=" + accessKey + "x", "", bearer(u.Token)},
		{"POST", "/create_jwt?access_key=" + accessKey, `{"external_uid":"p-1","email":"p1@example.com"}`, bearer(serverToken)},
		{"POST", "/create_jwt?access_key=" + accessKey, `{"external_uid":"p-1","email":"p1@example.com"}`, bearer(serverToken + "x")},
		{"POST", "/testing/create_jwt?access_key=" + accessKey, `{"email":"t@example.com"}`, nil},
		{"POST", "/session?access_key=" + accessKey, `{}`, bearer(u.Token)}, // wrong method
		{"GET", "/no/such/path?access_key=" + accessKey, "", bearer(u.Token)},
	}
	var minted []string
	for _, r := range requests {
		resp, body := call(t, r.method, api(s)+r.path, r.body, r.header)
		if resp.StatusCode == 200 {
			var tok struct {
				JWT string `json:"jwt_token"`
			}
			if json.Unmarshal(body, &tok) == nil && tok.JWT != "" {
				minted = append(minted, tok.JWT)
			}
		}
	}
	if len(minted) != 2 {
		t.Fatalf("minted %d tokens, want 2 (create_jwt and create_test_jwt)", len(minted))
	}
	log := s.Log.String()
	if n := strings.Count(log, `"msg":"request"`); n != len(requests) {
		t.Fatalf("%d access log lines for %d requests", n, len(requests))
	}
	for _, secret := range append([]string{accessKey, serverToken, u.Token, "Bearer"}, minted...) {
		if strings.Contains(log, secret) {
			t.Errorf("the log contains %.12s…:\n%s", secret, log)
		}
	}
}

func TestBodiesOverTheLimitGet413(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	u := s.NewUser(t, "big@example.com", false)
	url := api(s) + "/" + plateLot + "/session?access_key=" + apitest.DemoAccessKey
	big := `{"resource_id":"` + strings.Repeat("x", httpapi.DefaultMaxBodyBytes) + `"}`

	for _, tc := range []struct {
		name    string
		chunked bool
	}{
		{"with a declared Content-Length", false},
		{"with a chunked body", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", url, strings.NewReader(big))
			if tc.chunked {
				req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+u.Token)
			resp, err := apitest.ValidatingClient(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 413 || errorCode(t, b) != httpapi.EPayloadTooLarge {
				t.Fatalf("got %d %s, want 413 payload_too_large", resp.StatusCode, b)
			}
		})
	}
	t.Run("a body within the limit passes", func(t *testing.T) {
		resp, b := call(t, "POST", url, `{"resource_id":"A1"}`, http.Header{"Authorization": {"Bearer " + u.Token}})
		if resp.StatusCode != 200 {
			t.Fatalf("got %d %s", resp.StatusCode, b)
		}
	})
}

// withReadiness serves the real handler with a readiness check of the
// test's own (the one handler a test can supply) and returns its log.
func withReadiness(t *testing.T, ready httpapi.Ready) (*httptest.Server, *apitest.SyncBuffer) {
	t.Helper()
	s := apitest.New(t, "sqlite", apitest.Options{})
	logs := &apitest.SyncBuffer{}
	deps := apitest.Deps(s.Service, s.Store, s.Clock, slog.New(slog.NewJSONHandler(logs, nil)))
	deps.Ready = ready
	h, err := httpapi.New(apitest.NewAPI(t), deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, logs
}

func TestAPanicBecomesA500InTheErrorShape(t *testing.T) {
	ts, logs := withReadiness(t, func(context.Context) error { panic("readiness exploded") })

	for range 2 { // the server survives: a second request is answered the same way
		resp, body := call(t, "GET", ts.URL+"/readyz", "", nil)
		if resp.StatusCode != 500 || errorCode(t, body) != coord.EInternal {
			t.Fatalf("got %d %s, want 500 internal", resp.StatusCode, body)
		}
		if strings.Contains(string(body), "exploded") {
			t.Fatalf("the panic value reached the caller: %s", body)
		}
		id := resp.Header.Get("X-Request-Id")
		if line := accessLine(t, logs.String(), id); line["status"] != float64(500) {
			t.Fatalf("access log status = %v", line["status"])
		}
		var logged bool
		for _, l := range logLines(t, logs.String()) {
			logged = logged || (l["msg"] == "panic in handler" && l["request_id"] == id && l["panic"] == "readiness exploded")
		}
		if !logged {
			t.Fatalf("no panic log line for %s:\n%s", id, logs)
		}
	}
}

// scrape returns the /metrics text.
func scrape(t *testing.T, s *apitest.Server) string {
	t.Helper()
	resp, body := call(t, "GET", s.URL+"/metrics", "", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(body)
}

// wantMetric checks one sample of the exposition text.
func wantMetric(t *testing.T, text, sample string, value float64) {
	t.Helper()
	if got := metricValue(t, text, sample); !math.IsNaN(got) && got != value {
		t.Errorf("%s = %v, want %v", sample, got, value)
	}
}

// metricValue is the value of sample in a scrape; NaN, with an error, if
// it is not there.
func metricValue(t *testing.T, text, sample string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		t.Errorf("no sample %s", sample)
		return math.NaN()
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Errorf("%s = %s: %v", sample, m[1], err)
		return math.NaN()
	}
	return v
}

func TestMetricsCountRequestsSessionsAndBills(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	u := s.NewUser(t, "metrics@example.com", true)
	s.Link(t, u, "gatepark")
	auth := http.Header{"Authorization": {"Bearer " + u.Token}}
	q := "?access_key=" + apitest.DemoAccessKey

	// An app session of 70 minutes: $4/h in 15-minute steps bills $5.00.
	_, body := call(t, "POST", api(s)+"/"+plateLot+"/session"+q, `{}`, auth)
	var sess struct{ ID int64 }
	if err := json.Unmarshal(body, &sess); err != nil || sess.ID == 0 {
		t.Fatalf("post_session: %s", body)
	}
	s.Clock.Advance(70 * time.Minute)
	endURL := fmt.Sprintf("%s/%s/session/%d/end%s", api(s), plateLot, sess.ID, q)
	for range 2 { // ending it again bills nothing more
		if resp, body := call(t, "PUT", endURL, "", auth); resp.StatusCode != 200 {
			t.Fatalf("end_session: %d %s", resp.StatusCode, body)
		}
		s.Clock.Advance(time.Minute)
	}

	// A gate session redeemed for 90 minutes: $3/h in 30-minute steps bills $4.50.
	_, body = call(t, "POST", api(s)+"/"+gateLot+"/session"+q, `{}`, auth)
	if err := json.Unmarshal(body, &sess); err != nil || sess.ID == 0 {
		t.Fatalf("post_session: %s", body)
	}
	redeemURL := fmt.Sprintf("%s/testing/%s/%d/simulate_redemption%s", api(s), gateLot, sess.ID, q)
	if resp, body := call(t, "POST", redeemURL, `{"duration_m":90}`, auth); resp.StatusCode != 200 {
		t.Fatalf("simulate_redemption: %d %s", resp.StatusCode, body)
	}
	call(t, "GET", api(s)+"/systems?access_key=wrong", "", nil)

	text := scrape(t, s)
	wantMetric(t, text, `coord_http_requests_total{code="200",operation="post_session"}`, 2)
	wantMetric(t, text, `coord_http_requests_total{code="200",operation="end_session"}`, 2)
	wantMetric(t, text, `coord_http_requests_total{code="401",operation="list_systems"}`, 1)
	wantMetric(t, text, `coord_http_request_duration_seconds_count{operation="post_session"}`, 2)
	wantMetric(t, text, `coord_sessions_started_total`, 2)
	wantMetric(t, text, `coord_sessions_ended_total{via="end_session"}`, 1)
	wantMetric(t, text, `coord_sessions_ended_total{via="redemption"}`, 1)
	wantMetric(t, text, `coord_billed_amount_total{currency="USD"}`, 500+450)
	wantMetric(t, text, `coord_server_errors_total{code="unavailable"}`, 0)
	wantMetric(t, text, `coord_http_requests_in_flight`, 1) // the scrape itself
	wantMetric(t, text, `coord_open_sessions`, 1)           // the redeemed gate session, until its exit
	if commits, writes := metricValue(t, text, `coord_sqlite_commits_total`), metricValue(t, text, `coord_sqlite_writes_total`); commits < 5 || writes < commits {
		t.Errorf("coord_sqlite_commits_total %v, coord_sqlite_writes_total %v: want at least the 5 writes above, in as many commits or fewer", commits, writes)
	}
	s.Clock.Advance(90 * time.Minute)
	wantMetric(t, scrape(t, s), `coord_open_sessions`, 0) // exited, even before anything settled it

	// Database errors: with the store closed, operations answer 503 unavailable.
	s.Store.Close()
	if resp, body := call(t, "GET", api(s)+"/session"+q, "", auth); resp.StatusCode != 503 {
		t.Fatalf("get_user_sessions with the database closed: %d %s", resp.StatusCode, body)
	}
	call(t, "GET", s.URL+"/readyz", "", nil) // readiness failing is not a server error
	text = scrape(t, s)
	wantMetric(t, text, `coord_server_errors_total{code="unavailable"}`, 1)
	wantMetric(t, text, `coord_http_requests_total{code="503",operation="/readyz"}`, 1)
}

// TestSessionMetricsCountWhatTheStoreChanged replays post_session and races
// end_session with the clock standing still, so that every call falls in the
// same millisecond: only the calls the store reports as creating or ending a
// session count, once each.
func TestSessionMetricsCountWhatTheStoreChanged(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "exact@example.com", true)
		s.Link(t, u, "gatepark")
		post := func(location, key string) *models.Session {
			t.Helper()
			ok, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().
				WithLocationID(location).WithIdempotencyKey(&key), u.Auth)
			if err != nil {
				t.Fatalf("post_session at %s with key %s: %v", location, key, err)
			}
			return ok.Payload
		}

		// An app session, replayed.
		app := post(plateLot, "app-1")
		if again := post(plateLot, "app-1"); again.ID != app.ID {
			t.Fatalf("replay returned session %d, want %d", again.ID, app.ID)
		}

		// 70 minutes at $4/h in 15-minute steps bill $5.00, once, however
		// many end_session calls race.
		s.Clock.Advance(70 * time.Minute)
		const n = 10
		var wg sync.WaitGroup
		ended := make([]*models.Session, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { ended[i], errs[i] = end(s, u, plateLot, app.ID) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("end_session call %d: %v", i, errs[i])
			}
			if b := ended[i].BillingInfo; b == nil || *b.Cost.Amount != 500 {
				t.Fatalf("end_session call %d billed %+v, want 500", i, b)
			}
		}

		// A pending gate session, replayed: it has no start time at all.
		gate := post(gateLot, "gate-1")
		if again := post(gateLot, "gate-1"); again.ID != gate.ID {
			t.Fatalf("replay returned session %d, want %d", again.ID, gate.ID)
		}

		text := scrape(t, s)
		wantMetric(t, text, `coord_http_requests_total{code="200",operation="post_session"}`, 4)
		wantMetric(t, text, `coord_http_requests_total{code="200",operation="end_session"}`, n)
		wantMetric(t, text, `coord_sessions_started_total`, 2)
		wantMetric(t, text, `coord_sessions_ended_total{via="end_session"}`, 1)
		wantMetric(t, text, `coord_sessions_ended_total{via="redemption"}`, 0)
		wantMetric(t, text, `coord_billed_amount_total{currency="USD"}`, 500)
		wantMetric(t, text, `coord_open_sessions`, 1) // the pending gate session
	})
}

func TestMetricsNeedNoAccessKey(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	if text := scrape(t, s); !strings.Contains(text, "go_goroutines") {
		t.Fatalf("no runtime metrics in:\n%s", text)
	}
}

// TestReadyzSaysWhyItIsNotReady: when the store says it cannot take a write
// (read-only, corrupt: see the stores' Ping tests), /readyz is 503
// unavailable with the reason in the body and in a warning.
func TestReadyzSaysWhyItIsNotReady(t *testing.T) {
	const reason = "database is read-only: it cannot take a write"
	ts, logs := withReadiness(t, func(context.Context) error {
		return fmt.Errorf("ping: %w: %w", coord.Errorf(coord.EUnavailable, reason), errors.New("attempt to write a readonly database (8)"))
	})
	resp, body := call(t, "GET", ts.URL+"/readyz", "", nil)
	if resp.StatusCode != 503 || errorCode(t, body) != coord.EUnavailable || !strings.Contains(string(body), reason) {
		t.Fatalf("readyz = %d %s, want 503 unavailable naming %q", resp.StatusCode, body, reason)
	}
	if strings.Contains(string(body), "readonly database (8)") {
		t.Errorf("the driver's error reached the caller: %s", body)
	}
	var logged bool
	for _, l := range logLines(t, logs.String()) {
		logged = logged || (l["msg"] == "not ready" && l["level"] == "WARN" && strings.Contains(fmt.Sprint(l["reason"]), reason))
	}
	if !logged {
		t.Fatalf("no warning names the reason:\n%s", logs)
	}
}
