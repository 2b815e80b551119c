package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// chromiumPath is Debian's chromium, which CI installs.
const chromiumPath = "/usr/bin/chromium"

// requireBrowserEnv set to 1 makes a missing Chromium fail the browser test
// instead of skipping it. CI sets it (.ci/run), so that CI never passes by
// skipping the test; a developer's go test ./... without Chromium skips it.
const requireBrowserEnv = "COORD_REQUIRE_BROWSER"

// headlessChromium starts one headless Chromium for the test and returns a
// context whose tabs run in it.
func headlessChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := fmt.Sprintf("the browser test needs Chromium at %s (apt-get install -y chromium): %v", chromiumPath, err)
		if os.Getenv(requireBrowserEnv) == "1" {
			t.Fatalf("%s, and %s=1", msg, requireBrowserEnv)
		}
		t.Skip("skipped: " + msg)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser now, to fail early and clearly
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return ctx
}

// TestBrowserLinksAndUnlinksOnTheDemoPermissionPage: a test user's browser
// follows link_account to the demo page, clicks Allow (then, again, Deny),
// and lands on the partner's redirect URI with the outcome and its state;
// get_user agrees.
func TestBrowserLinksAndUnlinksOnTheDemoPermissionPage(t *testing.T) {
	browser := headlessChromium(t)
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		// The partner's app: records where the browser lands.
		landed := make(chan url.Values, 1)
		app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/app/linked" {
				http.NotFound(w, r)
				return
			}
			select {
			case landed <- r.URL.Query():
			default:
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><title>Partner app</title><p id="landed">back in the app</p>`)
		}))
		t.Cleanup(app.Close)
		redirect := app.URL + "/app/linked?from=app"

		s := newUserServer(t, backend, app.URL+"/app/")
		jwt := mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "browser@example.com", Name: "Browser User"})
		auth := apitest.UserAuth(alphaKey, jwt)

		for _, tc := range []struct {
			button string
			linked bool
		}{{"allow", true}, {"deny", false}} {
			state := "state-" + tc.button
			tab, cancel := chromedp.NewContext(browser)
			tab, cancelTimeout := context.WithTimeout(tab, 30*time.Second)
			err := chromedp.Do(tab,
				chromedp.Navigate(linkAccountURL(s, alphaKey, jwt, gatesSystem, redirect, state)),
				chromedp.WaitVisible(chromedp.ID(tc.button)),
				chromedp.Click(chromedp.ID(tc.button)),
				chromedp.WaitVisible(chromedp.ID("landed")),
			)
			var location string
			if err == nil {
				location, err = chromedp.Run(tab, chromedp.Location())
			}
			cancelTimeout()
			cancel()
			if err != nil {
				t.Fatalf("%s in the browser: %v", tc.button, err)
			}

			var q url.Values
			select {
			case q = <-landed:
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: the browser never reached the redirect URI (it is at %s)", tc.button, location)
			}
			want := url.Values{"from": {"app"}, "system_id": {gatesSystem}, "linked_account": {fmt.Sprint(tc.linked)}, "state": {state}}
			if q.Encode() != want.Encode() {
				t.Fatalf("%s: landed with %s, want %s", tc.button, q.Encode(), want.Encode())
			}
			if st := systemStatus(t, currentUser(t, s, auth), gatesSystem); *st.LinkedAccount != tc.linked {
				t.Fatalf("after %s, get_user shows linked_account %v", tc.button, *st.LinkedAccount)
			}
		}
	})
}
