package coordclient_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/models"
)

// plateUser is a test user who meets downtown-garage's requirements.
func plateUser(t *testing.T, c *coordclient.Client, email string) *coordclient.UserClient {
	t.Helper()
	ctx := context.Background()
	u, err := c.CreateTestUser(ctx, coordclient.Identity{Email: email})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.SetVehicle(ctx, coordclient.Plate{Text: "abc123", Country: "us"}); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestStartOptionsSendTheResourceAndTheIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	u := plateUser(t, newClient(t, newServer(t).URL), "opts@example.com")
	opts := &coordclient.StartOptions{ResourceID: "B-12", IdempotencyKey: "retry-1"}
	first, err := u.StartSession(ctx, "downtown-garage", opts)
	if err != nil {
		t.Fatal(err)
	}
	again, err := u.StartSession(ctx, "downtown-garage", opts)
	if err != nil {
		t.Fatalf("retry with the same key: %v", err)
	}
	if again.ID != first.ID || again.ResourceID != "B-12" {
		t.Fatalf("retry returned %+v, want session %d at B-12", again, first.ID)
	}
}

func TestSessionsListsNewestFirstByLocationAndPage(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, newServer(t).URL)
	u := plateUser(t, c, "lists@example.com")
	var ids []int64
	for range 3 {
		s, err := u.StartSession(ctx, "downtown-garage", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.EndSession(ctx, "downtown-garage", s.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	for _, tc := range []struct {
		name string
		opts *coordclient.ListOptions
		want []int64
	}{
		{"all", nil, []int64{ids[2], ids[1], ids[0]}},
		{"one location, one page", &coordclient.ListOptions{Location: "downtown-garage", Limit: 2}, []int64{ids[2], ids[1]}},
		{"the next page", &coordclient.ListOptions{Limit: 2, BeforeID: ids[1]}, []int64{ids[0]}},
		{"another location", &coordclient.ListOptions{Location: "riverside-lot"}, nil},
	} {
		got, err := u.SessionPage(ctx, tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var gotIDs []int64
		for _, s := range got {
			gotIDs = append(gotIDs, s.ID)
		}
		if !slices.Equal(gotIDs, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, gotIDs, tc.want)
		}
	}
}

func TestWatchReportsEachStatusUntilTheSessionIsOver(t *testing.T) {
	ctx := context.Background()
	u := plateUser(t, newClient(t, newServer(t).URL), "watch@example.com")
	s, err := u.StartSession(ctx, "downtown-garage", nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	ending := sync.OnceFunc(func() {
		go func() { _, _ = u.EndSession(ctx, "downtown-garage", s.ID) }()
	})
	final, err := u.Watch(ctx, "downtown-garage", s.ID, 10*time.Millisecond, func(s *models.Session) {
		mu.Lock()
		seen = append(seen, s.Status)
		mu.Unlock()
		ending() // end it once the watcher has seen it active
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, ",") != "active,ended" || !coordclient.Done(final) || final.BillingInfo == nil {
		t.Fatalf("saw %v, final %+v", seen, final)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	other, err := u.StartSession(ctx, "downtown-garage", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Watch(cancelled, "downtown-garage", other.ID, time.Hour, nil); err == nil {
		t.Fatal("Watch on a cancelled context returned no error")
	}
}

func TestLinkURLStartsLinkingInTheBrowser(t *testing.T) {
	ts := newServer(t)
	u, err := newClient(t, ts.URL+"/").CreateTestUser(context.Background(), coordclient.Identity{Email: "link@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	link := u.LinkURL("gatepark", "http://localhost:3000/linked", "xyz")
	parsed, err := url.Parse(link)
	if err != nil || parsed.Path != "/v1/users/user/current/link_account" {
		t.Fatalf("link %s", link)
	}
	q := parsed.Query()
	if q.Get("access_key") != demoKey || q.Get("jwt") != u.Token() || q.Get("system_id") != "gatepark" ||
		q.Get("redirect_uri") != "http://localhost:3000/linked" || q.Get("state") != "xyz" {
		t.Fatalf("query %v", q)
	}

	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") == "" {
		t.Fatalf("link_account answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestFormatMoneyUsesTheCurrencysDecimals(t *testing.T) {
	money := func(amount int64, cur string) *models.Money { return &models.Money{Amount: &amount, Currency: cur} }
	for _, tc := range []struct {
		m    *models.Money
		want string
	}{
		{money(0, "USD"), "USD 0.00"},
		{money(2400, "USD"), "USD 24.00"},
		{money(5, "EUR"), "EUR 0.05"},
		{money(500, "JPY"), "JPY 500"},
		{money(1234, "KWD"), "KWD 1.234"},
		{money(-150, "USD"), "USD -1.50"},
		{money(150, "XXQ"), "XXQ 1.50"}, // unknown: two decimals
		{nil, "-"},
	} {
		if got := coordclient.FormatMoney(tc.m); got != tc.want {
			t.Errorf("FormatMoney(%v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}
