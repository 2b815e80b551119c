package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coordapi/coord/internal/apitest"
)

// fuzzRoutes are the API's operations as method and path templates; {l}
// and {i} take the fuzzed location and session id. The last entry is an
// arbitrary path.
var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/{l}/session"},
	{"POST", "/{l}/session"},
	{"GET", "/session"},
	{"GET", "/{l}/session/{i}"},
	{"PUT", "/{l}/session/{i}/end"},
	{"POST", "/testing/{l}/{i}/simulate_redemption"},
	{"POST", "/testing/create_jwt"},
	{"POST", "/create_jwt"},
	{"GET", "/user/current"},
	{"PUT", "/user/current/vehicle"},
	{"GET", "/user/current/link_account"},
	{"POST", "/testing/user/current/transactable_systems"},
	{"GET", "/systems"},
	{"GET", "/{l}"},
}

var fuzzMethods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}

// FuzzRequest sends fuzzed requests to every operation of the real handler
// (on a real SQLite store): route, method, location and session id, query,
// body, content type, Idempotency-Key and credentials. Whatever arrives, the
// answer is never a 500 (or a recovered panic), every error is in the
// Error shape, and every response matches swagger.yaml.
func FuzzRequest(f *testing.F) {
	s := apitest.New(f, "sqlite", apitest.Options{})
	sandbox := s.NewUser(f, "fuzz-sandbox@example.com", true)
	s.Link(f, sandbox, "gatepark")
	real := s.NewUser(f, "fuzz-real@example.com", false)
	tokens := []string{"", sandbox.Token, real.Token, "not.a.jwt", sandbox.Token + "x"}

	seeds := []struct {
		route, method            uint8
		loc, id, query, body, ct string
	}{
		{1, 0, plateLot, "", "", `{"resource_id":"B-12"}`, "application/json"},
		{1, 0, gateLot, "", "", ``, ""},
		{3, 0, plateLot, "1", "", "", ""},
		{4, 0, plateLot, "1", "", "", ""},
		{5, 0, gateLot, "2", "", `{"duration_m":30}`, "application/json"},
		{6, 0, "", "", "", `{"email":"a@example.com","name":"A"}`, "application/json"},
		{7, 0, "", "", "", `{"external_uid":"u1","email":"a@example.com"}`, "application/json"},
		{9, 0, "", "", "", `{"license_plate":{"text":"AB C-1","country":"us","subdivision":"ny"}}`, "application/json"},
		{10, 0, "", "", "system_id=gatepark&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback&state=s", "", ""},
		{11, 0, "", "", "", `{"system_id":"gatepark","linked_account":false}`, "application/json"},
		{2, 0, "", "", "limit=2&before_id=9223372036854775807", "", ""},
		{0, 0, "%27%20OR%201=1--", "", "limit=1&limit=2", "", ""},
		{3, 0, plateLot, "99999999999999999999", "", "", ""},
		{1, 0, plateLot, "", "", `{"resource_id":"\u0000\ud800"}`, "application/json; charset=utf-8"},
		{1, 0, plateLot, "", "", strings.Repeat("[", 5000), "application/json"},
		{9, 0, "", "", "", `{"license_plate":{"text":"a","country":"us","subdivision":"ny"},"license_plate":null}`, "application/json"},
		{13, 3, "../../../etc/passwd", "", "", "", ""},
		{12, 4, "", "", "access_key=", "", "text/plain"},
	}
	for i, sd := range seeds {
		f.Add(sd.route, sd.method, sd.loc, sd.id, sd.query, []byte(sd.body), sd.ct, "", uint8(i%len(tokens)))
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	f.Fuzz(func(t *testing.T, route, method uint8, loc, id, query string, body []byte, contentType, idemKey string, auth uint8) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		if method%4 == 3 { // now and then, a method the route may not have
			r.method = fuzzMethods[int(method/4)%len(fuzzMethods)]
		}
		path := strings.NewReplacer("{l}", loc, "{i}", id).Replace(r.path)
		tok := tokens[int(auth)%len(tokens)]
		q := "access_key=" + apitest.DemoAccessKey
		if auth >= 128 {
			q = "" // no access key
		}
		if r.path == "/user/current/link_account" && tok != "" {
			q += "&jwt=" + url.QueryEscape(tok)
		}
		rawURL := s.URL + "/v1/users" + path + "?" + q + "&" + query
		if _, err := url.Parse(rawURL); err != nil {
			rawURL = s.URL + "/v1/users" + escapePath(path) + "?" + q + "&" + url.PathEscape(query)
		}
		req, err := http.NewRequest(r.method, rawURL, strings.NewReader(string(body)))
		if err != nil || strings.ContainsFunc(req.URL.RequestURI(), func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			// The client would send a malformed request line, which net/http's
			// server answers with its own plain-text 400 before any handler runs.
			t.Skip("not a request line net/http can send")
		}
		for name, value := range map[string]string{"Content-Type": contentType, "Idempotency-Key": idemKey, "Authorization": "Bearer " + tok} {
			if value != "" && value != "Bearer " {
				req.Header.Set(name, value)
			}
		}
		resp, err := hc.Do(req)
		if err != nil && strings.Contains(err.Error(), "invalid header field") {
			t.Skip("the client refuses to send the header")
		}
		if err != nil {
			// A handler that panics after writing has its connection aborted.
			t.Fatalf("%s %s: %v\n%s", r.method, rawURL, err, lastLines(s.Log.String(), 5))
		}
		got := readRaw(t, req, resp)
		// A recovered panic is a 500 too, so this also means "no panic".
		if got.status >= 500 && !(got.status == http.StatusNotImplemented && wantErrorShape(t, got) == "linking_unavailable") {
			t.Fatalf("%s %s: %d %s\n%s", r.method, rawURL, got.status, got.body, lastLines(s.Log.String(), 5))
		}
		if got.status >= 400 && req.Method != http.MethodHead {
			wantErrorShape(t, got)
		}
	})
}

// escapePath escapes each segment of a path that does not parse as is.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return strings.Join(segs, "/")
}

// lastLines is the end of a log, for a failure message.
func lastLines(log string, n int) string {
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
