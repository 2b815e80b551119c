package storetest

import (
	"sync"

	"github.com/coordapi/coord"
)

func testUpsertUser(e *env) {
	p := coord.UserProfile{PartnerID: "partner-a", ExternalUID: uniq("uid"), Email: "a@example.com", Name: "A", Test: true}
	u, err := e.s.UpsertUser(e.ctx, p)
	if err != nil {
		e.Fatal(err)
	}
	if u.UserID == "" || u.PartnerID != p.PartnerID || u.ExternalUID != p.ExternalUID ||
		u.Email != p.Email || u.Name != p.Name || !u.Test || u.Vehicle != nil || len(u.Linked) != 0 {
		e.Fatalf("UpsertUser(%+v) = %+v", p, u)
	}
	e.wantUser(u)

	p.Email, p.Name = "b@example.com", "B"
	again, err := e.s.UpsertUser(e.ctx, p)
	if err != nil {
		e.Fatal(err)
	}
	if again.UserID != u.UserID || again.Email != p.Email || again.Name != p.Name {
		e.Errorf("upsert again = %+v, want id %s refreshed to %s %s", again, u.UserID, p.Email, p.Name)
	}
	e.wantUser(again)

	for _, other := range []coord.UserProfile{
		{PartnerID: "partner-b", ExternalUID: p.ExternalUID, Email: p.Email},
		{PartnerID: p.PartnerID, ExternalUID: uniq("uid"), Email: p.Email},
	} {
		o, err := e.s.UpsertUser(e.ctx, other)
		if err != nil {
			e.Fatal(err)
		}
		if o.UserID == u.UserID {
			e.Errorf("UpsertUser(%+v) returned the user of %+v", other, p)
		}
	}

	_, err = e.s.User(e.ctx, noUser)
	e.wantError(err, coord.ErrUserNotFound(noUser))
}

func testUpsertUserConcurrent(e *env) {
	p := coord.UserProfile{PartnerID: "partner-a", ExternalUID: uniq("uid"), Email: "a@example.com"}
	const n = 20
	var wg sync.WaitGroup
	users := make([]*coord.User, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { users[i], errs[i] = e.s.UpsertUser(e.ctx, p) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			e.Fatalf("call %d: %v", i, errs[i])
		}
		if users[i].UserID != users[0].UserID {
			e.Errorf("ids %s and %s for one profile", users[i].UserID, users[0].UserID)
		}
	}
}

func testVehicle(e *env) {
	u := e.user()
	for _, plate := range []coord.LicensePlate{
		{Text: "abc123", Country: "us", Subdivision: "ny"},
		{Text: "xyz9", Country: "de"},
	} {
		if err := e.s.SetVehicle(e.ctx, u.UserID, coord.Vehicle{Plate: plate}); err != nil {
			e.Fatal(err)
		}
		u.Vehicle = &coord.Vehicle{Plate: plate}
		e.wantUser(u)
	}
	err := e.s.SetVehicle(e.ctx, noUser, coord.Vehicle{Plate: coord.LicensePlate{Text: "a", Country: "us"}})
	e.wantError(err, coord.ErrUserNotFound(noUser))
}

func testLinked(e *env) {
	u := e.user()
	steps := []struct {
		system string
		linked bool
	}{{"sys-a", true}, {"sys-b", true}, {"sys-a", false}, {"sys-a", true}, {"sys-b", false}}
	for _, st := range steps {
		if err := e.s.SetLinked(e.ctx, u.UserID, st.system, st.linked); err != nil {
			e.Fatal(err)
		}
		got, err := e.s.User(e.ctx, u.UserID)
		if err != nil {
			e.Fatal(err)
		}
		if got.Linked[st.system] != st.linked {
			e.Errorf("after SetLinked(%s, %t): Linked = %v", st.system, st.linked, got.Linked)
		}
	}
	got, _ := e.s.User(e.ctx, u.UserID)
	if !got.Linked["sys-a"] || got.Linked["sys-b"] {
		e.Errorf("Linked = %v, want sys-a only", got.Linked)
	}
	err := e.s.SetLinked(e.ctx, noUser, "sys-a", true)
	e.wantError(err, coord.ErrUserNotFound(noUser))
}

// wantUser fails unless the stored user equals want.
func (e *env) wantUser(want *coord.User) {
	e.Helper()
	got, err := e.s.User(e.ctx, want.UserID)
	if err != nil {
		e.Fatalf("User(%s): %v", want.UserID, err)
	}
	if got.UserID != want.UserID || got.PartnerID != want.PartnerID || got.ExternalUID != want.ExternalUID ||
		got.Email != want.Email || got.Name != want.Name || got.Test != want.Test {
		e.Errorf("User = %+v, want %+v", got, want)
	}
	if (got.Vehicle == nil) != (want.Vehicle == nil) || got.Vehicle != nil && *got.Vehicle != *want.Vehicle {
		e.Errorf("Vehicle = %+v, want %+v", got.Vehicle, want.Vehicle)
	}
}
