package apitest

import (
	"context"
	"testing"

	"github.com/go-openapi/runtime"
	httptransport "github.com/go-openapi/runtime/client"

	"github.com/coordapi/coord"
)

// DemoAccessKey is the demo catalog's access key.
const DemoAccessKey = "demo-access-key"

// User is a test end user with credentials for the generated client.
type User struct {
	*coord.User
	Token string
	Auth  runtime.ClientAuthInfoWriter // access key + bearer JWT
}

// NewUser creates a user of the demo partner directly through the store and
// mints its token (tests of the session operations need a user, not the
// token endpoints). A plate is set, so the user meets the plate requirement.
func (s *Server) NewUser(t testing.TB, email string, test bool) *User {
	t.Helper()
	ctx := context.Background()
	u, err := s.Store.UpsertUser(ctx, coord.UserProfile{PartnerID: "demo", ExternalUID: email, Email: email, Name: "Test Driver", Test: test})
	if err != nil {
		t.Fatalf("upsert user: %v", err)
	}
	if err := s.Store.SetVehicle(ctx, u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc123", Country: "us", Subdivision: "ny"}}); err != nil {
		t.Fatalf("set vehicle: %v", err)
	}
	tok, err := s.Tokens.Mint(u)
	if err != nil {
		t.Fatal(err)
	}
	return &User{User: u, Token: tok, Auth: UserAuth(DemoAccessKey, tok)}
}

// Link links the user's account with a system.
func (s *Server) Link(t testing.TB, u *User, systemID string) {
	t.Helper()
	if err := s.Store.SetLinked(context.Background(), u.UserID, systemID, true); err != nil {
		t.Fatalf("link: %v", err)
	}
}

// UserAuth sends the access key and a bearer JWT.
func UserAuth(accessKey, jwt string) runtime.ClientAuthInfoWriter {
	return httptransport.Compose(httptransport.APIKeyAuth("access_key", "query", accessKey),
		httptransport.APIKeyAuth("Authorization", "header", "Bearer "+jwt))
}

// KeyAuth sends only the access key.
func KeyAuth(accessKey string) runtime.ClientAuthInfoWriter {
	return httptransport.APIKeyAuth("access_key", "query", accessKey)
}
