package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord/catalog"
	testingops "github.com/coordapi/coord/client/testing"
	"github.com/coordapi/coord/client/tokens"
	"github.com/coordapi/coord/client/users"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// The user tests' catalog: two partners, so that tenancy can be tested, and
// systems with each kind of requirement.
const (
	alphaKey, alphaServer = "alpha-access-key", "alpha-server-token"
	betaKey, betaServer   = "beta-access-key", "beta-server-token"
	alphaCallback         = "https://app.alpha.example/callback"

	platesSystem = "plates"        // email claim and a plate; no linking
	gatesSystem  = "gates"         // name claim and a linked account; has a link URL
	manualSystem = "manual"        // a linked account, but no link URL
	plateGarage  = "plate-garage"  // plates, license_plate
	gateLotB     = "gate-lot-east" // gates, barcode
	gatesLinkURL = "https://gates.example/link?lang=en"
)

const userCatalog = `
partners:
  - id: alpha
    name: Alpha Parking App
    access_keys: [alpha-access-key]
    server_tokens: [alpha-server-token]
    redirect_uri_prefixes: [%q%s]
    webhooks:
      - {id: alpha-hook, url: "http://127.0.0.1:9/alpha", secrets: [whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=]}
  - id: beta
    name: Beta Mobility
    access_keys: [beta-access-key]
    server_tokens: [beta-server-token]
    redirect_uri_prefixes: ["https://beta.example/"]
    webhooks:
      - {id: beta-hook, url: "http://127.0.0.1:9/beta", secrets: [whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=]}
systems:
  - id: plates
    name: Plate Garages
    requirements: {jwt_claims: [email], users_api_fields: [vehicle.license_plate.text]}
    locations:
      - {id: plate-garage, name: Plate Garage, time_zone: Europe/Berlin, online_access_type: license_plate,
         price: {rate: {amount: 200, currency: EUR}}}
  - id: gates
    name: Gate Lots
    requirements: {jwt_claims: [name], linked_account: true}
    link_url: "https://gates.example/link?lang=en"
    locations:
      - {id: gate-lot-east, name: Gate Lot East, time_zone: America/Denver, online_access_type: barcode,
         price: {rate: {amount: 300, currency: USD}, increment_m: 30}}
  - id: manual
    name: Manual Link Co
    requirements: {linked_account: true}
`

// newUserServer starts the API with the two-partner catalog; extra redirect
// prefixes are allowed for partner alpha.
func newUserServer(t *testing.T, backend string, extraPrefixes ...string) *apitest.Server {
	t.Helper()
	extra := ""
	for _, p := range extraPrefixes {
		extra += fmt.Sprintf(", %q", p)
	}
	cat, err := catalog.Parse([]byte(fmt.Sprintf(userCatalog, alphaCallback, extra)))
	if err != nil {
		t.Fatalf("test catalog: %v", err)
	}
	return apitest.New(t, backend, apitest.Options{Catalog: cat})
}

// mintTest mints a test user's token through create_test_jwt.
func mintTest(t *testing.T, s *apitest.Server, accessKey string, req models.TestJWTRequest) string {
	t.Helper()
	ok, err := s.Client.Testing.CreateTestJwt(testingops.NewCreateTestJwtParams().WithBody(&req), apitest.KeyAuth(accessKey))
	if err != nil {
		t.Fatalf("create_test_jwt: %v", err)
	}
	return ok.Payload.JwtToken
}

// mintReal mints a real user's token through create_jwt.
func mintReal(t *testing.T, s *apitest.Server, accessKey, serverToken, uid, email, name string) string {
	t.Helper()
	body := &models.JWTRequest{ExternalUID: uid, Email: email, Name: name}
	ok, err := s.Client.Tokens.CreateJwt(tokens.NewCreateJwtParams().WithBody(body), apitest.UserAuth(accessKey, serverToken))
	if err != nil {
		t.Fatalf("create_jwt: %v", err)
	}
	return ok.Payload.JwtToken
}

// currentUser is get_user, which must succeed.
func currentUser(t *testing.T, s *apitest.Server, auth runtime.ClientAuthInfoWriter) *models.User {
	t.Helper()
	ok, err := s.Client.Users.GetUser(users.NewGetUserParams(), auth)
	if err != nil {
		t.Fatalf("get_user: %v", err)
	}
	return ok.Payload
}

// systemStatus finds one system's entry in get_user's transactable_systems.
func systemStatus(t *testing.T, u *models.User, systemID string) *models.TransactableSystem {
	t.Helper()
	for _, st := range u.TransactableSystems {
		if st.SystemID == systemID {
			return st
		}
	}
	t.Fatalf("no %s in transactable_systems", systemID)
	return nil
}

func ptr[T any](v T) *T { return &v }
