package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/client/users"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// rawResponse is one answer, read in full.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// sendRaw sends req as is, without following redirects, and reads the answer.
func sendRaw(t testing.TB, req *http.Request) rawResponse {
	t.Helper()
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return readRaw(t, req, resp)
}

// readRaw reads resp and checks it against swagger.yaml.
func readRaw(t testing.TB, req *http.Request, resp *http.Response) rawResponse {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL, err)
	}
	if err := apitest.CheckResponse(req, resp.StatusCode, resp.Header, body); err != nil {
		t.Errorf("spec violation: %v", err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

// wantErrorShape fails unless r is a JSON body in the Error shape, and
// returns its code.
func wantErrorShape(t testing.TB, r rawResponse) string {
	t.Helper()
	var e struct {
		Code    *string  `json:"code"`
		Message *string  `json:"message"`
		Details []string `json:"details"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Code == nil || *e.Code == "" || e.Message == nil || *e.Message == "" {
		t.Fatalf("%d: the body is not in the Error shape: %q", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%d %s: Content-Type %q", r.status, *e.Code, ct)
	}
	return *e.Code
}

// hostile is one attack on the real handler and the refusal it must get.
type hostile struct {
	name, method, path string // path after /v1/users, with its query but without access_key
	header             http.Header
	body               string
	status             int
	code               string
}

// TestHostileInputIsRefusedAndChangesNothing sends malformed and hostile
// requests to the real handler, on both stores: each is refused with its
// 4xx in the Error shape (responses also checked against the spec), and the
// database is unchanged — the attacker's and a bystander's user and
// sessions read back identical.
func TestHostileInputIsRefusedAndChangesNothing(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "attacker@example.com", true)
		s.Link(t, u, "gatepark")
		bystander := s.NewUser(t, "bystander@example.com", false)
		ended := start(t, s, u, plateLot)
		if _, err := end(s, u, plateLot, ended.ID); err != nil {
			t.Fatal(err)
		}
		pending := start(t, s, u, gateLot) // open, so every hostile create also meets the one-open rule
		start(t, s, bystander, plateLot)
		before := snapshot(t, s, u, bystander)

		cases := hostileCases(pending.ID, u.Token)
		for _, hc := range cases {
			t.Run(hc.name, func(t *testing.T) {
				r := sendRaw(t, hostileRequest(t, s, u, hc))
				code := wantErrorShape(t, r)
				if r.status != hc.status || code != hc.code {
					t.Errorf("got %d %s (%s), want %d %s", r.status, code, r.body, hc.status, hc.code)
				}
				for _, secret := range []string{u.Token, apitest.DemoAccessKey} {
					if strings.Contains(string(r.body), secret) {
						t.Errorf("the answer echoes a credential: %s", r.body)
					}
				}
			})
		}
		if after := snapshot(t, s, u, bystander); after != before {
			t.Fatalf("the rejected requests changed the database:\nbefore %s\nafter  %s", before, after)
		}
		t.Logf("%d hostile requests refused, database unchanged", len(cases))
	})
}

// hostileRequest builds the raw request: the demo access key is added to
// the query unless the case sets access_key itself, and the user's bearer
// token unless the case sets Authorization (an empty list: none at all).
func hostileRequest(t *testing.T, s *apitest.Server, u *apitest.User, hc hostile) *http.Request {
	t.Helper()
	target := s.URL + "/v1/users" + hc.path
	if !strings.Contains(hc.path, "access_key=") {
		sep := "?"
		if strings.Contains(hc.path, "?") {
			sep = "&"
		}
		target += sep + "access_key=" + apitest.DemoAccessKey
	}
	var body io.Reader
	if hc.body != "" {
		body = strings.NewReader(hc.body)
	}
	req, err := http.NewRequest(hc.method, target, body)
	if err != nil {
		t.Fatalf("%s: %v", hc.name, err)
	}
	req.Header.Set("Authorization", "Bearer "+u.Token)
	if hc.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hc.header {
		req.Header[k] = v
		if len(v) == 0 {
			req.Header.Del(k)
		}
	}
	if req.Header.Get("Transfer-Encoding") == "chunked" { // net/http sends what these fields say
		req.Header.Del("Transfer-Encoding")
		req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
	}
	return req
}

// snapshot is everything the store holds for the users, as JSON.
func snapshot(t *testing.T, s *apitest.Server, users ...*apitest.User) string {
	t.Helper()
	var parts []any
	for _, u := range users {
		stored, err := s.Store.User(t.Context(), u.UserID)
		if err != nil {
			t.Fatal(err)
		}
		sessions, err := s.Store.Sessions(t.Context(), coord.SessionFilter{UserID: u.UserID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, stored, sessions)
	}
	b, err := json.Marshal(parts)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// hostileCases are the attacks, by kind. pending is the attacker's open
// gate session; jwt its token, for link_account's query.
func hostileCases(pending int64, jwt string) []hostile {
	sid := strconv.FormatInt(pending, 10)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = append(out[kv[i]], kv[i+1])
		}
		return out
	}
	none := func(name string) http.Header { return http.Header{name: {}} }
	ct := func(v string) http.Header { return h("Content-Type", v) }
	const (
		post, vehicle, mint, mintReal = "/" + plateLot + "/session", "/user/current/vehicle", "/testing/create_jwt", "/create_jwt"
		testLink                      = "/testing/user/current/transactable_systems"
	)
	simulate := "/testing/" + gateLot + "/" + sid + "/simulate_redemption"
	plate := func(text, country, sub string) string {
		b, _ := json.Marshal(map[string]any{"license_plate": map[string]string{"text": text, "country": country, "subdivision": sub}})
		return string(b)
	}
	str := func(format, value string) string { // value as a JSON string inside format
		b, _ := json.Marshal(value)
		return strings.Replace(format, "%s", string(b), 1)
	}
	link := func(extra string) string {
		return "/user/current/link_account?jwt=" + url.QueryEscape(jwt) + "&system_id=gatepark&" + extra
	}
	server := h("Authorization", "Bearer demo-server-token")
	const (
		invalid, validation, notFound = coord.EInvalid, coord.EValidation, coord.ENotFound
		unauthorized, tooLarge, media = coord.EUnauthorized, httpapi.EPayloadTooLarge, httpapi.EUnsupportedMediaType
	)

	return []hostile{
		// Malformed and deeply nested JSON.
		{"truncated JSON", "POST", post, nil, `{"resource_id":`, 400, invalid},
		{"garbage after the JSON value", "POST", post, nil, `{"resource_id":"a"}}`, 400, invalid},
		{"single-quoted JSON", "POST", post, nil, `{'resource_id':'a'}`, 400, invalid},
		{"an array where an object goes", "POST", post, nil, `[]`, 400, invalid},
		{"a bare string where an object goes", "POST", post, nil, `"a"`, 400, invalid},
		{"a byte-order mark before the JSON", "POST", post, nil, "\ufeff{}", 400, invalid},
		{"arrays nested 20,000 deep", "POST", post, nil, `{"resource_id":` + strings.Repeat("[", 20000), 400, invalid},
		{"objects nested 5,000 deep in a plate", "PUT", vehicle, nil,
			`{"license_plate":{"text":` + strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000) + `,"country":"us"}}`, 400, invalid},
		{"a duplicated key whose last value is invalid", "PUT", vehicle, nil,
			`{"license_plate":{"text":"abc123","country":"us"},"license_plate":{"text":"../..","country":"us"}}`, 422, validation},
		{"a number where a string goes", "PUT", vehicle, nil, `{"license_plate":{"text":123456,"country":"us"}}`, 400, invalid},
		{"a fractional duration_m", "POST", simulate, nil, `{"duration_m":1.5}`, 400, invalid},
		{"duration_m beyond int32", "POST", simulate, nil, `{"duration_m":2147483648}`, 400, invalid},
		{"duration_m 1e400", "POST", simulate, nil, `{"duration_m":1e400}`, 400, invalid},
		{"a NaN literal", "POST", simulate, nil, `{"duration_m":NaN}`, 400, invalid},

		// Bodies over the limit.
		{"a body one byte over the limit", "POST", post, nil,
			`{"resource_id":"` + strings.Repeat("x", httpapi.DefaultMaxBodyBytes-17) + `"}`, 413, tooLarge},
		{"a plate body of a megabyte", "PUT", vehicle, nil, plate(strings.Repeat("a", 1<<20), "us", ""), 413, tooLarge},
		{"a chunked body over the limit", "POST", post, h("Transfer-Encoding", "chunked"),
			`{"resource_id":"` + strings.Repeat("x", httpapi.DefaultMaxBodyBytes) + `"}`, 413, tooLarge},

		// Wrong content types.
		{"text/plain", "POST", post, ct("text/plain"), `{"resource_id":"a"}`, 415, media},
		{"XML", "PUT", vehicle, ct("application/xml"), `<license_plate><text>abc123</text></license_plate>`, 415, media},
		{"a form", "POST", mint, ct("application/x-www-form-urlencoded"), `email=a%40example.com`, 415, media},
		{"multipart", "POST", testLink, ct("multipart/form-data; boundary=x"), "--x\r\n\r\n{}\r\n--x--", 415, media},
		{"a body without a Content-Type", "POST", post, none("Content-Type"), `{"resource_id":"a"}`, 415, media},
		{"a malformed Content-Type", "POST", post, ct("application/json;;;=;"), `{"resource_id":"a"}`, 400, invalid},

		// Control and non-ASCII characters in every string field.
		{"NUL in resource_id", "POST", post, nil, str(`{"resource_id":%s}`, "B\x0012"), 422, validation},
		{"ESC in resource_id", "POST", post, nil, str(`{"resource_id":%s}`, "B\x1b[2J"), 422, validation},
		{"C1 NEL in resource_id", "POST", post, nil, str(`{"resource_id":%s}`, "B\u008512"), 422, validation},
		{"DEL in resource_id", "POST", post, nil, str(`{"resource_id":%s}`, "B\x7f"), 422, validation},
		{"NUL in a test user's email", "POST", mint, nil, str(`{"email":%s}`, "a\x00@example.com"), 422, validation},
		{"a newline in a test user's name", "POST", mint, nil, str(`{"email":"n@example.com","name":%s}`, "A\nB"), 422, validation},
		{"NUL in a test user's external_uid", "POST", mint, nil, str(`{"email":"n@example.com","external_uid":%s}`, "u\x00"), 422, validation},
		{"a tab in a real user's email", "POST", mintReal, server, str(`{"external_uid":"r1","email":%s}`, "r\t@example.com"), 422, validation},
		{"a bell in a real user's external_uid", "POST", mintReal, server, str(`{"email":"r@example.com","external_uid":%s}`, "r\a1"), 422, validation},
		{"a Kelvin sign in the plate", "PUT", vehicle, nil, plate("\u212a123", "us", ""), 422, validation},
		{"a fullwidth plate", "PUT", vehicle, nil, plate("ＡＢＣ１２３", "us", ""), 422, validation},
		{"a Cyrillic plate that looks Latin", "PUT", vehicle, nil, plate("АВС123", "us", ""), 422, validation},
		{"NUL in the plate", "PUT", vehicle, nil, plate("ab\x001", "us", ""), 422, validation},
		{"a fullwidth country", "PUT", vehicle, nil, plate("abc123", "ｕｓ", ""), 422, validation},
		{"a non-ASCII subdivision", "PUT", vehicle, nil, plate("abc123", "us", "ñy"), 422, validation},
		{"a non-ASCII location id", "GET", "/garäge/session", nil, "", 422, validation},
		{"a right-to-left override in a location id", "GET", "/" + url.PathEscape("\u202eegarag-nwotnwod") + "/session", nil, "", 422, validation},
		{"a non-ASCII system id", "POST", testLink, nil, `{"system_id":"gatepärk","linked_account":false}`, 404, notFound},
		{"NUL in a system id", "POST", testLink, nil, str(`{"system_id":%s,"linked_account":false}`, "gatepark\x00"), 404, notFound},
		{"an internationalised redirect host", "GET", link("redirect_uri=" + url.QueryEscape("https://exämple.com/callback")), nil, "", 400, invalid},
		{"CRLF in redirect_uri", "GET", link("redirect_uri=https://example.com/callback%0d%0aSet-Cookie:%20x=1"), nil, "", 400, invalid},
		{"an Idempotency-Key over 255 characters", "POST", post, h("Idempotency-Key", strings.Repeat("k", 256)), "", 422, validation},

		// Integer overflow in ids and numbers.
		{"a session id of 2^63", "GET", "/" + gateLot + "/session/9223372036854775808", nil, "", 400, invalid},
		{"a session id below -2^63", "GET", "/" + gateLot + "/session/-9223372036854775809", nil, "", 400, invalid},
		{"a session id in exponent form", "GET", "/" + gateLot + "/session/1e3", nil, "", 400, invalid},
		{"a session id in hex", "GET", "/" + gateLot + "/session/0x10", nil, "", 400, invalid},
		{"end_session on 2^64", "PUT", "/" + plateLot + "/session/18446744073709551616/end", nil, "", 400, invalid},
		{"simulate_redemption on 2^63", "POST", "/testing/" + gateLot + "/9223372036854775808/simulate_redemption", nil, `{"duration_m":1}`, 400, invalid},
		{"before_id of 2^63", "GET", "/session?before_id=9223372036854775808", nil, "", 400, invalid},
		{"limit of 2^31", "GET", "/session?limit=2147483648", nil, "", 400, invalid},
		{"limit below -2^63", "GET", "/session?limit=-9223372036854775809", nil, "", 400, invalid},

		// SQL metacharacters where ids and plates go.
		{"a quote-OR location id", "GET", "/" + url.PathEscape("' OR '1'='1") + "/session", nil, "", 422, validation},
		{"a comment after a real location id", "POST", "/" + url.PathEscape(plateLot+"'--") + "/session", nil, "", 422, validation},
		{"a stacked statement in a location id", "GET", "/" + url.PathEscape(plateLot+";DROP TABLE sessions") + "/session", nil, "", 422, validation},
		{"a LIKE wildcard location id", "GET", "/" + url.PathEscape("downtown%") + "/session", nil, "", 422, validation},
		{"an underscore for a hyphen in a location id", "POST", "/downtown_garage/session", nil, "", 404, notFound},
		{"a quote-OR plate", "PUT", vehicle, nil, plate("abc' OR 1=1--", "us", ""), 422, validation},
		{"a stacked statement as a plate", "PUT", vehicle, nil, plate("a;DROP TABLE users", "us", ""), 422, validation},
		{"a quote in the country", "PUT", vehicle, nil, plate("abc123", "u'", ""), 422, validation},
		{"a quote-OR system id", "POST", testLink, nil, `{"system_id":"gatepark' OR '1'='1","linked_account":false}`, 404, notFound},

		// Path traversal.
		{"dot-dot segments", "GET", "/../../etc/passwd", nil, "", 404, notFound},
		{"encoded dot-dot segments", "GET", "/%2e%2e/%2e%2e/session", nil, "", 404, notFound},
		{"encoded slashes and dots in a session id", "GET", "/" + plateLot + "/session/..%2f..%2f..%2fetc%2fpasswd", nil, "", 404, notFound},
		{"climbing out of /testing", "POST", "/testing/..%2fcreate_jwt", nil, `{"external_uid":"x","email":"x@example.com"}`, 404, notFound},
		{"an empty segment", "GET", "//session", nil, "", 404, notFound},
		{"a dot segment", "GET", "/./session", nil, "", 404, notFound},

		// Duplicated query parameters.
		{"access_key twice", "GET", "/session?access_key=" + apitest.DemoAccessKey + "&access_key=" + apitest.DemoAccessKey, nil, "", 401, unauthorized},
		{"access_key twice, the second another", "GET", "/session?access_key=" + apitest.DemoAccessKey + "&access_key=x", nil, "", 401, unauthorized},
		{"limit twice, one over the maximum", "GET", "/session?limit=1&limit=1000", nil, "", 422, validation},
		{"redirect_uri twice, the second evil", "GET", link("redirect_uri=" + url.QueryEscape("https://example.com/callback") + "&redirect_uri=" + url.QueryEscape("https://evil.example/")), nil, "", 400, invalid},
		{"jwt twice", "GET", link("jwt=x&redirect_uri=" + url.QueryEscape("https://example.com/callback")), nil, "", 401, unauthorized},

		// Missing and empty headers.
		{"no Authorization", "GET", "/session", none("Authorization"), "", 401, unauthorized},
		{"an empty Authorization", "GET", "/session", h("Authorization", ""), "", 401, unauthorized},
		{"Bearer without a token", "GET", "/session", h("Authorization", "Bearer"), "", 401, unauthorized},
		{"Bearer and blanks", "GET", "/session", h("Authorization", "Bearer    "), "", 401, unauthorized},
		{"Basic credentials", "GET", "/session", h("Authorization", "Basic dXNlcjpwYXNz"), "", 401, unauthorized},
		{"two Authorization headers", "GET", "/session", h("Authorization", "Bearer "+jwt, "Authorization", "Bearer x"), "", 401, unauthorized},
		{"an empty access_key", "GET", "/session?access_key=", nil, "", 401, unauthorized},
		{"an empty Idempotency-Key, so the open session conflicts", "POST", post, h("Idempotency-Key", ""), "", 409, coord.EActiveSessionExists},
	}
}

// TestHostileLookingFreeTextIsStoredVerbatim is the other side of the
// refusals: free text (a resource id, a name, a uid, an idempotency key)
// may hold quotes, SQL and any printable Unicode, and reads back exactly as
// sent, on both stores, with the tables intact.
func TestHostileLookingFreeTextIsStoredVerbatim(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		const (
			sqlText = "'; DROP TABLE sessions;--"
			unicode = "Platz Ü-12 山 \u202e🅿"
			name    = "Zoë O'Brien \"--"
		)
		mint := mintTest(t, s, apitest.DemoAccessKey, models.TestJWTRequest{Email: "o'brien@example.com", ExternalUID: "uid' OR '1'='1", Name: name})
		auth := apitest.UserAuth(apitest.DemoAccessKey, mint)
		if got := currentUser(t, s, auth); got.Name != name || got.ExternalUID != "uid' OR '1'='1" {
			t.Fatalf("user read back as %q / %q", got.Name, got.ExternalUID)
		}
		u := &apitest.User{Auth: auth}
		putPlateFor(t, s, auth)
		for _, resource := range []string{sqlText, unicode} {
			key := sqlText + resource
			ok, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(plateLot).
				WithIdempotencyKey(&key).WithBody(&models.NewSession{ResourceID: resource}), auth)
			if err != nil {
				t.Fatal(err)
			}
			if ok.Payload.ResourceID != resource {
				t.Fatalf("resource_id %q read back as %q", resource, ok.Payload.ResourceID)
			}
			if got := get(t, s, u, plateLot, ok.Payload.ID); got.ResourceID != resource {
				t.Fatalf("resource_id %q read back as %q", resource, got.ResourceID)
			}
			if _, err := end(s, u, plateLot, ok.Payload.ID); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// putPlateFor sets a valid plate through the API.
func putPlateFor(t *testing.T, s *apitest.Server, auth runtime.ClientAuthInfoWriter) {
	t.Helper()
	body := &models.Vehicle{LicensePlate: &models.LicensePlate{Text: "abc123", Country: "us"}}
	if _, err := s.Client.Users.PutVehicle(users.NewPutVehicleParams().WithBody(body), auth); err != nil {
		t.Fatalf("put_vehicle: %v", err)
	}
}
