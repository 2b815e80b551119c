package httpapi_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/client/users"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// linkAccountURL is link_account as a browser would open it.
func linkAccountURL(s *apitest.Server, accessKey, jwt, systemID, redirectURI, state string) string {
	q := url.Values{"access_key": {accessKey}, "jwt": {jwt}, "system_id": {systemID}, "redirect_uri": {redirectURI}}
	if state != "" {
		q.Set("state", state)
	}
	return s.URL + "/v1/users/user/current/link_account?" + q.Encode()
}

// browserGet fetches a URL like a browser, without following redirects;
// API responses are still checked against the spec.
func browserGet(t *testing.T, rawURL string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := apitest.ValidatingClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestLinkAccountRefusesRedirectURIsOutsideThePartnersPrefixes(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		jwt := mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "redirect@example.com"})
		for _, uri := range []string{
			"https://evil.example/callback",
			"https://app.alpha.example.evil.example/callback",
			"https://beta.example/", // partner beta's prefix, not alpha's
			alphaCallback + "/../admin",
			alphaCallback + "/%2e%2e/admin",
			alphaCallback + `\@evil.example`,
			alphaCallback + "\t",
			alphaCallback + "#fragment",
			"https://user@app.alpha.example/callback",
			"/callback",
		} {
			t.Run(uri, func(t *testing.T) {
				p := users.NewLinkAccountParams().WithJwt(jwt).WithSystemID(gatesSystem).WithRedirectURI(uri)
				apitest.WantFailure(t, s.Client.Users.LinkAccount(p, apitest.KeyAuth(alphaKey)), http.StatusBadRequest, coord.EInvalid)

				resp, body := browserGet(t, linkAccountURL(s, alphaKey, jwt, gatesSystem, uri, "st"))
				if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
					t.Fatalf("status %d, Location %q; want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
				}
				// A browser asked for HTML; errors are JSON all the same.
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Fatalf("Content-Type %q for %s", ct, body)
				}
			})
		}
	})
}

func TestLinkAccountSendsRealUsersToTheSystemsLinkPage(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		jwt := mintReal(t, s, alphaKey, alphaServer, "real-linker", "rl@example.com", "RL")
		link := func(systemID, state string) error {
			p := users.NewLinkAccountParams().WithJwt(jwt).WithSystemID(systemID).WithRedirectURI(alphaCallback + "?from=app")
			if state != "" {
				p.SetState(&state)
			}
			return s.Client.Users.LinkAccount(p, apitest.KeyAuth(alphaKey))
		}

		var found *users.LinkAccountFound
		if err := link(gatesSystem, "xyz"); !asError(err, &found) {
			t.Fatalf("link_account: %v, want a 302", err)
		}
		to, err := url.Parse(found.Location)
		if err != nil {
			t.Fatal(err)
		}
		want := url.Values{"lang": {"en"}, "redirect_uri": {alphaCallback + "?from=app"}, "state": {"xyz"}, "system_id": {gatesSystem}}
		if to.Scheme+"://"+to.Host+to.Path != "https://gates.example/link" || to.Query().Encode() != want.Encode() {
			t.Fatalf("redirected to %s, want %s?%s", found.Location, "https://gates.example/link", want.Encode())
		}

		apitest.WantFailure(t, link(manualSystem, ""), http.StatusNotImplemented, coord.ELinkingUnavailable)
		apitest.WantFailure(t, link(platesSystem, ""), http.StatusBadRequest, coord.EInvalid)
		apitest.WantFailure(t, link("no-such-system", ""), http.StatusNotFound, coord.ENotFound)
	})
}

