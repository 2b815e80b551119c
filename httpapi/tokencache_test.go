package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/client/users"
	"github.com/coordapi/coord/internal/apitest"
)

// TestACachedTokenIsNeverServedPastItsExpiryOrForAnotherPartner: the token
// service caches verified tokens; a token that verified (and so is cached)
// is still refused with another partner's access key, and refused from the
// second it expires, though it was accepted a second before.
func TestACachedTokenIsNeverServedPastItsExpiryOrForAnotherPartner(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newUserServer(t, backend)
		jwt := mintReal(t, s, alphaKey, alphaServer, "u-cache", "cache@example.com", "Cache")
		getUser := func(key string) error {
			_, err := s.Client.Users.GetUser(users.NewGetUserParams(), apitest.UserAuth(key, jwt))
			return err
		}
		for range 2 {
			if err := getUser(alphaKey); err != nil {
				t.Fatalf("the fresh token: %v", err)
			}
		}
		e := apitest.WantFailure(t, getUser(betaKey), http.StatusUnauthorized, coord.EUnauthorized)
		if !strings.Contains(e.Message, "partner") {
			t.Errorf("another partner's key: message %q does not mention the partner", e.Message)
		}

		s.Clock.Advance(expiry(t, jwt).Sub(s.Clock.Now()) - time.Second)
		if err := getUser(alphaKey); err != nil {
			t.Fatalf("a second before its expiry: %v", err)
		}
		s.Clock.Advance(time.Second)
		e = apitest.WantFailure(t, getUser(alphaKey), http.StatusUnauthorized, coord.EUnauthorized)
		if !strings.Contains(e.Message, "expired") {
			t.Errorf("at its expiry: message %q does not say the token expired", e.Message)
		}
	})
}
