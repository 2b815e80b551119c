package coordclient

import (
	"context"
	"iter"

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
			return nil, call.fail(err)
		}
		return ok.Payload, nil
	}
	p := sessions.NewGetLocationSessionsParamsWithTimeout(u.c.timeout).WithLocationID(o.Location).WithLimit(limit).WithBeforeID(before)
	ctx, call := u.begin(ctx, "get_location_sessions")
	ok, err := u.c.api.Sessions.GetLocationSessionsContext(ctx, p, u.Auth())
	if err != nil {
		return nil, call.fail(err)
	}
	return ok.Payload, nil
}

// Sessions is every one of the user's sessions (at opts.Location, if set;
// before opts.BeforeID, if set), newest first, fetched a page at a time as
// the loop asks for more. opts may be nil.
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
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit == 0 {
		o.Limit = maxPage
	}
	return pages(ctx, func(ctx context.Context, before int64) ([]*models.Session, error) {
		page := o
		if before != 0 {
			page.BeforeID = before
		}
		return u.SessionPage(ctx, &page)
	}, func(s *models.Session) int64 { return s.ID }, o.Limit)
}

// pages yields the items of consecutive pages: fetch is called with the
// zero cursor first, then with the cursor of the last item seen, until a
// page shorter than limit (or empty) says there are no more.
func pages[T any, C comparable](ctx context.Context, fetch func(context.Context, C) ([]T, error), cursor func(T) C, limit int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var next C
		for {
			page, err := fetch(ctx, next)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page {
				if !yield(item, nil) {
					return
				}
			}
			if len(page) == 0 || len(page) < limit {
				return
			}
			next = cursor(page[len(page)-1])
		}
	}
}
