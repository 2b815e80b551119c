package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-openapi/loads"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
	"github.com/coordapi/coord/restapi"
)

// The credentials an operation takes (swagger.yaml's security, plus
// link_account's jwt query parameter).
const (
	keyOnly    = "access_key"
	keyAndUser = "access_key + user_jwt"
	keyAndSrv  = "access_key + server_token"
	keyAndLink = "access_key + jwt parameter"
)

// secOp is one operation of the API as a raw request on the two-partner
// catalog of userenv_test.go; {plate} and {gate} are session ids.
type secOp struct {
	id, method, path, body, creds string
}

var secOps = []secOp{
	{"get_location_sessions", "GET", "/" + plateGarage + "/session", "", keyAndUser},
	{"post_session", "POST", "/" + plateGarage + "/session", `{"resource_id":"S1"}`, keyAndUser},
	{"get_user_sessions", "GET", "/session", "", keyAndUser},
	{"get_session", "GET", "/" + plateGarage + "/session/{plate}", "", keyAndUser},
	{"end_session", "PUT", "/" + plateGarage + "/session/{plate}/end", "", keyAndUser},
	{"simulate_redemption", "POST", "/testing/" + gateLotB + "/{gate}/simulate_redemption", `{"duration_m":0}`, keyAndUser},
	{"create_test_jwt", "POST", "/testing/create_jwt", `{"email":"minted@example.com"}`, keyOnly},
	{"create_jwt", "POST", "/create_jwt", `{"external_uid":"minted","email":"minted@example.com"}`, keyAndSrv},
	{"get_user", "GET", "/user/current", "", keyAndUser},
	{"put_vehicle", "PUT", "/user/current/vehicle", `{"license_plate":{"text":"zz999","country":"de"}}`, keyAndUser},
	{"link_account", "GET", "/user/current/link_account?system_id=" + gatesSystem + "&redirect_uri=" + url.QueryEscape(alphaCallback), "", keyAndLink},
	{"test_link_user_account", "POST", "/testing/user/current/transactable_systems", `{"system_id":"gates","linked_account":false}`, keyAndUser},
	{"list_systems", "GET", "/systems", "", keyOnly},
	{"list_events", "GET", "/events", "", keyAndSrv},
	{"list_webhook_deliveries", "GET", "/webhooks/deliveries", "", keyAndSrv},
	{"ping_webhook", "POST", "/testing/webhooks/alpha-hook/ping", "", keyAndSrv},
	{"get_quote", "GET", "/" + plateGarage + "/quote?duration_m=90", "", keyOnly},
}

// secCreds are what one request presents.
type secCreds struct{ key, bearer, jwt string }

