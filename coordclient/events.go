package coordclient

import (
	"context"
	"iter"
	"time"

	"github.com/coordapi/coord/client/events"
	"github.com/coordapi/coord/models"
)

// EventsOptions select what Events yields.
type EventsOptions struct {
	// After is the last seq already processed; nil starts at the oldest
	// event the server keeps. Persist the last seq you handled and pass it
	// here to resume without gaps or repeats.
	After *int64
	// Type keeps only events of one type ("session.ended"); empty: all.
	Type string
	// Follow keeps waiting for new events once caught up (until ctx is
	// done); without it the iteration ends at the newest event.
	Follow bool
}

// eventsPage is the page size Events asks for: the largest the server allows.
const eventsPage = 500

// Events iterates over the partner's event feed, oldest first, each event
// once. With Follow, an idle feed costs one long-poll request a minute.
// The iteration stops at the first error, yielded with a nil event (a
// cursor older than the server's retention is ECursorExpired: start again
// with After nil).
func (s *ServerClient) Events(ctx context.Context, opts EventsOptions) iter.Seq2[*models.Event, error] {
	return func(yield func(*models.Event, error) bool) {
		after := opts.After
		limit := int32(eventsPage)
		for {
			p := events.NewListEventsParamsWithTimeout(s.c.timeout + WatchWait*time.Second).WithAfter(after).WithLimit(&limit)
			if opts.Type != "" {
				p.SetType(&opts.Type)
			}
			if opts.Follow {
				wait := int32(WatchWait)
				p.SetWait(&wait)
			}
			began := time.Now()
			callCtx, call := s.c.begin(ctx, "list_events", s.token)
			ok, err := s.c.api.Events.ListEventsContext(callCtx, p, s.c.bearer(s.token))
			if err != nil {
				if ctx.Err() != nil {
					yield(nil, ctx.Err())
				} else {
					yield(nil, call.fail(err))
				}
				return
			}
			for _, e := range ok.Payload {
				if !yield(e, nil) {
					return
				}
				seq := e.Seq
				after = &seq
			}
			if len(ok.Payload) == 0 && !opts.Follow {
				return
			}
			// An empty page long before the wait: the server holds as many
			// requests as it will (or is shutting down). Poll gently.
			if len(ok.Payload) == 0 && time.Since(began) < WatchWait*time.Second/2 && !pause(ctx, time.Second) {
				yield(nil, ctx.Err())
				return
			}
		}
	}
}
