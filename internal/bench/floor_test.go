package bench

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/token"
)

// fakeFloorDB has one session, of user "u-1" at "lot".
type fakeFloorDB struct{}

func (fakeFloorDB) Session(_ context.Context, id int64, userID, locationID string) (*FloorSession, error) {
	if id != 7 || userID != "u-1" || locationID != "lot" {
		return nil, sql.ErrNoRows
	}
	return &FloorSession{ID: 7, LocationID: "lot", UserID: "u-1", Status: "active"}, nil
}

func (fakeFloorDB) Close() {}

// TestFloorMakesThePollsChecks: the floor answers only a request with the
// access key and a token minted with the key for the partner, unexpired,
// for a session of the token's user; it is a baseline only if it does the
// work a poll cannot skip.
func TestFloorMakesThePollsChecks(t *testing.T) {
	secret := []byte("floor-test-signing-key-0123456789abcdef")
	mint := func(key []byte, partner string, clock coord.Clock) string {
		tokens, err := token.New(key, time.Hour, clock)
		if err != nil {
			t.Fatal(err)
		}
		s, err := tokens.Mint(&coord.User{UserID: "u-1", PartnerID: partner})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := mint(secret, "alpha", nil)
	algNone := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + strings.Split(good, ".")[1] + "."
	h := FloorHandler(FloorConfig{Secret: secret, Audience: "alpha", AccessKey: "key-a"}, fakeFloorDB{})
	for _, tc := range []struct {
		name, target, token string
		want                int
	}{
		{"a valid poll", "/v1/users/lot/session/7?access_key=key-a", good, 200},
		{"no access key", "/v1/users/lot/session/7", good, 401},
		{"another access key", "/v1/users/lot/session/7?access_key=key-b", good, 401},
		{"no token", "/v1/users/lot/session/7?access_key=key-a", "", 401},
		{"another signing key", "/v1/users/lot/session/7?access_key=key-a", mint([]byte("another-signing-key-0123456789abcdef"), "alpha", nil), 401},
		{"alg none", "/v1/users/lot/session/7?access_key=key-a", algNone, 401},
		{"another partner's token", "/v1/users/lot/session/7?access_key=key-a", mint(secret, "beta", nil), 401},
		{"an expired token", "/v1/users/lot/session/7?access_key=key-a", mint(secret, "alpha", fixedClock(time.Now().Add(-2*time.Hour))), 401},
		{"another location", "/v1/users/other/session/7?access_key=key-a", good, 404},
		{"another session", "/v1/users/lot/session/8?access_key=key-a", good, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.target, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tc.want {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tc.want)
			}
			if tc.want == 200 {
				var s FloorSession
				if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil || s.ID != 7 {
					t.Fatalf("body %s: %v", w.Body, err)
				}
			}
		})
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }
