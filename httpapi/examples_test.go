package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-openapi/loads"
	"github.com/go-openapi/spec"
	"github.com/go-openapi/strfmt"
	"github.com/go-openapi/validate"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/restapi"
)

// specResponse is one documented response of one operation.
type specResponse struct {
	op, method, path string
	status           string // "200", "404", "default"
	resp             spec.Response
}

func (r specResponse) key() string { return r.op + " " + r.status }

// specResponses lists every response of every operation of the expanded
// spec, so that shared responses appear under each operation using them.
func specResponses(t *testing.T) (*spec.Swagger, []specResponse) {
	t.Helper()
	doc, err := loads.Analyzed(restapi.SwaggerJSON, "")
	if err != nil {
		t.Fatal(err)
	}
	expanded, err := doc.Expanded()
	if err != nil {
		t.Fatal(err)
	}
	sw := expanded.Spec()
	var out []specResponse
	for path, item := range sw.Paths.Paths {
		for method, op := range map[string]*spec.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "DELETE": item.Delete} {
			if op == nil {
				continue
			}
			for code, resp := range op.Responses.StatusCodeResponses {
				out = append(out, specResponse{op.ID, method, path, strconv.Itoa(code), resp})
			}
			if op.Responses.Default != nil {
				out = append(out, specResponse{op.ID, method, path, "default", *op.Responses.Default})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return sw, out
}

// example is a response's application/json example, or nil.
func example(r spec.Response) any { return r.Examples["application/json"] }

// errorCodes are the codes an error response says it carries.
func errorCodes(r spec.Response) []string {
	raw, _ := r.Extensions.GetStringSlice("x-error-codes")
	return raw
}

// TestEveryResponseHasAnExampleThatItsSchemaAccepts: examples are what mocks
// answer and what readers copy, so every response has one (a 302 has its
// Location instead), and it must be valid. Error examples carry a code their
// response lists in x-error-codes.
func TestEveryResponseHasAnExampleThatItsSchemaAccepts(t *testing.T) {
	_, responses := specResponses(t)
	for _, r := range responses {
		ex := example(r.resp)
		if r.resp.Schema == nil {
			if r.status == "302" && r.resp.Headers["Location"].Default == nil || r.status != "302" && r.status != "304" {
				t.Errorf("%s: a response without a body must be a 304, or a 302 with an example Location (its default)", r.key())
			}
			continue
		}
		if ex == nil {
			t.Errorf("%s: no application/json example (mocks answer it; demoFlow checks it against the server)", r.key())
			continue
		}
		if err := validate.AgainstSchema(r.resp.Schema, roundTrip(t, ex), strfmt.Default); err != nil {
			t.Errorf("%s: the example does not match its schema: %v", r.key(), err)
		}
		if st, _ := strconv.Atoi(r.status); st >= 400 || r.status == "default" {
			codes := errorCodes(r.resp)
			code, _ := ex.(map[string]any)["code"].(string)
			if len(codes) == 0 || !slices.Contains(codes, code) {
				t.Errorf("%s: the example's code %q is not among the response's x-error-codes %v", r.key(), code, codes)
			}
		}
	}
}

// TestEveryParameterHasAnExample: path and query parameters carry x-example
// so that Dredd and readers can build a request.
func TestEveryParameterHasAnExample(t *testing.T) {
	sw, _ := specResponses(t)
	for path, item := range sw.Paths.Paths {
		for _, op := range []*spec.Operation{item.Get, item.Post, item.Put, item.Delete} {
			if op == nil {
				continue
			}
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.In != "path" && p.In != "query" {
					continue
				}
				if _, ok := p.Extensions["x-example"]; !ok {
					t.Errorf("%s %s: parameter %s has no x-example", op.ID, path, p.Name)
				}
			}
		}
	}
}

// TestExampleBillsFollowThePriceRule: an example session's bill is what the
// demo catalog's price charges for its duration, at a location that exists.
func TestExampleBillsFollowThePriceRule(t *testing.T) {
	cat := catalog.Demo()
	_, responses := specResponses(t)
	checked := 0
	var visit func(where string, v any)
	visit = func(where string, v any) {
		switch v := v.(type) {
		case []any:
			for i, e := range v {
				visit(fmt.Sprintf("%s[%d]", where, i), e)
			}
		case map[string]any:
			if loc, ok := v["location_id"].(string); ok {
				if _, ok := cat.Location(loc); !ok {
					t.Errorf("%s: location %q is not in the demo catalog", where, loc)
				}
			}
			if sys, ok := v["system_id"].(string); ok && sys != "" {
				if _, ok := cat.System(sys); !ok {
					t.Errorf("%s: system %q is not in the demo catalog", where, sys)
				}
			}
			bill, ok := v["billing_info"].(map[string]any)
			if !ok {
				return
			}
			start, err1 := time.Parse(time.RFC3339, v["start_time"].(string))
			end, err2 := time.Parse(time.RFC3339, v["end_time"].(string))
			if err1 != nil || err2 != nil {
				t.Errorf("%s: an ended example without start and end times", where)
				return
			}
			l, ok := cat.Location(v["location_id"].(string))
			if !ok || l.Price == nil {
				t.Errorf("%s: no price for %v", where, v["location_id"])
				return
			}
			want := l.Price.Cost(end.Sub(start))
			cost := bill["cost"].(map[string]any)
			if int64(cost["amount"].(float64)) != want.Amount || cost["currency"] != want.Currency {
				t.Errorf("%s: bills %v %v for %s at %s; the price rule says %d %s", where, cost["amount"], cost["currency"], end.Sub(start), l.ID, want.Amount, want.Currency)
			}
			checked++
		}
	}
	for _, r := range responses {
		visit(r.key(), roundTrip(t, example(r.resp)))
	}
	if checked == 0 {
		t.Fatal("no example session with a bill: the check checked nothing")
	}
}

// roundTrip turns a YAML-loaded example into plain JSON values.
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExamplesLookLikeRealResponses runs the demo flow against the real
// handler, provoking every documented status of every operation, and checks
// each example against the real response of the same operation and status:
// the same fields with the same JSON types (ids, times and messages may
// differ), and the real error code among the response's x-error-codes.
func TestExamplesLookLikeRealResponses(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		_, responses := specResponses(t)
		got := demoFlow(t, backend)
		for _, r := range responses {
			if r.status == "default" || r.status == "500" {
				continue // a bug cannot be provoked; its example is checked against the schema
			}
			real, ok := got[r.key()]
			if !ok {
				t.Errorf("%s: the demo flow never produced this response: add a request that gets it to demoFlow", r.key())
				continue
			}
			if st, _ := strconv.Atoi(r.status); st >= 400 {
				var e struct{ Code string }
				_ = json.Unmarshal(real, &e)
				if !slices.Contains(errorCodes(r.resp), e.Code) {
					t.Errorf("%s: the server answered code %q, not among x-error-codes %v", r.key(), e.Code, errorCodes(r.resp))
				}
			}
			ex := example(r.resp)
			if ex == nil {
				continue
			}
			var realValue any
			if err := json.Unmarshal(real, &realValue); err != nil {
				t.Errorf("%s: real body is not JSON: %s", r.key(), real)
				continue
			}
			for _, diff := range sameShape("", roundTrip(t, ex), realValue) {
				t.Errorf("%s: example vs real response: %s\nreal: %s", r.key(), diff, real)
			}
		}
	})
}

