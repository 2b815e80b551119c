package coordclient_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/coordtest"
)

// countingTransport counts the requests that reach the network.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(req)
}

func TestSessionsPagesThroughEverySessionNewestFirst(t *testing.T) {
	ctx := context.Background()
	srv := coordtest.NewServer(t)
	counter := &countingTransport{}
	c, err := coordclient.New(srv.URL, srv.AccessKey, coordclient.WithHTTPClient(&http.Client{Transport: counter}))
	if err != nil {
		t.Fatal(err)
	}
	u := plateUser(t, c, "pages@example.com")
	const total = 250
	for range total {
		s, err := u.StartSession(ctx, "downtown-garage", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.EndSession(ctx, "downtown-garage", s.ID); err != nil {
			t.Fatal(err)
		}
	}

	before := counter.n.Load()
	var ids []int64
	for s, err := range u.Sessions(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	if len(ids) != total {
		t.Fatalf("%d sessions, want %d", len(ids), total)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] >= ids[i-1] {
			t.Fatalf("not newest first at %d: %d then %d", i, ids[i-1], ids[i])
		}
	}
	if pages := counter.n.Load() - before; pages != 3 {
		t.Fatalf("%d requests for 250 sessions, want 3 pages of 100", pages)
	}

	// Breaking out of the loop stops the paging; a small page size pages more.
	seen := 0
	before = counter.n.Load()
	for _, err := range u.Sessions(ctx, &coordclient.ListOptions{Limit: 10, Location: "downtown-garage"}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen++; seen == 25 {
			break
		}
	}
	if pages := counter.n.Load() - before; pages != 3 {
		t.Fatalf("%d requests for 25 sessions in pages of 10, want 3", pages)
	}

	// An error is yielded once and ends the sequence.
	errs := 0
	for s, err := range c.AsUser("not-a-jwt").Sessions(ctx, nil) {
		if err == nil || s != nil {
			t.Fatalf("got %v, %v", s, err)
		}
		errs++
	}
	if errs != 1 {
		t.Fatalf("%d errors yielded, want 1", errs)
	}
}
