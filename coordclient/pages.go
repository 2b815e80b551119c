package coordclient

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/models"
)

// ListOptions select the user's sessions.
type ListOptions struct {
	Location string // only this location's sessions; empty for all
	Limit    int    // page size, 1–100; 0 for the server's default (50), or 100 when Sessions pages
	BeforeID int64  // only sessions with a lower id: the next page after the last id seen
}

// maxPage is the largest page the API serves; Sessions asks for it.
const maxPage = 100

// SessionPage is one page of the user's sessions, newest first. opts may be
// nil. For the next page, set BeforeID to the last session's id; Sessions
// does that for you.
func (u *UserClient) SessionPage(ctx context.Context, opts *ListOptions) ([]*models.Session, error) {
	page, _, err := u.sessionPage(ctx, opts)
	return page, err
}

// sessionPage is SessionPage with the options of the page after it, read
// from the answer's Link rel="next" header: nil when the server says this
// page is the last.
func (u *UserClient) sessionPage(ctx context.Context, opts *ListOptions) ([]*models.Session, *ListOptions, error) {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	var limit *int32
	if o.Limit != 0 {
		l := int32(o.Limit)
		limit = &l
	}
	var before *int64
	if o.BeforeID != 0 {
		before = &o.BeforeID
	}
	if o.Location == "" {
		p := sessions.NewGetUserSessionsParamsWithTimeout(u.c.timeout).WithLimit(limit).WithBeforeID(before)
		ctx, call := u.begin(ctx, "get_user_sessions")
		ok, err := u.c.api.Sessions.GetUserSessionsContext(ctx, p, u.Auth())
		if err != nil {
			return nil, nil, call.fail(err)
		}
		return ok.Payload, nextOptions(o, ok.Link), nil
	}
	p := sessions.NewGetLocationSessionsParamsWithTimeout(u.c.timeout).WithLocationID(o.Location).WithLimit(limit).WithBeforeID(before)
	ctx, call := u.begin(ctx, "get_location_sessions")
	ok, err := u.c.api.Sessions.GetLocationSessionsContext(ctx, p, u.Auth())
	if err != nil {
		return nil, nil, call.fail(err)
	}
	return ok.Payload, nextOptions(o, ok.Link), nil
}

// nextOptions are o moved to the page a Link header's rel="next" names
// (RFC 8288; the server sends `<?before_id=N&limit=L>; rel="next"` on a full
// page), or nil when there is no such link.
func nextOptions(o ListOptions, link string) *ListOptions {
	for _, value := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(value), ";")
		target = strings.TrimSpace(target)
		if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			continue
		}
		if !hasRelNext(params) {
			continue
		}
		ref, err := url.Parse(target[1 : len(target)-1])
		if err != nil {
			continue
		}
		before, err := strconv.ParseInt(ref.Query().Get("before_id"), 10, 64)
		if err != nil || before <= 0 {
			continue
		}
		o.BeforeID = before
		if l, err := strconv.Atoi(ref.Query().Get("limit")); err == nil && l > 0 {
			o.Limit = l
		}
		return &o
	}
	return nil
}

// hasRelNext reports whether a link-value's parameters include rel="next"
// (rel may list several space-separated relation types).
func hasRelNext(params string) bool {
	for _, param := range strings.Split(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(param), "=")
		if !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(value), `"`)) {
			if strings.EqualFold(rel, "next") {
				return true
			}
		}
	}
	return false
}

// Sessions is every one of the user's sessions (at opts.Location, if set;
// before opts.BeforeID, if set), newest first, fetched a page at a time as
// the loop asks for more, following each page's Link rel="next". opts may
// be nil.
//
//	for s, err := range u.Sessions(ctx, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(s.ID, s.Status)
//	}
//
// An error ends the sequence after it is yielded.
func (u *UserClient) Sessions(ctx context.Context, opts *ListOptions) iter.Seq2[*models.Session, error] {
	o := ListOptions{Limit: maxPage}
	if opts != nil {
		o = *opts
		if o.Limit == 0 {
			o.Limit = maxPage
		}
	}
	return func(yield func(*models.Session, error) bool) {
		for next := &o; next != nil; {
			page, after, err := u.sessionPage(ctx, next)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, s := range page {
				if !yield(s, nil) {
					return
				}
			}
			// A next page must move on: an empty page or a cursor that does
			// not go back in ids ends the loop whatever the header says.
			if len(page) == 0 || (after != nil && next.BeforeID != 0 && after.BeforeID >= next.BeforeID) {
				return
			}
			next = after
		}
	}
}
