package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/client/sessions"
	testingops "github.com/coordapi/coord/client/testing"
	"github.com/coordapi/coord/client/users"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// TestOneUserPerPartnerAndExternalUID: minting again finds the same user and
// refreshes the profile; another partner, or the sandbox, is another user.
func TestOneUserPerPartnerAndExternalUID(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		userOf := func(key, jwt string) *models.User { return currentUser(t, s, apitest.UserAuth(key, jwt)) }

		first := userOf(alphaKey, mintReal(t, s, alphaKey, alphaServer, "u-42", "old@example.com", "Old Name"))
		again := userOf(alphaKey, mintReal(t, s, alphaKey, alphaServer, "u-42", "new@example.com", "New Name"))
		if again.UserID != first.UserID || again.Email != "new@example.com" || again.Name != "New Name" ||
			again.ExternalUID != "u-42" || *again.Test {
			t.Fatalf("minted again: %+v, want user %s refreshed", again, first.UserID)
		}
		if u := userOf(betaKey, mintReal(t, s, betaKey, betaServer, "u-42", "new@example.com", "")); u.UserID == first.UserID {
			t.Fatal("partners alpha and beta share a user for one external_uid")
		}

		// A sandbox user never becomes the real user with the same
		// external_uid, nor the real user whose uid looks namespaced.
		sandbox := userOf(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "t@example.com", ExternalUID: "u-42"}))
		lookalike := userOf(alphaKey, mintReal(t, s, alphaKey, alphaServer, "test:u-42", "l@example.com", ""))
		ids := map[string]bool{string(first.UserID): true, string(sandbox.UserID): true, string(lookalike.UserID): true}
		if len(ids) != 3 || !*sandbox.Test || *lookalike.Test {
			t.Fatalf("real %+v, sandbox %+v, look-alike %+v: want three users, only the sandbox one a test user", first, sandbox, lookalike)
		}
		if sandbox.ExternalUID != "u-42" || lookalike.ExternalUID != "test:u-42" {
			t.Fatalf("external_uid shown as %q and %q, want the partner's own", sandbox.ExternalUID, lookalike.ExternalUID)
		}

		// Without external_uid, the email identifies a test user.
		a := userOf(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "e@example.com"}))
		b := userOf(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "e@example.com", Name: "E"}))
		if a.UserID != b.UserID || a.ExternalUID != "e@example.com" || b.Name != "E" {
			t.Fatalf("test users by email: %+v and %+v", a, b)
		}
	})
}

// TestUsersSeeOnlyTheirOwnData: user B asking for user A's session gets 404,
// and get_user with B's token is B.
func TestUsersSeeOnlyTheirOwnData(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		alice := apitest.UserAuth(alphaKey, mintReal(t, s, alphaKey, alphaServer, "alice", "alice@example.com", "Alice"))
		bob := apitest.UserAuth(alphaKey, mintReal(t, s, alphaKey, alphaServer, "bob", "bob@example.com", "Bob"))
		setPlate(t, s, alice, "ALICE 1", "de", "")
		created, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(plateGarage), alice)
		if err != nil {
			t.Fatalf("alice starts a session: %v", err)
		}

		_, err = s.Client.Sessions.GetSession(sessions.NewGetSessionParams().WithLocationID(plateGarage).WithSessionID(created.Payload.ID), bob)
		apitest.WantFailure(t, err, http.StatusNotFound, coord.ENotFound)

		b := currentUser(t, s, bob)
		if b.ExternalUID != "bob" || b.Email != "bob@example.com" || b.Vehicle != nil || b.UserID == created.Payload.UserID {
			t.Fatalf("bob's get_user shows %+v", b)
		}
		if a := currentUser(t, s, alice); a.UserID != created.Payload.UserID || a.Vehicle.LicensePlate.Text != "alice1" {
			t.Fatalf("alice's get_user shows %+v", a)
		}
	})
}

func setPlate(t *testing.T, s *apitest.Server, auth httpAuth, text, country, subdivision string) *models.Vehicle {
	t.Helper()
	v, err := putPlate(s, auth, text, country, subdivision)
	if err != nil {
		t.Fatalf("put_vehicle %q: %v", text, err)
	}
	return v
}

func putPlate(s *apitest.Server, auth httpAuth, text, country, subdivision string) (*models.Vehicle, error) {
	body := &models.Vehicle{LicensePlate: &models.LicensePlate{Text: text, Country: country, Subdivision: subdivision}}
	ok, err := s.Client.Users.PutVehicle(users.NewPutVehicleParams().WithBody(body), auth)
	if err != nil {
		return nil, err
	}
	return ok.Payload, nil
}