// sameShape lists where example and real differ in fields or JSON types.
// Arrays compare element by element up to the example's length.
func sameShape(at string, example, real any) []string {
	switch ex := example.(type) {
	case map[string]any:
		r, ok := real.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: example is an object, real is %T", at, real)}
		}
		var diffs []string
		for k, v := range ex {
			rv, ok := r[k]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: in the example, not in the real response", at, k))
				continue
			}
			diffs = append(diffs, sameShape(at+"."+k, v, rv)...)
		}
		for k := range r {
			if _, ok := ex[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: in the real response, not in the example", at, k))
			}
		}
		sort.Strings(diffs)
		return diffs
	case []any:
		r, ok := real.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: example is an array, real is %T", at, real)}
		}
		if len(r) < len(ex) {
			return []string{fmt.Sprintf("%s: example has %d elements, real %d", at, len(ex), len(r))}
		}
		var diffs []string
		for i := range ex {
			diffs = append(diffs, sameShape(fmt.Sprintf("%s[%d]", at, i), ex[i], r[i])...)
		}
		return diffs
	default:
		if fmt.Sprintf("%T", example) != fmt.Sprintf("%T", real) {
			return []string{fmt.Sprintf("%s: example is %T, real is %T", at, example, real)}
		}
		return nil
	}
}