// secRequest builds op's request with the given credentials (empty: absent).
func secRequest(t *testing.T, s *apitest.Server, op secOp, c secCreds, plate, gate int64) *http.Request {
	t.Helper()
	path := strings.NewReplacer("{plate}", strconv.FormatInt(plate, 10), "{gate}", strconv.FormatInt(gate, 10)).Replace(op.path)
	q := url.Values{}
	if c.key != "" {
		q.Set("access_key", c.key)
	}
	if c.jwt != "" {
		q.Set("jwt", c.jwt)
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var body *strings.Reader
	if op.body != "" {
		body = strings.NewReader(op.body)
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(op.method, s.URL+"/v1/users"+path+sep+q.Encode(), body)
	if err != nil {
		t.Fatal(err)
	}
	if op.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	return req
}

// secWorld is the two-partner catalog with a test user of alpha ("victim")
// holding an ended gate session and an active plate session.
type secWorld struct {
	s           *apitest.Server
	victim      *apitest.User
	plate, gate int64
}

func newSecWorld(t *testing.T, backend string) *secWorld {
	t.Helper()
	s := newUserServer(t, backend)
	victim := secUser(t, s, alphaKey, "victim@example.com")
	gate := start(t, s, victim, gateLotB)
	if _, err := redeem(s, victim, gateLotB, gate.ID, 0); err != nil {
		t.Fatal(err)
	}
	plate := start(t, s, victim, plateGarage)
	return &secWorld{s: s, victim: victim, plate: plate.ID, gate: gate.ID}
}

// secUser is a test user of a partner, minted through the API, with a
// plate and a linked gates account (so it may start sessions anywhere).
func secUser(t *testing.T, s *apitest.Server, key, email string) *apitest.User {
	t.Helper()
	jwt := mintTest(t, s, key, models.TestJWTRequest{Email: email, Name: "Sec"})
	auth := apitest.UserAuth(key, jwt)
	u := &apitest.User{Token: jwt, Auth: auth}
	putPlateFor(t, s, auth)
	u.User = &coord.User{UserID: string(currentUser(t, s, auth).UserID)}
	s.Link(t, u, gatesSystem)
	return u
}

// TestTheOperationTableIsTheWholeAPI keeps the security tests honest: they
// cover every operation swagger.yaml declares, with its declared security.
func TestTheOperationTableIsTheWholeAPI(t *testing.T) {
	doc, err := loads.Analyzed(restapi.SwaggerJSON, "")
	if err != nil {
		t.Fatal(err)
	}
	var declared, covered []string
	for _, ops := range doc.Analyzer.Operations() {
		for _, op := range ops {
			declared = append(declared, op.ID)
		}
	}
	for _, op := range secOps {
		covered = append(covered, op.id)
	}
	slices.Sort(declared)
	slices.Sort(covered)
	if !slices.Equal(declared, covered) {
		t.Fatalf("the spec declares %v, the security tests cover %v", declared, covered)
	}
}

// TestEveryOperationWithoutCredentialsIs401 sends every operation with no
// credentials at all, with the access key alone, and with the user's
// credential but no access key: always 401 in the Error shape (the one
// exception, link_account without its jwt parameter, is a 422: the spec
// declares jwt a required parameter, not a security scheme), and nothing
// changes.
func TestEveryOperationWithoutCredentialsIs401(t *testing.T) {
	w := newSecWorld(t, "sqlite")
	before := snapshot(t, w.s, w.victim)
	tried := 0
	for _, op := range secOps {
		variants := map[string]secCreds{"no credentials": {}}
		switch op.creds {
		case keyAndUser:
			variants["the access key alone"] = secCreds{key: alphaKey}
			variants["the token without the access key"] = secCreds{bearer: w.victim.Token}
		case keyAndSrv:
			variants["the access key alone"] = secCreds{key: alphaKey}
			variants["the server token without the access key"] = secCreds{bearer: alphaServer}
		case keyAndLink:
			variants["the jwt without the access key"] = secCreds{jwt: w.victim.Token}
		}
		for name, c := range variants {
			t.Run(op.id+" with "+name, func(t *testing.T) {
				tried++
				r := sendRaw(t, secRequest(t, w.s, op, c, w.plate, w.gate))
				if code := wantErrorShape(t, r); r.status != http.StatusUnauthorized || code != coord.EUnauthorized {
					t.Errorf("got %d %s, want 401", r.status, r.body)
				}
			})
		}
	}
	t.Run("link_account with the access key alone", func(t *testing.T) {
		r := sendRaw(t, secRequest(t, w.s, secOps[10], secCreds{key: alphaKey}, 0, 0))
		if code := wantErrorShape(t, r); r.status != http.StatusUnprocessableEntity || code != coord.EValidation ||
			!strings.Contains(string(r.body), "jwt") {
			t.Errorf("got %d %s, want 422 naming jwt", r.status, r.body)
		}
	})
	if after := snapshot(t, w.s, w.victim); after != before {
		t.Fatalf("unauthenticated requests changed the database:\nbefore %s\nafter  %s", before, after)
	}
	t.Logf("%d unauthenticated requests, all 401", tried)
}

// TestAnotherUsersTokenSeesOnlyItsOwnData sends every operation with a
// second user's valid token, aimed at the victim's sessions: the victim's
// ids are 404 (never 403, which would confirm they exist), lists and the
// user are the caller's own, writes land on the caller, and the victim's
// data is unchanged.
func TestAnotherUsersTokenSeesOnlyItsOwnData(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		w := newSecWorld(t, backend)
		other := secUser(t, w.s, alphaKey, "other@example.com")
		before := snapshot(t, w.s, w.victim)
		creds := secCreds{key: alphaKey, bearer: other.Token, jwt: other.Token}
		victimIDs := []string{strconv.FormatInt(w.plate, 10), strconv.FormatInt(w.gate, 10)}

		for _, op := range secOps {
			t.Run(op.id, func(t *testing.T) {
				r := sendRaw(t, secRequest(t, w.s, op, creds, w.plate, w.gate))
				switch op.id {
				case "get_session", "end_session", "simulate_redemption":
					if code := wantErrorShape(t, r); r.status != http.StatusNotFound || code != coord.ENotFound {
						t.Errorf("the victim's session: got %d %s, want 404", r.status, r.body)
					}
				case "get_location_sessions", "get_user_sessions", "get_user", "post_session", "put_vehicle", "test_link_user_account":
					if r.status != http.StatusOK {
						t.Fatalf("got %d %s", r.status, r.body)
					}
					if strings.Contains(string(r.body), w.victim.UserID) {
						t.Errorf("the answer names the victim: %s", r.body)
					}
					for _, id := range victimIDs {
						if strings.Contains(string(r.body), `"id":`+id+",") {
							t.Errorf("the answer holds the victim's session %s: %s", id, r.body)
						}
					}
				}
			})
		}
		if after := snapshot(t, w.s, w.victim); after != before {
			t.Fatalf("another user's requests changed the victim's data:\nbefore %s\nafter  %s", before, after)
		}
		if got := currentUser(t, w.s, other.Auth); string(got.UserID) != other.UserID ||
			got.Vehicle.LicensePlate.Text != "zz999" {
			t.Fatalf("the caller's own put_vehicle did not land on the caller: %+v", got)
		}
	})
}

