package coordclient

import (
	"context"
	"time"

	"github.com/coordapi/coord/models"
)

// Done reports whether a session is over: ended or cancelled.
func Done(s *models.Session) bool {
	return s.Status == models.SessionStatusEnded || s.Status == models.SessionStatusCancelled
}

// Watch polls a session every interval and calls onChange (if not nil)
// with the first state seen and after each change of status, until the
// session is over (returned) or ctx is done (ctx.Err returned).
func (u *UserClient) Watch(ctx context.Context, location string, id int64, interval time.Duration, onChange func(*models.Session)) (*models.Session, error) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	last := ""
	for {
		s, err := u.Session(ctx, location, id)
		if err != nil {
			return nil, err
		}
		if status := s.Status; status != last {
			last = status
			if onChange != nil {
				onChange(s)
			}
		}
		if Done(s) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}
