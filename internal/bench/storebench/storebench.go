// Package storebench holds the store micro-benchmarks that the sqlite and
// postgres packages both run, so that the two backends are measured alike.
package storebench

import (
	"context"
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
)

// location is the demo catalog's app-controlled location, as the server uses it.
func location(b *testing.B) *coord.Location {
	b.Helper()
	loc, ok := catalog.Demo().Location("downtown-garage")
	if !ok {
		b.Fatal("no downtown-garage in the demo catalog")
	}
	return loc
}

// newUser makes a user with a plate.
func newUser(b *testing.B, store coord.Store, uid string) *coord.User {
	b.Helper()
	ctx := context.Background()
	u, err := store.UpsertUser(ctx, coord.UserProfile{PartnerID: "demo", ExternalUID: uid, Email: uid + "@bench.example", Test: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := store.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "bench1", Country: "us"}}); err != nil {
		b.Fatal(err)
	}
	return u
}

func newSession(loc *coord.Location, u *coord.User) coord.NewSession {
	return coord.NewSession{UserID: u.UserID, LocationID: loc.ID, Currency: loc.Price.Rate.Currency}
}

// Get measures Session: reading one active session, what every poll does.
func Get(b *testing.B, store coord.Store) {
	ctx := context.Background()
	loc := location(b)
	u := newUser(b, store, "get")
	s, _, err := store.CreateSession(ctx, newSession(loc, u))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := store.Session(ctx, coord.SessionRef{UserID: u.UserID, LocationID: loc.ID, ID: s.ID}); err != nil {
			b.Fatal(err)
		}
	}
}

// GetParallel is Get from many goroutines at once, as a loaded server reads.
func GetParallel(b *testing.B, store coord.Store) {
	ctx := context.Background()
	loc := location(b)
	u := newUser(b, store, "get-parallel")
	s, _, err := store.CreateSession(ctx, newSession(loc, u))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := store.Session(ctx, coord.SessionRef{UserID: u.UserID, LocationID: loc.ID, ID: s.ID}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// Create measures CreateSession: starting a session (a durable write). The
// session is ended outside the timer so the next one can start.
func Create(b *testing.B, store coord.Store) {
	ctx := context.Background()
	loc := location(b)
	u := newUser(b, store, "create")
	b.ReportAllocs()
	for b.Loop() {
		s, _, err := store.CreateSession(ctx, newSession(loc, u))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, _, err := store.EndSession(ctx, coord.SessionRef{UserID: u.UserID, LocationID: loc.ID, ID: s.ID}, *loc.Price); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// List measures Sessions: a full page (50) of a user's 60 ended sessions,
// what get_user_sessions reads; its allocations per page are mostly per row.
func List(b *testing.B, store coord.Store) {
	ctx := context.Background()
	loc := location(b)
	u := newUser(b, store, "list")
	for range 60 {
		s, _, err := store.CreateSession(ctx, newSession(loc, u))
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := store.EndSession(ctx, coord.SessionRef{UserID: u.UserID, LocationID: loc.ID, ID: s.ID}, *loc.Price); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		page, err := store.Sessions(ctx, coord.SessionFilter{UserID: u.UserID, Limit: 50})
		if err != nil || len(page) != 50 {
			b.Fatal(len(page), err)
		}
	}
}
