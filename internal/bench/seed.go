package bench

import (
	"time"

	"github.com/coordapi/coord"
	"github.com/google/uuid"
)

// SeedUser is a user to write straight into the database: a test user of
// the partner with a plate (so that it meets the demo systems' requirements),
// Past ended sessions and, when Active, one active session.
type SeedUser struct {
	ID     string
	Past   int
	Active bool
}

// NewSeedUsers returns n users with fresh ids and the given history.
func NewSeedUsers(n, past int, active bool) []SeedUser {
	users := make([]SeedUser, n)
	for i := range users {
		users[i] = SeedUser{ID: uuid.NewString(), Past: past, Active: active}
	}
	return users
}

// Plate is the vehicle every seeded user has.
var Plate = coord.LicensePlate{Text: "bench1", Country: "us", Subdivision: "ny"}

// seedSession is one session row to insert, in the order of insertion (so
// that ids grow with time, as in real use).
type seedSession struct {
	userID     string
	start, end time.Time // end zero: active
	cost       coord.Money
}

// seedSessions lays out the users' sessions: past ones round-robin across
// users (histories interleave, as real ones do), each 45 minutes long and
// billed with price; then the active ones, started five minutes ago.
func seedSessions(users []SeedUser, price coord.Price, now time.Time, emit func(seedSession) error) error {
	longest := 0
	for _, u := range users {
		longest = max(longest, u.Past)
	}
	first := now.Add(-time.Duration(longest+1) * time.Hour)
	for round := range longest {
		start := first.Add(time.Duration(round) * time.Hour)
		end := start.Add(45 * time.Minute)
		for _, u := range users {
			if round < u.Past {
				if err := emit(seedSession{u.ID, start, end, price.Cost(end.Sub(start))}); err != nil {
					return err
				}
			}
		}
	}
	for _, u := range users {
		if u.Active {
			if err := emit(seedSession{userID: u.ID, start: now.Add(-5 * time.Minute)}); err != nil {
				return err
			}
		}
	}
	return nil
}
