package coordclient_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/coordtest"
)

func TestNextOptionsReadsTheLinkHeader(t *testing.T) {
	base := coordclient.ListOptions{Location: "downtown-garage", Limit: 10}
	for _, c := range []struct {
		link   string
		before int64 // 0: no next page
		limit  int
	}{
		{`<?before_id=42&limit=50>; rel="next"`, 42, 50},
		{`<?limit=10&before_id=7>;rel=next`, 7, 10},
		{`<?before_id=9>; rel="prev next"`, 9, 10},
		{`</x?before_id=1>; rel="prev", <?before_id=5&limit=20>; rel="next"`, 5, 20},
		{``, 0, 0},
		{`<?before_id=42>; rel="prev"`, 0, 0},
		{`<?before_id=abc>; rel="next"`, 0, 0},
		{`<?before_id=-3>; rel="next"`, 0, 0},
		{`<?limit=10>; rel="next"`, 0, 0},
		{`?before_id=4; rel="next"`, 0, 0},
		{`<%zz>; rel="next"`, 0, 0},
	} {
		got := coordclient.ExportNextOptions(base, c.link)
		if c.before == 0 {
			if got != nil {
				t.Errorf("%q: next page %+v, want none", c.link, *got)
			}
			continue
		}
		if got == nil || got.BeforeID != c.before || got.Limit != c.limit || got.Location != base.Location {
			t.Errorf("%q: next page %+v, want before %d limit %d at %s", c.link, got, c.before, c.limit, base.Location)
		}
	}
}

// linkDropper removes the Link header from every answer.
type linkDropper struct{ n atomic.Int32 }

func (d *linkDropper) RoundTrip(req *http.Request) (*http.Response, error) {
	d.n.Add(1)
	res, err := http.DefaultTransport.RoundTrip(req)
	if res != nil {
		res.Header.Del("Link")
	}
	return res, err
}

// The server's Link header, not the page's length, decides whether Sessions
// asks for more: without it, a full page is the last.
func TestSessionsFollowsTheServersNextLink(t *testing.T) {
	ctx := context.Background()
	srv := coordtest.NewServer(t)
	dropper := &linkDropper{}
	c, err := coordclient.New(srv.URL, srv.AccessKey)
	if err != nil {
		t.Fatal(err)
	}
	u := plateUser(t, c, "links@example.com")
	for range 4 {
		s, err := u.StartSession(ctx, "downtown-garage", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.EndSession(ctx, "downtown-garage", s.ID); err != nil {
			t.Fatal(err)
		}
	}
	count := func(c *coordclient.Client) int {
		n := 0
		for _, err := range c.AsUser(u.Token()).Sessions(ctx, &coordclient.ListOptions{Limit: 2}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	if n := count(c); n != 4 {
		t.Fatalf("%d sessions with the Link header, want 4", n)
	}
	dropping, err := coordclient.New(srv.URL, srv.AccessKey, coordclient.WithHTTPClient(&http.Client{Transport: dropper}))
	if err != nil {
		t.Fatal(err)
	}
	if n := count(dropping); n != 2 {
		t.Fatalf("%d sessions without the Link header, want the first page's 2", n)
	}
	if r := dropper.n.Load(); r != 1 {
		t.Fatalf("%d requests without the Link header, want 1", r)
	}
}