func TestPutVehicleNormalisesAndValidatesThePlate(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		auth := apitest.UserAuth(alphaKey, mintReal(t, s, alphaKey, alphaServer, "driver", "d@example.com", "D"))

		if v := setPlate(t, s, auth, "ABC-123-4567", "de", ""); v.LicensePlate.Text != "abc1234567" {
			t.Fatalf("ten characters: got %s", v.LicensePlate.Text)
		}
		v := setPlate(t, s, auth, "AB C-123", "US", "NY")
		want := models.LicensePlate{Text: "abc123", Country: "us", Subdivision: "ny"}
		if got := *v.LicensePlate; got.Text != want.Text || got.Country != want.Country || got.Subdivision != want.Subdivision {
			t.Fatalf("put_vehicle returned %s %s %s, want abc123 us ny", got.Text, got.Country, got.Subdivision)
		}
		if got := currentUser(t, s, auth).Vehicle.LicensePlate; got.Text != "abc123" || got.Country != "us" || got.Subdivision != "ny" {
			t.Fatalf("get_user shows %s %s %s, want abc123 us ny", got.Text, got.Country, got.Subdivision)
		}

		for _, tc := range []struct{ name, text, country, subdivision string }{
			{"eleven characters", "ABC-123-45678", "us", ""},
			{"far too long", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "us", ""},
			{"non-ASCII", "ÄBC 123", "us", ""},
			{"empty", "", "us", ""},
			{"empty once normalised", " - ", "us", ""},
			{"punctuation", "ABC.123", "us", ""},
			{"a country that does not exist", "abc123", "xx", ""},
			{"a region that is not a country", "abc123", "eu", ""},
			{"an empty country", "abc123", "", ""},
			{"an alpha-3 country", "abc123", "usa", ""},
			{"a long subdivision", "abc123", "us", "nyc1"},
			{"a subdivision with punctuation", "abc123", "us", "n-y"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := putPlate(s, auth, tc.text, tc.country, tc.subdivision)
				apitest.WantFailure(t, err, http.StatusUnprocessableEntity, coord.EValidation)
			})
		}
		if got := currentUser(t, s, auth).Vehicle.LicensePlate; got.Text != "abc123" {
			t.Fatalf("a rejected plate replaced the vehicle: %s", got.Text)
		}
	})
}

// TestRequirementsAreReportedAndEnforced: get_user lists per system what is
// missing, and post_session refuses with the same list until it is met.
func TestRequirementsAreReportedAndEnforced(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		auth := apitest.UserAuth(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "nameless@example.com"}))
		want := func(system string, linked bool, missing ...string) {
			t.Helper()
			st := systemStatus(t, currentUser(t, s, auth), system)
			if *st.LinkedAccount != linked || *st.Transactable != (len(missing) == 0) || fmt.Sprint(st.MissingRequirements) != fmt.Sprint(missing) {
				t.Fatalf("%s: linked %v transactable %v missing %v; want linked %v missing %v",
					system, *st.LinkedAccount, *st.Transactable, st.MissingRequirements, linked, missing)
			}
		}
		post := func(location string) error {
			_, err := s.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(location), auth)
			return err
		}
		wantRefused := func(location string, missing ...string) {
			t.Helper()
			e := apitest.WantFailure(t, post(location), http.StatusUnprocessableEntity, coord.ERequirementsNotMet)
			if fmt.Sprint(e.Details) != fmt.Sprint(missing) {
				t.Fatalf("post_session at %s: details %v, want %v", location, e.Details, missing)
			}
		}

		if n := len(currentUser(t, s, auth).TransactableSystems); n != 3 {
			t.Fatalf("%d transactable_systems, want one per system (3)", n)
		}
		want(platesSystem, false, coord.RequirementPlate)
		want(gatesSystem, false, coord.RequirementName, coord.RequirementLinkedAccount)
		want(manualSystem, false, coord.RequirementLinkedAccount)
		wantRefused(plateGarage, coord.RequirementPlate)
		wantRefused(gateLotB, coord.RequirementName, coord.RequirementLinkedAccount)

		setPlate(t, s, auth, "NO NAME 1", "ca", "on")
		testLink(t, s, auth, gatesSystem, true)
		want(platesSystem, false)
		want(gatesSystem, true, coord.RequirementName) // the token has no name claim
		wantRefused(gateLotB, coord.RequirementName)
		if err := post(plateGarage); err != nil {
			t.Fatalf("post_session with every requirement met: %v", err)
		}

		// A new token with a name meets the claim requirement.
		named := apitest.UserAuth(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "nameless@example.com", Name: "Now Named"}))
		if st := systemStatus(t, currentUser(t, s, named), gatesSystem); !*st.Transactable {
			t.Fatalf("gates with a name claim: missing %v", st.MissingRequirements)
		}
	})
}

func testLink(t *testing.T, s *apitest.Server, auth httpAuth, systemID string, linked bool) {
	t.Helper()
	if err := tryTestLink(s, auth, systemID, linked); err != nil {
		t.Fatalf("test_link_user_account %s %v: %v", systemID, linked, err)
	}
}

func tryTestLink(s *apitest.Server, auth httpAuth, systemID string, linked bool) error {
	body := &models.LinkedAccount{SystemID: systemID, LinkedAccount: &linked}
	ok, err := s.Client.Testing.TestLinkUserAccount(testingops.NewTestLinkUserAccountParams().WithBody(body), auth)
	if err != nil {
		return err
	}
	if ok.Payload.SystemID != systemID || *ok.Payload.LinkedAccount != linked {
		return fmt.Errorf("answered %s %v", ok.Payload.SystemID, *ok.Payload.LinkedAccount)
	}
	return nil
}

func TestTestLinkUserAccountLinksAndUnlinks(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		auth := apitest.UserAuth(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "linker@example.com", Name: "L"}))
		for _, linked := range []bool{true, false, true} {
			testLink(t, s, auth, manualSystem, linked)
			if st := systemStatus(t, currentUser(t, s, auth), manualSystem); *st.LinkedAccount != linked || *st.Transactable != linked {
				t.Fatalf("after linking %v: %+v", linked, st)
			}
		}
		apitest.WantFailure(t, tryTestLink(s, auth, platesSystem, true), http.StatusBadRequest, coord.EInvalid)
		apitest.WantFailure(t, tryTestLink(s, auth, "no-such-system", true), http.StatusNotFound, coord.ENotFound)
	})
}