// TestDemoPermissionPageLinksAndUnlinks drives the demo page over plain
// HTTP (the browser test does it with a real browser): the signed form
// token links or unlinks and redirects; a tampered, expired or missing token
// does nothing.
func TestDemoPermissionPageLinksAndUnlinks(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		jwt := mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "page@example.com", Name: "Page"})
		auth := apitest.UserAuth(alphaKey, jwt)
		redirect := alphaCallback + "?from=app"

		// open follows link_account to the page and returns the page's token.
		open := func(state string) string {
			t.Helper()
			resp, _ := browserGet(t, linkAccountURL(s, alphaKey, jwt, gatesSystem, redirect, state))
			rel, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || rel.IsAbs() || strings.HasPrefix(rel.Path, "/") {
				t.Fatalf("link_account redirected to %q, want a relative reference (so a path prefix survives)", rel)
			}
			loc := resp.Request.URL.ResolveReference(rel)
			if resp.StatusCode != http.StatusFound || loc.Path != "/demo/link" || loc.Query().Get("t") == "" {
				t.Fatalf("link_account answered %d to %q, want 302 to /demo/link?t=...", resp.StatusCode, resp.Header.Get("Location"))
			}
			page, body := browserGet(t, loc.String())
			if page.StatusCode != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(body, `value="allow"`) || !strings.Contains(body, `value="deny"`) || !strings.Contains(body, "Gate Lots") {
				t.Fatalf("permission page: %d %s\n%s", page.StatusCode, page.Header.Get("Content-Type"), body)
			}
			for header, want := range map[string]string{
				"X-Frame-Options": "DENY", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
			} {
				if got := page.Header.Get(header); got != want {
					t.Errorf("%s: %q, want %q", header, got, want)
				}
			}
			csp := page.Header.Get("Content-Security-Policy")
			for _, directive := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self' https://app.alpha.example"} {
				if !strings.Contains(csp, directive) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, directive)
				}
			}
			return loc.Query().Get("t")
		}
		choose := func(token, choice string) *http.Response {
			t.Helper()
			form := url.Values{"t": {token}, "choice": {choice}}
			req, err := http.NewRequest(http.MethodPost, s.URL+"/demo/link", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, _ := do(t, req)
			return resp
		}
		linked := func() bool { return *systemStatus(t, currentUser(t, s, auth), gatesSystem).LinkedAccount }

		for _, tc := range []struct {
			choice string
			linked bool
		}{{"allow", true}, {"deny", false}} {
			resp := choose(open("state <&> "+tc.choice), tc.choice)
			to, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || err != nil {
				t.Fatalf("%s: %d to %q", tc.choice, resp.StatusCode, resp.Header.Get("Location"))
			}
			want := url.Values{"from": {"app"}, "system_id": {gatesSystem}, "linked_account": {map[bool]string{true: "true", false: "false"}[tc.linked]},
				"state": {"state <&> " + tc.choice}}
			if to.Scheme+"://"+to.Host+to.Path != alphaCallback || to.Query().Encode() != want.Encode() {
				t.Fatalf("%s redirected to %s, want %s?%s", tc.choice, to, alphaCallback, want.Encode())
			}
			if linked() != tc.linked {
				t.Fatalf("after %s, linked_account is %v", tc.choice, !tc.linked)
			}
		}

		token := open("")
		body, sig, _ := strings.Cut(token, ".")
		flipped := []byte(body)
		flipped[len(flipped)/2] ^= 1
		for name, bad := range map[string]string{
			"no token":         "",
			"a tampered token": string(flipped) + "." + sig,
			"another MAC":      body + "." + b64("not the mac"),
			"a bare payload":   body,
		} {
			if resp := choose(bad, "allow"); resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Errorf("%s: %d to %q, want 400", name, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if resp := choose(token, "maybe"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("choice maybe: %d, want 400", resp.StatusCode)
		}
		s.Clock.Advance(10*time.Minute + time.Second)
		if resp := choose(token, "allow"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("expired token: %d, want 400", resp.StatusCode)
		}
		if resp, _ := browserGet(t, s.URL+"/demo/link?t="+url.QueryEscape(token)); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("page with an expired token: %d, want 400", resp.StatusCode)
		}
		if linked() {
			t.Fatal("a refused choice linked the account")
		}
	})
}

// asError is errors.As for the client's pointer-typed responses.
func asError[T any](err error, target *T) bool {
	v, ok := err.(T)
	if ok {
		*target = v
	}
	return ok
}
