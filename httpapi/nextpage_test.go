package httpapi_test

import (
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/internal/apitest"
)

var nextLink = regexp.MustCompile(`^<([^>]*)>; rel="next"$`)

// TestFullPagesLinkToTheNextPage: a page as long as the limit carries
// Link rel="next", whose query fetches the following page; the last page
// carries none.
func TestFullPagesLinkToTheNextPage(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		u := s.NewUser(t, "pages@example.com", false)
		var ids []int64
		for range 3 {
			ids = append(ids, start(t, s, u, plateLot).ID)
			if _, err := end(s, u, plateLot, ids[len(ids)-1]); err != nil {
				t.Fatal(err)
			}
		}

		limit := int32(2)
		first, err := s.Client.Sessions.GetUserSessions(sessions.NewGetUserSessionsParams().WithLimit(&limit), u.Auth)
		if err != nil {
			t.Fatal(err)
		}
		m := nextLink.FindStringSubmatch(first.Link)
		if len(first.Payload) != 2 || m == nil {
			t.Fatalf("first page: %d sessions, Link %q; want 2 and a next link", len(first.Payload), first.Link)
		}
		// The link is relative to the request's URL: only a query.
		next, err := url.Parse(s.URL + "/v1/users/session")
		if err != nil {
			t.Fatal(err)
		}
		next, err = next.Parse(m[1])
		if err != nil || next.Path != "/v1/users/session" {
			t.Fatalf("next link %q resolves to %v (%v)", m[1], next, err)
		}
		before, _ := strconv.ParseInt(next.Query().Get("before_id"), 10, 64)
		if before != ids[1] || next.Query().Get("limit") != "2" {
			t.Fatalf("next link %q, want before_id=%d&limit=2", m[1], ids[1])
		}

		last, err := s.Client.Sessions.GetUserSessions(sessions.NewGetUserSessionsParams().WithLimit(&limit).WithBeforeID(&before), u.Auth)
		if err != nil {
			t.Fatal(err)
		}
		if len(last.Payload) != 1 || last.Payload[0].ID != ids[0] || last.Link != "" {
			t.Fatalf("last page: %d sessions, Link %q; want session %d and no link", len(last.Payload), last.Link, ids[0])
		}

		at, err := s.Client.Sessions.GetLocationSessions(sessions.NewGetLocationSessionsParams().WithLocationID(plateLot).WithLimit(&limit), u.Auth)
		if err != nil {
			t.Fatal(err)
		}
		if nextLink.FindStringSubmatch(at.Link) == nil {
			t.Fatalf("get_location_sessions' full page has Link %q", at.Link)
		}
	})
}
