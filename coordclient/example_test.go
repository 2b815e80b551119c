package coordclient_test

import (
	"context"
	"fmt"
	"log"

	"github.com/coordapi/coord/coordclient"
)

// A test user parks at a license-plate garage: set the vehicle, start a
// session, poll it, end it and read the bill (free: within the grace period).
func Example() {
	ctx := context.Background()
	c, err := coordclient.New(serverURL, "demo-access-key") // e.g. "http://localhost:8080"
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.CreateTestUser(ctx, coordclient.Identity{Email: "driver@example.com", Name: "Dee Driver"})
	if err != nil {
		log.Fatal(err)
	}
	v, err := u.SetVehicle(ctx, coordclient.Plate{Text: "AB C-123", Country: "us", Subdivision: "ny"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("plate:", v.LicensePlate.Text)

	s, err := u.StartSession(ctx, "downtown-garage", &coordclient.StartOptions{ResourceID: "B-12"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("started:", s.Status, "at", s.ResourceID)

	s, err = u.Session(ctx, "downtown-garage", s.ID) // poll for live state
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("polled:", s.Status)

	s, err = u.EndSession(ctx, "downtown-garage", s.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ended:", s.Status, "cost", coordclient.FormatMoney(s.BillingInfo.Cost))
	// Output:
	// plate: abc123
	// started: active at B-12
	// polled: active
	// ended: ended cost USD 0.00
}

// The gate flow: link the (test) account, get a barcode, and play both
// gates with SimulateRedemption; with 0 minutes the exit is immediate.
func ExampleUserClient_SimulateRedemption() {
	ctx := context.Background()
	c, err := coordclient.New(serverURL, "demo-access-key")
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.CreateTestUser(ctx, coordclient.Identity{Email: "gate@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := u.TestLinkAccount(ctx, "gatepark", true); err != nil {
		log.Fatal(err)
	}
	s, err := u.StartSession(ctx, "riverside-lot", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", s.Status, "barcode format", s.RedemptionInfo.Barcode.Format)

	s, err = u.SimulateRedemption(ctx, "riverside-lot", s.ID, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("after the gates:", s.Status, "cost", coordclient.FormatMoney(s.BillingInfo.Cost))
	// Output:
	// created: pending barcode format aztec
	// after the gates: ended cost USD 0.00
}

// Errors carry the API's stable code: branch on it with IsCode, or read
// the status, message and details with errors.As.
func ExampleIsCode() {
	ctx := context.Background()
	c, err := coordclient.New(serverURL, "demo-access-key")
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.CreateTestUser(ctx, coordclient.Identity{Email: "twice@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = u.StartSession(ctx, "downtown-garage", nil)
	fmt.Println("without a plate:", coordclient.IsCode(err, "requirements_not_met"))

	if _, err := u.SetVehicle(ctx, coordclient.Plate{Text: "XYZ789", Country: "us"}); err != nil {
		log.Fatal(err)
	}
	if _, err := u.StartSession(ctx, "downtown-garage", nil); err != nil {
		log.Fatal(err)
	}
	_, err = u.StartSession(ctx, "downtown-garage", nil)
	fmt.Println("a second one:", coordclient.IsCode(err, "active_session_exists"))
	// Output:
	// without a plate: true
	// a second one: true
}
