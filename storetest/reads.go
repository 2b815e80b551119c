package storetest

import (
	"sync"
	"sync/atomic"

	"github.com/coordapi/coord"
)

// testConcurrentReads races readers of several users' sessions, each
// reading its own (right id, user and location), another user's and one at
// another location (not found), against a writer ending them: a store may
// batch or cache reads, but no read begun after EndSession returned sees
// the session open, and no read gets another request's session.
func testConcurrentReads(e *env) {
	const users, readers, reads = 6, 8, 150
	sessions := make([]*coord.Session, users)
	for i := range sessions {
		sessions[i] = e.create(e.newSession(e.user(), locApp, false))
	}
	var ended [users]atomic.Bool
	var wg sync.WaitGroup
	for r := range readers {
		wg.Go(func() {
			for n := range reads {
				i := (r + n) % users
				s := sessions[i]
				mustBeEnded := ended[i].Load()
				got, err := e.s.Session(e.ctx, s.Ref())
				if err != nil {
					e.Errorf("Session(%d): %v", s.ID, err)
					return
				}
				if got.ID != s.ID || got.UserID != s.UserID || got.LocationID != s.LocationID {
					e.Errorf("Session(%d of %s at %s) = %d of %s at %s", s.ID, s.UserID, s.LocationID,
						got.ID, got.UserID, got.LocationID)
				}
				if mustBeEnded && got.Status != coord.StatusEnded {
					e.Errorf("session %d read as %s after its end was acknowledged", s.ID, got.Status)
				}
				other := sessions[(i+1)%users]
				switch n % 3 {
				case 1: // another user's session
					_, err = e.s.Session(e.ctx, coord.SessionRef{UserID: other.UserID, LocationID: locApp, ID: s.ID})
					e.wantError(err, coord.ErrSessionNotFound(s.ID))
				case 2: // the user's session at another location
					_, err = e.s.Session(e.ctx, coord.SessionRef{UserID: s.UserID, LocationID: locOther, ID: s.ID})
					e.wantError(err, coord.ErrSessionNotFound(s.ID))
				}
			}
		})
	}
	for i, s := range sessions {
		if _, _, err := e.s.EndSession(e.ctx, s.Ref(), price); err != nil {
			e.Fatalf("EndSession(%d): %v", s.ID, err)
		}
		ended[i].Store(true)
	}
	wg.Wait()
}