// TestAnotherPartnersKeyIs401 presents partner alpha's user token or server
// token with partner beta's access key, on every operation that takes
// one: 401, and nothing changes.
func TestAnotherPartnersKeyIs401(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		w := newSecWorld(t, backend)
		before := snapshot(t, w.s, w.victim)
		for _, op := range secOps {
			if op.creds == keyOnly {
				continue // nothing of alpha's to mix in
			}
			c := secCreds{key: betaKey, bearer: w.victim.Token, jwt: w.victim.Token}
			if op.creds == keyAndSrv {
				c.bearer = alphaServer
			}
			t.Run(op.id, func(t *testing.T) {
				r := sendRaw(t, secRequest(t, w.s, op, c, w.plate, w.gate))
				if code := wantErrorShape(t, r); r.status != http.StatusUnauthorized || code != coord.EUnauthorized {
					t.Errorf("got %d %s, want 401", r.status, r.body)
				}
			})
		}
		if after := snapshot(t, w.s, w.victim); after != before {
			t.Fatalf("cross-partner requests changed the database:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestTestingOperationsAre403ForRealUsersOnTheirOwnData: a real user's
// valid token on the /testing operations, aimed at its own pending gate
// session and its own link, is 403, and neither changes.
func TestTestingOperationsAre403ForRealUsersOnTheirOwnData(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		jwt := mintReal(t, s, alphaKey, alphaServer, "real-sec", "real-sec@example.com", "Real")
		auth := apitest.UserAuth(alphaKey, jwt)
		real := &apitest.User{Token: jwt, Auth: auth, User: &coord.User{UserID: string(currentUser(t, s, auth).UserID)}}
		s.Link(t, real, gatesSystem)
		pending := start(t, s, real, gateLotB)
		before := snapshot(t, s, real)
		for _, op := range secOps {
			if !strings.HasPrefix(op.path, "/testing/") || op.creds != keyAndUser {
				continue
			}
			t.Run(op.id, func(t *testing.T) {
				r := sendRaw(t, secRequest(t, s, op, secCreds{key: alphaKey, bearer: jwt}, 0, pending.ID))
				if code := wantErrorShape(t, r); r.status != http.StatusForbidden || code != coord.EForbidden {
					t.Errorf("got %d %s, want 403", r.status, r.body)
				}
			})
		}
		if after := snapshot(t, s, real); after != before {
			t.Fatalf("a refused testing operation changed the real user's data:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestLinkAccountRefusesOpenRedirects tries the classic ways of turning an
// allowed prefix into a redirect elsewhere: each is 400 with no Location.
// The prefix is https://allowed.example.com/cb/ (the catalog insists on a
// path, so a prefix can never be extended into another host name).
func TestLinkAccountRefusesOpenRedirects(t *testing.T) {
	const allowed = "https://allowed.example.com/cb/"
	s := newUserServer(t, "sqlite", allowed)
	jwt := mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "redirect-sec@example.com"})
	attacks := []string{
		"https://evil.example",
		"https://evil.example/cb/",
		"//evil.example",
		"//allowed.example.com/cb/",
		"///evil.example/cb/",
		"https://allowed.example.com@evil.example/",
		"https://allowed.example.com/cb/@evil.example/../..",
		"https://allowed.example.com:443@evil.example/cb/",
		"https://allowed.example.com.evil.example/",
		"https://allowed.example.com.evil.example/cb/",
		"https://allowed.example.com./cb/",
		"https://ALLOWED.example.com/cb/",
		"https://аllowed.example.com/cb/", // Cyrillic а
		"https://allowed.example.com\u3002evil.example/cb/",
		`https://allowed.example.com\@evil.example/cb/`,
		`https:\\evil.example\cb\`,
		`https://allowed.example.com/cb/\..\..\evil`,
		"https://allowed.example.com/cb/../../evil",
		"https://allowed.example.com/cb/%2e%2e/%2E%2E/evil",
		"https://allowed.example.com/cb/..%2f..%2fevil",
		"https://allowed.example.com/cb/%5c..%5cevil",
		"https://allowed.example.com/cb/%zz",
		"https://allowed.example.com/cb/#@evil.example",
		"https://allowed.example.com%2f@evil.example/cb/",
		"https://allowed.example.com%40evil.example/cb/",
		"http://allowed.example.com/cb/",
		"javascript:alert(document.domain)//https://allowed.example.com/cb/",
		"data:text/html,<script>location='https://evil.example'</script>",
		" https://allowed.example.com/cb/",
		"https://allowed.example.com/cb/\r\nLocation: https://evil.example",
		"https://allowed.example.com/cb/\x00",
		"https://allowed.example.com/c\tb/",
		"/cb/",
		"",
		// The catalog's other prefix, alphaCallback, has no trailing slash:
		// it matches on a segment boundary only; no path segment may be empty.
		alphaCallback + "evil",
		alphaCallback + ".evil.example",
		alphaCallback + "-evil",
		alphaCallback + "//evil.example",
		"https://allowed.example.com/cb//evil.example",
		"https://allowed.example.com/cb/x//evil.example",
	}
	for _, uri := range attacks {
		t.Run(fmt.Sprintf("%q", uri), func(t *testing.T) {
			req, err := http.NewRequest("GET", linkAccountURL(s, alphaKey, jwt, gatesSystem, uri, "st"), nil)
			if err != nil {
				t.Fatal(err)
			}
			r := sendRaw(t, req)
			code := wantErrorShape(t, r)
			if uri == "" { // a required parameter, empty
				if r.status != http.StatusUnprocessableEntity || code != coord.EValidation {
					t.Errorf("got %d %s, want 422", r.status, r.body)
				}
				return
			}
			if r.status != http.StatusBadRequest || code != coord.EInvalid || r.header.Get("Location") != "" {
				t.Errorf("got %d %s, Location %q; want 400 and no redirect", r.status, r.body, r.header.Get("Location"))
			}
		})
	}
	t.Run("the allowed prefix itself redirects", func(t *testing.T) {
		req, _ := http.NewRequest("GET", linkAccountURL(s, alphaKey, jwt, gatesSystem, allowed+"done?x=1", ""), nil)
		if r := sendRaw(t, req); r.status != http.StatusFound {
			t.Fatalf("got %d %s, want 302", r.status, r.body)
		}
	})
	t.Run("a prefix without a path is refused by the catalog", func(t *testing.T) {
		for _, prefix := range []string{"https://allowed.example.com", "https://allowed.example.com?", "//allowed.example.com/"} {
			doc := strings.Replace(fmt.Sprintf(userCatalog, alphaCallback, ""), "https://beta.example/", prefix, 1)
			if _, err := catalog.Parse([]byte(doc)); err == nil {
				t.Errorf("the catalog accepted the redirect prefix %q", prefix)
			}
		}
	})
	t.Logf("%d redirect attacks refused", len(attacks))
}

// TestCredentialsReachNeitherLogsNorAnswers runs every operation with good,
// tampered, near-miss and cross-partner credentials (link_account's jwt
// travels in the query string), then searches the whole debug-level log
// and every answer (bodies, Location and other headers) for the access
// keys, the server tokens and the JWTs. Only a mint answer may hold the
// token it mints.
func TestCredentialsReachNeitherLogsNorAnswers(t *testing.T) {
	const (
		aKey, aSrv = "ak-alpha-6b1f0e9d2c3a4b5c6d7e8f90a1b2c3d4", "st-alpha-0f9e8d7c6b5a49382716a5b4c3d2e1f0"
		bKey, bSrv = "ak-beta-13579bdf02468ace13579bdf02468ace", "st-beta-fedcba9876543210fedcba9876543210"
	)
	doc := strings.NewReplacer(alphaKey, aKey, alphaServer, aSrv, betaKey, bKey, betaServer, bSrv).
		Replace(fmt.Sprintf(userCatalog, alphaCallback, ""))
	cat, err := catalog.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := apitest.New(t, "sqlite", apitest.Options{Catalog: cat})
	victim := secUser(t, s, aKey, "logs@example.com")
	gate := start(t, s, victim, gateLotB)
	plate := int64(1)
	tampered := victim.Token[:len(victim.Token)-2] + "AA"
	secrets := []string{aKey, aSrv, bKey, bSrv, victim.Token, tampered, lastSegment(victim.Token)}

	variants := []secCreds{
		{key: aKey, bearer: victim.Token, jwt: victim.Token},       // good
		{key: aKey, bearer: tampered, jwt: tampered},               // bad signature
		{key: aKey + "0", bearer: victim.Token, jwt: victim.Token}, // a near miss of the key
		{key: bKey, bearer: victim.Token, jwt: victim.Token},       // another partner's key
		{key: aKey, bearer: aSrv, jwt: aSrv},                       // a server token where a JWT goes
		{key: aKey, bearer: bSrv},                                  // another partner's server token
	}
	var answers []string
	var minted []string
	requests := 0
	for _, op := range secOps {
		for _, c := range variants {
			if op.creds == keyAndSrv && c.bearer == victim.Token {
				c.bearer = aSrv
			}
			r := sendRaw(t, secRequest(t, s, op, c, plate, gate.ID))
			requests++
			answer := string(r.body)
			if strings.Contains(op.id, "create") && r.status == http.StatusOK {
				tok := jwtOf(t, r)
				minted = append(minted, tok)
				answer = strings.Replace(answer, tok, "", 1)
			}
			for name, values := range r.header {
				answer += "\n" + name + ": " + strings.Join(values, ", ")
			}
			answers = append(answers, answer)
		}
	}
	for _, extra := range []struct{ method, path string }{
		{"GET", "/no/such/path?access_key=" + aKey + "&jwt=" + victim.Token},
		{"DELETE", "/session?access_key=" + aKey},
	} {
		req, _ := http.NewRequest(extra.method, s.URL+"/v1/users"+extra.path, nil)
		req.Header.Set("Authorization", "Bearer "+victim.Token)
		r := sendRaw(t, req)
		requests++
		answers = append(answers, string(r.body))
	}

	log := s.Log.String()
	if n := strings.Count(log, `"msg":"request"`); n < requests {
		t.Fatalf("%d access log lines for %d requests: the log is not what was searched", n, requests)
	}
	for _, secret := range append(secrets, minted...) {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds a credential (%.10s…)", secret)
		}
		for _, a := range answers {
			if strings.Contains(a, secret) {
				t.Errorf("an answer holds a credential (%.10s…): %.300s", secret, a)
			}
		}
	}
	if strings.Contains(log, "Bearer") {
		t.Error("the log holds an Authorization header")
	}
	t.Logf("%d requests, %d credentials searched for in %d bytes of log and %d answers", requests, len(secrets)+len(minted), len(log), len(answers))
}

// jwtOf reads the token a mint answered.
func jwtOf(t *testing.T, r rawResponse) string {
	t.Helper()
	var out models.JWTResponse
	if err := json.Unmarshal(r.body, &out); err != nil || out.JwtToken == "" {
		t.Fatalf("a mint answered %s", r.body)
	}
	return out.JwtToken
}

// lastSegment is a JWT's signature, which alone must not leak either.
func lastSegment(jwt string) string { return jwt[strings.LastIndex(jwt, ".")+1:] }
