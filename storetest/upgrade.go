package storetest

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/coordapi/coord"
)

// CheckKeyedSessionAfterUpgrade is for upgrade tests: first is a session a
// store of the schema before fingerprints (migration 3) created for ns. The
// old key must still replay ns and refuse other requests, naming first; so
// must a key stored after the upgrade.
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
	if _, _, err := s.EndSession(ctx, first.Ref(), price); err != nil {
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
