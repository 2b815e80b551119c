package coordtest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/coordtest"
	"github.com/coordapi/coord/models"
)

// What an integrator's test looks like: the real API, a test user, a
// session and its bill, and the error an app must handle.
func TestAnIntegratorsCheckoutFlow(t *testing.T) {
	ctx := context.Background()
	srv := coordtest.NewServer(t)
	if srv.AccessKey != "demo-access-key" {
		t.Fatalf("access key %q", srv.AccessKey)
	}
	u, err := srv.Client.CreateTestUser(ctx, coordclient.Identity{Email: "driver@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.StartSession(ctx, "downtown-garage", nil); !coordclient.IsCode(err, models.ErrorCodeRequirementsNotMet) {
		t.Fatalf("without a plate: %v", err)
	}
	if _, err := u.SetVehicle(ctx, coordclient.Plate{Text: "AB C-123", Country: "us"}); err != nil {
		t.Fatal(err)
	}
	s, err := u.StartSession(ctx, "downtown-garage", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = u.EndSession(ctx, "downtown-garage", s.ID); err != nil || s.Status != models.SessionStatusEnded {
		t.Fatalf("end: %v, %+v", err, s)
	}
}

func TestACatalogOfYourOwn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.yaml")
	yaml := `partners:
  - id: acme
    name: Acme
    access_keys: [acme-key]
    server_tokens: [acme-server-token]
    redirect_uri_prefixes: [https://acme.example/]
systems:
  - id: lots
    name: Lots
    requirements: {jwt_claims: [email]}
    locations:
      - id: pier-9
        name: Pier 9
        time_zone: UTC
        online_access_type: license_plate
        price:
          rate: {amount: 250, currency: EUR}
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := coordtest.NewServer(t, coordtest.WithCatalog(cat))
	if srv.AccessKey != "acme-key" {
		t.Fatalf("access key %q", srv.AccessKey)
	}
	q, err := srv.Client.Quote(context.Background(), "pier-9", 120)
	if err != nil || coordclient.FormatMoney(q.Cost) != "EUR 5.00" {
		t.Fatalf("quote %+v, %v", q, err)
	}
}

func TestDataOutlivesARestart(t *testing.T) {
	ctx := context.Background()
	srv := coordtest.NewServer(t, coordtest.WithClientOptions(coordclient.WithoutRetries()))
	u, err := srv.Client.CreateTestUser(ctx, coordclient.Identity{Email: "restart@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.SetVehicle(ctx, coordclient.Plate{Text: "R1", Country: "us"}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if _, err := u.User(ctx); err == nil {
		t.Fatal("a stopped server answered")
	}
	srv.Start()
	got, err := u.User(ctx)
	if err != nil || got.Vehicle.LicensePlate.Text != "r1" {
		t.Fatalf("after the restart: %+v, %v", got, err)
	}
}
