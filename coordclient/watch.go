package coordclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/models"
)

// Done reports whether a session is over: ended or cancelled.
func Done(s *models.Session) bool {
	return s.Status == models.SessionStatusEnded || s.Status == models.SessionStatusCancelled
}

// WatchWait is how long the server holds each of Watch's requests when
// nothing changes: the longest wait it accepts.
const WatchWait = 60

// Watch follows a session and calls onChange (if not nil) with the first
// state seen and after each change, until the session is over (returned)
// or ctx is done (ctx.Err returned). Each request carries the last ETag
// with wait, so the server holds it until the session changes: one request
// per change rather than one per interval. interval is the pause between
// plain polls against a server that sends no ETag (or answers at once
// because it holds all the requests it will).
func (u *UserClient) Watch(ctx context.Context, location string, id int64, interval time.Duration, onChange func(*models.Session)) (*models.Session, error) {
	wait := int32(WatchWait)
	var tag string
	for {
		p := sessions.NewGetSessionParamsWithTimeout(u.c.timeout + WatchWait*time.Second).WithLocationID(location).WithSessionID(id)
		if tag != "" {
			p.SetIfNoneMatch(&tag)
			p.SetWait(&wait)
		}
		began := time.Now()
		callCtx, call := u.begin(ctx, fmt.Sprintf("get_session %d", id))
		ok, err := u.c.api.Sessions.GetSessionContext(callCtx, p, u.Auth())
		var unchanged *sessions.GetSessionNotModified
		switch {
		case errors.As(err, &unchanged):
			// Answered long before the wait: the server holds as many
			// requests as it will (or is shutting down). Poll gently.
			if time.Since(began) < WatchWait*time.Second/2 && !pause(ctx, interval) {
				return nil, ctx.Err()
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, call.fail(err)
		}
		s := ok.Payload
		if onChange != nil {
			onChange(s)
		}
		if Done(s) {
			return s, nil
		}
		if tag = ok.ETag; tag == "" && !pause(ctx, interval) { // a server without ETags: poll
			return nil, ctx.Err()
		}
	}
}

// pause waits d, or reports false when ctx is done first.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
