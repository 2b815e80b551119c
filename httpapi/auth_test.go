package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-openapi/runtime"
	httptransport "github.com/go-openapi/runtime/client"

	"github.com/coordapi/coord"
	testingops "github.com/coordapi/coord/client/testing"
	"github.com/coordapi/coord/client/tokens"
	"github.com/coordapi/coord/client/users"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
	"github.com/coordapi/coord/token"
)

// TestEveryBadCredentialIsA401InTheErrorShape: each way of presenting a
// missing, unknown, forged, expired or misplaced credential is 401 with the
// Error shape (the validating client also checks the body against the spec).
func TestEveryBadCredentialIsA401InTheErrorShape(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		jwt := mintReal(t, s, alphaKey, alphaServer, "u-1", "one@example.com", "One")
		userID := string(currentUser(t, s, apitest.UserAuth(alphaKey, jwt)).UserID)

		forger, err := token.New([]byte("not-the-server-key-0123456789abcdef"), time.Hour, s.Clock)
		if err != nil {
			t.Fatal(err)
		}
		forged, err := forger.Mint(&coord.User{UserID: userID, PartnerID: "alpha", Email: "one@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		// The same claims, unsigned: the "none" algorithm must be refused.
		algNone := b64(`{"alg":"none","typ":"JWT"}`) + "." + strings.Split(jwt, ".")[1] + "."
		ghost, err := s.Tokens.Mint(&coord.User{UserID: "7d4c1a7e-0000-4000-8000-000000000001", PartnerID: "alpha", Email: "ghost@example.com"})
		if err != nil {
			t.Fatal(err)
		}

		getUser := func(auth ...httpAuth) func() error {
			return func() error {
				_, err := s.Client.Users.GetUser(users.NewGetUserParams(), httptransport.Compose(auth...))
				return err
			}
		}
		createJWT := func(auth ...httpAuth) func() error {
			return func() error {
				body := &models.JWTRequest{ExternalUID: "u-2", Email: "two@example.com"}
				_, err := s.Client.Tokens.CreateJwt(tokens.NewCreateJwtParams().WithBody(body), httptransport.Compose(auth...))
				return err
			}
		}
		linkAccount := func(key, jwt string) func() error {
			return func() error {
				p := users.NewLinkAccountParams().WithJwt(jwt).WithSystemID(gatesSystem).WithRedirectURI(alphaCallback)
				return s.Client.Users.LinkAccount(p, apitest.KeyAuth(key))
			}
		}
		key := func(k string) httpAuth { return httptransport.APIKeyAuth("access_key", "query", k) }
		bearer := func(tok string) httpAuth { return httptransport.APIKeyAuth("Authorization", "header", "Bearer "+tok) }

		tests := []struct {
			name string
			call func() error
			says string // in the message, to show which check refused it
		}{
			{"no access key", getUser(bearer(jwt)), "access_key"},
			{"an unknown access key", getUser(key("no-such-access-key"), bearer(jwt)), "access_key"},
			{"no token", getUser(key(alphaKey)), ""},
			{"a token without the Bearer scheme", getUser(key(alphaKey), httptransport.APIKeyAuth("Authorization", "header", jwt)), ""},
			{"a malformed token", getUser(key(alphaKey), bearer("not-a-jwt")), "malformed"},
			{"a token with a bad signature", getUser(key(alphaKey), bearer(forged)), "signature"},
			{"a token with alg none", getUser(key(alphaKey), bearer(algNone)), "algorithm"},
			{"partner alpha's token with partner beta's access key", getUser(key(betaKey), bearer(jwt)), "partner"},
			{"a server token where a user JWT is required", getUser(key(alphaKey), bearer(alphaServer)), ""},
			{"a token whose user does not exist", getUser(key(alphaKey), bearer(ghost)), "does not exist"},
			{"a user JWT where the server token is required", createJWT(key(alphaKey), bearer(jwt)), ""},
			{"no server token", createJWT(key(alphaKey)), ""},
			{"partner beta's server token with partner alpha's access key", createJWT(key(alphaKey), bearer(betaServer)), "partner"},
			{"an unknown access key on create_jwt", createJWT(key("no-such-access-key"), bearer(alphaServer)), ""},
			{"link_account with a malformed jwt", linkAccount(alphaKey, "not-a-jwt"), ""},
			{"link_account with a forged jwt", linkAccount(alphaKey, forged), "signature"},
			{"link_account with partner alpha's jwt and partner beta's key", linkAccount(betaKey, jwt), "partner"},
			{"link_account with a server token as jwt", linkAccount(alphaKey, alphaServer), ""},
			{"link_account with an unknown access key", linkAccount("no-such-access-key", jwt), ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e := apitest.WantFailure(t, tc.call(), http.StatusUnauthorized, coord.EUnauthorized)
				if !strings.Contains(e.Message, tc.says) {
					t.Errorf("message %q does not mention %q", e.Message, tc.says)
				}
			})
		}

		t.Run("an expired token", func(t *testing.T) {
			s.Clock.Advance(expiry(t, jwt).Sub(s.Clock.Now()) + time.Second)
			e := apitest.WantFailure(t, getUser(key(alphaKey), bearer(jwt))(), http.StatusUnauthorized, coord.EUnauthorized)
			if !strings.Contains(e.Message, "expired") {
				t.Errorf("message %q does not say the token expired", e.Message)
			}
		})
	})
}

// TestTestingOperationsAreForbiddenToRealUsers: a real user's valid token on
// a /testing operation is 403, whatever the body says; a test user's is not.
func TestTestingOperationsAreForbiddenToRealUsers(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		real := apitest.UserAuth(alphaKey, mintReal(t, s, alphaKey, alphaServer, "real-1", "real@example.com", "Real"))
		sandbox := apitest.UserAuth(alphaKey, mintTest(t, s, alphaKey, models.TestJWTRequest{Email: "sandbox@example.com", Name: "Sandbox"}))

		link := func(auth httpAuth) error {
			body := &models.LinkedAccount{SystemID: gatesSystem, LinkedAccount: ptr(true)}
			_, err := s.Client.Testing.TestLinkUserAccount(testingops.NewTestLinkUserAccountParams().WithBody(body), auth)
			return err
		}
		redeem := func(auth httpAuth) error {
			p := testingops.NewSimulateRedemptionParams().WithLocationID(gateLotB).WithSessionID(1).
				WithBody(&models.SimulateRedemption{DurationMinutes: ptr(int32(30))})
			_, err := s.Client.Testing.SimulateRedemption(p, auth)
			return err
		}
		apitest.WantFailure(t, link(real), http.StatusForbidden, coord.EForbidden)
		apitest.WantFailure(t, redeem(real), http.StatusForbidden, coord.EForbidden)
		if st := systemStatus(t, currentUser(t, s, real), gatesSystem); *st.LinkedAccount {
			t.Fatal("a real user's account was linked by a testing operation")
		}

		if err := link(sandbox); err != nil {
			t.Fatalf("test user: %v", err)
		}
		apitest.WantFailure(t, redeem(sandbox), http.StatusNotFound, coord.ENotFound) // allowed; there is no session 1
	})
}

type httpAuth = runtime.ClientAuthInfoWriter

// expiry reads a JWT's exp claim (the test server's lifetime is its own choice).
func expiry(t *testing.T, jwt string) time.Time {
	t.Helper()
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Exp int64 }
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Exp == 0 {
		t.Fatalf("no exp in %s (%v)", payload, err)
	}
	return time.Unix(claims.Exp, 0)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
