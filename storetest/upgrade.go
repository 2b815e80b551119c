package storetest

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/coordapi/coord"
)

// KeyedSession creates a user and a session with an idempotency key in s,
// for an upgrade test: the caller rolls the database back to a schema
// without idempotency fingerprints, reopens it (migrating it up again) and
// hands the result to CheckKeyedSessionAfterUpgrade.
func KeyedSession(t testing.TB, s coord.Store) (coord.NewSession, *coord.Session) {
	t.Helper()
	ctx := context.Background()
	u, err := s.UpsertUser(ctx, coord.UserProfile{PartnerID: "partner-a", ExternalUID: uniq("upgrade"), Test: true})
	if err != nil {
		t.Fatal(err)
	}
	ns := coord.NewSession{UserID: u.UserID, LocationID: locApp, ResourceID: "stall 7", Currency: currency, IdempotencyKey: "before-upgrade"}
	first, _, err := s.CreateSession(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	return ns, first
}

// CheckKeyedSessionAfterUpgrade checks that a key stored before
// fingerprints existed still replays its own request and refuses others,
// naming its session, and that a key stored after the upgrade does the same.
func CheckKeyedSessionAfterUpgrade(t testing.TB, s coord.Store, ns coord.NewSession, first *coord.Session) {
	t.Helper()
	ctx := context.Background()
	check := func(ns coord.NewSession, first *coord.Session) {
		t.Helper()
		got, created, err := s.CreateSession(ctx, ns)
		if err != nil || created || got.ID != first.ID {
			t.Fatalf("the same request with key %q: session %+v, created %v, %v; want session %d again", ns.IdempotencyKey, got, created, err, first.ID)
		}
		for _, other := range []coord.NewSession{withResource(ns, "stall 8"), withResource(ns, ""), withLocation(ns, locOther)} {
			_, _, err := s.CreateSession(ctx, other)
			var ce *coord.Error
			if !errors.As(err, &ce) || ce.Code != coord.EIdempotencyKeyReused || len(ce.Details) != 1 || ce.Details[0] != strconv.FormatInt(first.ID, 10) {
				t.Errorf("key %q with location %s, resource %q: %v, want %s naming %d", ns.IdempotencyKey, other.LocationID, other.ResourceID, err, coord.EIdempotencyKeyReused, first.ID)
			}
		}
	}
	check(ns, first)
	if _, _, err := s.EndSession(ctx, first.UserID, first.LocationID, first.ID, price); err != nil {
		t.Fatal(err)
	}
	after := withResource(ns, "stall 9")
	after.IdempotencyKey = "after-upgrade"
	second, created, err := s.CreateSession(ctx, after)
	if err != nil || !created {
		t.Fatalf("a new key after the upgrade: %v, created %v", err, created)
	}
	check(after, second)
}

func withResource(ns coord.NewSession, r string) coord.NewSession { ns.ResourceID = r; return ns }
func withLocation(ns coord.NewSession, l string) coord.NewSession { ns.LocationID = l; return ns }
