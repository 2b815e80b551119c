package postgres

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coordapi/coord"
)

var recentPrice = coord.Price{Rate: coord.Money{Amount: 100, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}

// recentSession creates an active session of a new user of db and reads it.
func recentSession(t *testing.T, db *DB, uid string) *coord.Session {
	t.Helper()
	u, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: uid})
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := db.CreateSession(t.Context(), coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(t.Context(), s.Ref()); err != nil {
		t.Fatal(err)
	}
	return s
}

// An end right after a read of the session bills it without reading it
// again: with every read failing, it still ends.
func TestAnEndAfterAReadReadsNothing(t *testing.T) {
	db := openInternal(t, "")
	s := recentSession(t, db, "a")
	closed, err := pgxpool.New(t.Context(), db.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	db.reads = &sessionReads{pool: closed}
	got, ended, err := db.EndSession(t.Context(), s.Ref(), recentPrice)
	if err != nil || !ended || got.Status != coord.StatusEnded || got.Cost == nil || got.Version != s.Version+1 {
		t.Fatalf("end after a read: %+v, ended %v, %v; want it ended and billed", got, ended, err)
	}
}

// What a replica read last decides nothing: a session ended by another
// replica since is read again and returned as that one billed it, and a
// reference of another user is not found though the session was read.
func TestAnEndOfASessionChangedElsewhereReadsItAgain(t *testing.T) {
	dsn := internalSchema(t)
	var replicas [2]*DB
	for i := range replicas {
		var err error
		if replicas[i], err = Open(t.Context(), dsn, coord.StoreConfig{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = replicas[i].Close() })
	}
	a, b := replicas[0], replicas[1]

	s := recentSession(t, a, "a")
	first, ended, err := b.EndSession(t.Context(), s.Ref(), recentPrice)
	if err != nil || !ended {
		t.Fatalf("end on the other replica: ended %v, %v", ended, err)
	}
	got, ended, err := a.EndSession(t.Context(), s.Ref(), recentPrice)
	if err != nil || ended || !got.EndTime.Equal(*first.EndTime) || *got.Cost != *first.Cost || got.Version != first.Version {
		t.Fatalf("end of a session ended elsewhere: %+v, ended %v, %v; want %+v unchanged", got, ended, err, first)
	}

	other := recentSession(t, a, "b")
	foreign := coord.SessionRef{UserID: s.UserID, LocationID: "l", ID: other.ID}
	if _, _, err := a.EndSession(t.Context(), foreign, recentPrice); coord.ErrorCode(err) != coord.ENotFound {
		t.Fatalf("end of another user's session, read by its user: %v, want %s", err, coord.ENotFound)
	}
	if _, ended, err := a.EndSession(t.Context(), other.Ref(), recentPrice); err != nil || !ended {
		t.Fatalf("end by its user: ended %v, %v", ended, err)
	}
}
