package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/coordapi/coord/internal/apitest"
)

// TestDocsRenderOfflineWithEveryOperation loads /docs in Chromium with every
// request to a host other than the test server's failed, and waits for each
// operation's summary to be rendered: the docs need no internet. The page
// must not even try to reach another host.
func TestDocsRenderOfflineWithEveryOperation(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	browser := headlessChromium(t)
	tab, cancelTab := chromedp.NewContext(browser)
	defer cancelTab()
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // open the tab before listening
		t.Fatal(err)
	}
	server, _ := url.Parse(s.URL)

	var mu sync.Mutex
	var blocked, exceptions []string
	paused := make(chan *fetch.EventRequestPaused, 256)
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *fetch.EventRequestPaused:
			paused <- ev // answered below: a listener must not run commands
		case *runtime.EventExceptionThrown:
			mu.Lock()
			exceptions = append(exceptions, ev.ExceptionDetails.Text)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-paused:
				u, err := url.Parse(ev.Request.URL)
				if err == nil && (u.Scheme == "data" || u.Scheme == "blob" || u.Host == server.Host) {
					_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
					continue
				}
				mu.Lock()
				blocked = append(blocked, ev.Request.URL)
				mu.Unlock()
				_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonInternetDisconnected})
			}
		}
	}()

	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/docs"),
		chromedp.WaitVisible(chromedp.CSS(`[data-section-id^="tag/"]`)),
	)
	var text string
	if err == nil {
		text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	}
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("load /docs: %v (blocked: %v, exceptions: %v)", err, blocked, exceptions)
	}
	for _, summary := range operationSummaries(t, s) {
		if !strings.Contains(text, summary) {
			t.Errorf("/docs does not show the operation %q", summary)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(blocked) > 0 {
		t.Errorf("/docs tried to reach other hosts: %v", blocked)
	}
	if len(exceptions) > 0 {
		t.Errorf("/docs threw: %v", exceptions)
	}
}

// operationSummaries are the summaries of every operation in the served
// openapi.json.
func operationSummaries(t *testing.T, s *apitest.Server) []string {
	t.Helper()
	resp, err := http.Get(s.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, item := range doc.Paths {
		for key, raw := range item {
			var op struct{ Summary string }
			if key != "parameters" && json.Unmarshal(raw, &op) == nil && op.Summary != "" {
				out = append(out, op.Summary)
			}
		}
	}
	if len(out) < 13 {
		t.Fatalf("openapi.json has %d operation summaries, want 13", len(out))
	}
	return out
}