// flow sends the demo flow's requests and keeps each response body under
// "operation status".
type flow struct {
	t   *testing.T
	s   *apitest.Server
	got map[string][]byte
	// header is sent with the next request only; etag is the last ETag seen.
	header http.Header
	etag   string
}

// do sends a request to path (under the base path; the access key is added
// unless noKey) and fails unless it gets want; the body is recorded.
func (f *flow) do(op string, want int, method, path, body, bearer string) []byte {
	f.t.Helper()
	url := api(f.s) + path
	if bearer != noKey {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		url += sep + "access_key=" + apitest.DemoAccessKey
	}
	h := http.Header{}
	switch bearer {
	case "", noKey:
	case acceptHTML:
		h.Set("Accept", "text/html")
	case textPlain:
	default:
		h.Set("Authorization", "Bearer "+bearer)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header = h
	for k, v := range f.header {
		req.Header[k] = v
	}
	f.header = nil
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		if bearer == textPlain {
			req.Header.Set("Content-Type", "text/plain")
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	if err := apitest.CheckResponse(req, resp.StatusCode, resp.Header, buf.Bytes()); err != nil {
		f.t.Errorf("%s: the response breaks the spec: %v", op, err)
	}
	if e := resp.Header.Get("ETag"); e != "" {
		f.etag = e
	}
	if resp.StatusCode != want {
		f.t.Fatalf("%s %s %s: got %d %s, want %d", op, method, path, resp.StatusCode, buf.Bytes(), want)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		f.t.Errorf("%s %d: no X-Request-Id header", op, want)
	}
	if key := fmt.Sprintf("%s %d", op, want); f.got[key] == nil {
		f.got[key] = buf.Bytes() // the first of each: the flow provokes the typical one first
	}
	return buf.Bytes()
}

// As do's bearer: noKey sends no credentials at all; acceptHTML sends the
// access key and Accept: text/html only; textPlain the access key and a
// text/plain body.
const (
	noKey      = "\x00no key"
	acceptHTML = "\x00accept html"
	textPlain  = "\x00text body"
)

func jsonField(t *testing.T, body []byte, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return fmt.Sprint(m[field])
}

// demoFlow provokes every documented status of every operation on the demo
// catalog, as a partner testing against the demo server would.
func demoFlow(t *testing.T, backend string) map[string][]byte {
	s := apitest.New(t, backend, apitest.Options{})
	f := &flow{t: t, s: s, got: map[string][]byte{}}
	big := `{"email":"` + strings.Repeat("x", httpapi.DefaultMaxBodyBytes) + `"}`

	f.do("list_systems", 200, "GET", "/systems", "", "")
	f.do("list_systems", 401, "GET", "/systems", "", noKey)
	f.do("get_quote", 200, "GET", "/downtown-garage/quote?duration_m=90", "", "")
	f.do("get_quote", 400, "GET", "/downtown-garage/quote?duration_m=ninety", "", "")
	f.do("get_quote", 401, "GET", "/downtown-garage/quote?duration_m=90", "", noKey)
	f.do("get_quote", 404, "GET", "/nowhere/quote?duration_m=90", "", "")
	f.do("get_quote", 422, "GET", "/harbor-street/quote?duration_m=90", "", "")

	jwt := jsonField(t, f.do("create_test_jwt", 200, "POST", "/testing/create_jwt", `{"email":"driver@example.com","name":"Test Driver"}`, ""), "jwt_token")
	f.do("create_test_jwt", 400, "POST", "/testing/create_jwt", `{"email":`, "")
	f.do("create_test_jwt", 401, "POST", "/testing/create_jwt", `{"email":"driver@example.com"}`, noKey)
	f.do("create_test_jwt", 413, "POST", "/testing/create_jwt", big, "")
	f.do("create_test_jwt", 422, "POST", "/testing/create_jwt", `{"name":"No Email"}`, "")

	realUser := `{"external_uid":"user-42","email":"driver@example.com","name":"Real Driver"}`
	real := jsonField(t, f.do("create_jwt", 200, "POST", "/create_jwt", realUser, "demo-server-token"), "jwt_token")
	f.do("create_jwt", 400, "POST", "/create_jwt", `{"external_uid":42}`, "demo-server-token")
	f.do("create_jwt", 401, "POST", "/create_jwt", realUser, "")
	f.do("create_jwt", 413, "POST", "/create_jwt", big, "demo-server-token")
	f.do("create_jwt", 422, "POST", "/create_jwt", `{"external_uid":"user-42"}`, "demo-server-token")

	// No plate yet: the garage's requirements are not met.
	f.do("post_session", 422, "POST", "/downtown-garage/session", "", jwt)

	plate := `{"license_plate":{"text":"ABC-123","country":"US","subdivision":"NY"}}`
	f.do("put_vehicle", 200, "PUT", "/user/current/vehicle", plate, jwt)
	f.do("put_vehicle", 400, "PUT", "/user/current/vehicle", `{"license_plate":`, jwt)
	f.do("put_vehicle", 401, "PUT", "/user/current/vehicle", plate, "")
	f.do("put_vehicle", 413, "PUT", "/user/current/vehicle", big, jwt)
	f.do("put_vehicle", 422, "PUT", "/user/current/vehicle", `{"license_plate":{"text":"abc123","country":"usa"}}`, jwt)

	f.do("get_user", 200, "GET", "/user/current", "", jwt)
	f.do("get_user", 401, "GET", "/user/current", "", "")

	first := f.do("post_session", 200, "POST", "/downtown-garage/session", `{"resource_id":"B-12"}`, jwt)
	if id := jsonField(t, first, "id"); id != "1" {
		t.Fatalf("the demo server's first session is %s, not the x-example 1", id)
	}
	f.do("post_session", 409, "POST", "/downtown-garage/session", "", jwt)
	f.do("post_session", 400, "POST", "/downtown-garage/session", `{"resource_id":`, jwt)
	f.do("post_session", 401, "POST", "/downtown-garage/session", "", "")
	f.do("post_session", 404, "POST", "/nowhere/session", "", jwt)
	f.do("post_session", 413, "POST", "/downtown-garage/session", big, jwt)

	f.do("get_session", 400, "GET", "/downtown-garage/session/one", "", jwt)
	f.do("get_session", 401, "GET", "/downtown-garage/session/1", "", "")
	f.do("get_session", 404, "GET", "/downtown-garage/session/999", "", jwt)
	f.do("get_session", 422, "GET", "/downtown-garage/session/0", "", jwt)

	s.Clock.Advance(70 * time.Minute)
	f.do("end_session", 200, "PUT", "/downtown-garage/session/1/end", "", jwt)
	f.do("end_session", 400, "PUT", "/downtown-garage/session/one/end", "", jwt)
	f.do("end_session", 401, "PUT", "/downtown-garage/session/1/end", "", "")
	f.do("end_session", 404, "PUT", "/downtown-garage/session/999/end", "", jwt)
	f.do("end_session", 422, "PUT", "/downtown-garage/session/0/end", "", jwt)

	// A second session, so that the lists hold an open and an ended one,
	// and more may follow a page of one.
	s.Clock.Advance(24 * time.Hour)
	// (PostgreSQL may skip ids after a refused insert: ids are read back.)
	second := jsonField(t, f.do("post_session", 200, "POST", "/downtown-garage/session", `{"resource_id":"B-12"}`, jwt), "id")
	f.do("get_location_sessions", 200, "GET", "/downtown-garage/session", "", jwt)
	f.do("get_location_sessions", 400, "GET", "/downtown-garage/session?limit=ten", "", jwt)
	f.do("get_location_sessions", 401, "GET", "/downtown-garage/session", "", "")
	f.do("get_location_sessions", 404, "GET", "/nowhere/session", "", jwt)
	f.do("get_location_sessions", 422, "GET", "/downtown-garage/session?limit=0", "", jwt)
	f.do("get_user_sessions", 200, "GET", "/session", "", jwt)
	f.do("get_user_sessions", 400, "GET", "/session?before_id=last", "", jwt)
	f.do("get_user_sessions", 401, "GET", "/session", "", "")
	f.do("get_user_sessions", 422, "GET", "/session?limit=101", "", jwt)
	s.Clock.Advance(3 * time.Hour)
	f.do("end_session", 200, "PUT", "/downtown-garage/session/"+second+"/end", "", jwt)

	link := `{"system_id":"gatepark","linked_account":true}`
	f.do("test_link_user_account", 200, "POST", "/testing/user/current/transactable_systems", link, jwt)
	f.do("test_link_user_account", 400, "POST", "/testing/user/current/transactable_systems", `{"system_id":`, jwt)
	f.do("test_link_user_account", 401, "POST", "/testing/user/current/transactable_systems", link, "")
	f.do("test_link_user_account", 403, "POST", "/testing/user/current/transactable_systems", link, real)
	f.do("test_link_user_account", 404, "POST", "/testing/user/current/transactable_systems", `{"system_id":"nosuch","linked_account":true}`, jwt)
	f.do("test_link_user_account", 413, "POST", "/testing/user/current/transactable_systems", big, jwt)
	f.do("test_link_user_account", 422, "POST", "/testing/user/current/transactable_systems", `{"system_id":"gatepark"}`, jwt)

	// A gate session: pending until simulate_redemption.
	gate := jsonField(t, f.do("post_session", 200, "POST", "/riverside-lot/session", "", jwt), "id")
	f.do("get_session", 200, "GET", "/riverside-lot/session/"+gate, "", jwt)
	f.do("end_session", 409, "PUT", "/riverside-lot/session/"+gate+"/end", "", jwt)
	redeem := `{"duration_m":90}`
	f.do("simulate_redemption", 400, "POST", "/testing/riverside-lot/"+gate+"/simulate_redemption", `{"duration_m":"ninety"}`, jwt)
	f.do("simulate_redemption", 401, "POST", "/testing/riverside-lot/"+gate+"/simulate_redemption", redeem, "")
	f.do("simulate_redemption", 403, "POST", "/testing/riverside-lot/"+gate+"/simulate_redemption", redeem, real)
	f.do("simulate_redemption", 404, "POST", "/testing/riverside-lot/999/simulate_redemption", redeem, jwt)
	f.do("simulate_redemption", 413, "POST", "/testing/riverside-lot/"+gate+"/simulate_redemption", big, jwt)
	f.do("simulate_redemption", 422, "POST", "/testing/riverside-lot/"+gate+"/simulate_redemption", `{"duration_m":-1}`, jwt)
	f.do("simulate_redemption", 200, "POST", "/testing/riverside-lot/"+gate+"/simulate_redemption", redeem, jwt)
	f.do("simulate_redemption", 409, "POST", "/testing/riverside-lot/"+gate+"/simulate_redemption", redeem, jwt)

	linkQuery := func(jwt, system string) string {
		return "/user/current/link_account?jwt=" + jwt + "&system_id=" + system + "&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback&state=xyz"
	}
	f.do("link_account", 302, "GET", linkQuery(jwt, "gatepark"), "", "")
	f.do("link_account", 302, "GET", linkQuery(jwt, "gatepark"), "", acceptHTML) // a web view's Accept
	f.do("link_account", 413, "GET", linkQuery(jwt, "gatepark"), big, "")
	f.do("link_account", 415, "GET", linkQuery(jwt, "gatepark"), "state=x", textPlain)
	f.do("link_account", 400, "GET", strings.Replace(linkQuery(jwt, "gatepark"), "example.com", "evil.example", 1), "", "")
	f.do("link_account", 401, "GET", linkQuery("not-a-jwt", "gatepark"), "", "")
	f.do("link_account", 404, "GET", linkQuery(jwt, "nosuch"), "", "")
	f.do("link_account", 422, "GET", linkQuery(jwt, strings.Repeat("s", 65)), "", "")
	f.do("link_account", 400, "GET", linkQuery(real, "citypark"), "", "") // citypark needs no link

	// Every demo system that needs a link has a link page; a catalog
	// without one shows a real user the 501.
	cat := catalog.Demo()
	gatepark, _ := cat.System("gatepark")
	gatepark.LinkURL = ""
	noLinkPage := &flow{t: t, s: apitest.New(t, backend, apitest.Options{Catalog: cat}), got: f.got}
	real2 := jsonField(t, noLinkPage.do("create_jwt", 200, "POST", "/create_jwt", realUser, "demo-server-token"), "jwt_token")
	noLinkPage.do("link_account", 501, "GET", linkQuery(real2, "gatepark"), "", "")

	// A partner with its sandbox closed and a rate limit of two requests
	// (the test clock stands still, so no token comes back): /testing is
	// 403 for its test user too, and then every operation is 429.
	cat = catalog.Demo()
	demo, _ := cat.Partner("demo")
	demo.Sandbox = false
	demo.RateLimit = coord.RateLimit{RequestsPerSecond: 1, Burst: 2}
	closed := &flow{t: t, s: apitest.New(t, backend, apitest.Options{Catalog: cat}), got: f.got}
	closed.do("create_test_jwt", 403, "POST", "/testing/create_jwt", `{"email":"driver@example.com"}`, "")
	closed.do("list_systems", 200, "GET", "/systems", "", "")
	closed.do("list_systems", 429, "GET", "/systems", "", "")
	closed.do("get_quote", 429, "GET", "/downtown-garage/quote?duration_m=90", "", "")
	closed.do("create_test_jwt", 429, "POST", "/testing/create_jwt", `{"email":"driver@example.com"}`, "")
	closed.do("create_jwt", 429, "POST", "/create_jwt", realUser, "demo-server-token")
	closed.do("post_session", 429, "POST", "/downtown-garage/session", "", jwt)
	closed.do("get_location_sessions", 429, "GET", "/downtown-garage/session", "", jwt)
	closed.do("get_user_sessions", 429, "GET", "/session", "", jwt)
	closed.do("get_session", 429, "GET", "/downtown-garage/session/1", "", jwt)
	closed.do("end_session", 429, "PUT", "/downtown-garage/session/1/end", "", jwt)
	closed.do("simulate_redemption", 429, "POST", "/testing/riverside-lot/"+gate+"/simulate_redemption", redeem, jwt)
	closed.do("get_user", 429, "GET", "/user/current", "", jwt)
	closed.do("put_vehicle", 429, "PUT", "/user/current/vehicle", plate, jwt)
	closed.do("link_account", 429, "GET", linkQuery(jwt, "gatepark"), "", "")
	closed.do("test_link_user_account", 429, "POST", "/testing/user/current/transactable_systems", link, jwt)
	closed.do("list_events", 429, "GET", "/events", "", "demo-server-token")

	// The partner's event feed, and its ETag'd sessions.
	f.do("get_session", 200, "GET", "/riverside-lot/session/"+gate, "", jwt) // its ETag now
	f.header = http.Header{"If-None-Match": {f.etag}}
	f.do("get_session", 304, "GET", "/riverside-lot/session/"+gate, "", jwt)
	f.do("list_events", 200, "GET", "/events?limit=2", "", "demo-server-token")
	f.do("list_events", 400, "GET", "/events?after=first", "", "demo-server-token")
	f.do("list_events", 401, "GET", "/events", "", "")
	f.do("list_events", 422, "GET", "/events?limit=0", "", "demo-server-token")
	if _, err := s.Store.PruneEvents(context.Background(), s.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	f.do("list_events", 410, "GET", "/events?after=1", "", "demo-server-token")
	webhookFlow(t, backend, f.got)

	// With the database gone, every operation that needs it answers 503.
	if err := s.Store.Close(); err != nil {
		t.Fatal(err)
	}
	f.do("get_location_sessions", 503, "GET", "/downtown-garage/session", "", jwt)
	f.do("post_session", 503, "POST", "/downtown-garage/session", "", jwt)
	f.do("get_user_sessions", 503, "GET", "/session", "", jwt)
	f.do("get_session", 503, "GET", "/downtown-garage/session/1", "", jwt)
	f.do("end_session", 503, "PUT", "/downtown-garage/session/1/end", "", jwt)
	f.do("simulate_redemption", 503, "POST", "/testing/riverside-lot/"+gate+"/simulate_redemption", redeem, jwt)
	f.do("create_test_jwt", 503, "POST", "/testing/create_jwt", `{"email":"driver@example.com"}`, "")
	f.do("create_jwt", 503, "POST", "/create_jwt", realUser, "demo-server-token")
	f.do("get_user", 503, "GET", "/user/current", "", jwt)
	f.do("put_vehicle", 503, "PUT", "/user/current/vehicle", plate, jwt)
	f.do("link_account", 503, "GET", linkQuery(jwt, "gatepark"), "", "")
	f.do("list_events", 503, "GET", "/events", "", "demo-server-token")
	f.do("test_link_user_account", 503, "POST", "/testing/user/current/transactable_systems", link, jwt)
	return f.got
}
