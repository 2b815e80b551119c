package coordclient_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/models"
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
	fmt.Println("started:", s.Status, "at", s.ResourceID, "cost", coordclient.FormatMoney(s.GetBillingInfo().GetCost()))

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
	// started: active at B-12 cost -
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

// Errors carry the API's stable code: branch on it with IsCode and the
// models.ErrorCode constants, or read the status, message, details and
// request id with errors.As.
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
	fmt.Println("without a plate:", coordclient.IsCode(err, models.ErrorCodeRequirementsNotMet))
	missing, _ := coordclient.MissingRequirements(err)
	fmt.Println("missing:", missing)

	var e *coordclient.Error
	if errors.As(err, &e) {
		fmt.Println("status:", e.Status, "with a request id:", e.RequestID != "")
	}
	// Output:
	// without a plate: true
	// missing: [vehicle.license_plate.text]
	// status: 422 with a request id: true
}

// A user has one open session at a time. When StartSession says another is
// open, OpenSessionID says which, to show it or end it first.
func ExampleOpenSessionID() {
	ctx := context.Background()
	c, err := coordclient.New(serverURL, "demo-access-key")
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.CreateTestUser(ctx, coordclient.Identity{Email: "conflict@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := u.SetVehicle(ctx, coordclient.Plate{Text: "XYZ789", Country: "us"}); err != nil {
		log.Fatal(err)
	}
	first, err := u.StartSession(ctx, "downtown-garage", nil)
	if err != nil {
		log.Fatal(err)
	}

	_, err = u.StartSession(ctx, "downtown-garage", nil)
	if id, ok := coordclient.OpenSessionID(err); ok {
		fmt.Println("already open:", id == first.ID)
		ended, err := u.EndSession(ctx, "downtown-garage", id)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("ended it:", ended.Status)
	}
	second, err := u.StartSession(ctx, "downtown-garage", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("then started:", second.Status)
	// Output:
	// already open: true
	// ended it: ended
	// then started: active
}

// Sessions pages for you: a range loop reads every session, newest first,
// asking the server for the next page when it needs one.
func ExampleUserClient_Sessions() {
	ctx := context.Background()
	c, err := coordclient.New(serverURL, "demo-access-key")
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.CreateTestUser(ctx, coordclient.Identity{Email: "history@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := u.SetVehicle(ctx, coordclient.Plate{Text: "HIS123", Country: "us"}); err != nil {
		log.Fatal(err)
	}
	for range 3 {
		s, err := u.StartSession(ctx, "downtown-garage", nil)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := u.EndSession(ctx, "downtown-garage", s.ID); err != nil {
			log.Fatal(err)
		}
	}

	n := 0
	for s, err := range u.Sessions(ctx, &coordclient.ListOptions{Limit: 2}) { // pages of 2, to show the paging
		if err != nil {
			log.Fatal(err)
		}
		n++
		fmt.Println(n, s.Status, coordclient.FormatMoney(s.GetBillingInfo().GetCost()))
	}
	// Output:
	// 1 ended USD 0.00
	// 2 ended USD 0.00
	// 3 ended USD 0.00
}

// A quote needs only the access key: show the price before the user signs in.
func ExampleClient_Quote() {
	c, err := coordclient.New(serverURL, "demo-access-key")
	if err != nil {
		log.Fatal(err)
	}
	q, err := c.Quote(context.Background(), "downtown-garage", 90)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(q.DurationMinutes, "minutes:", coordclient.FormatMoney(q.Cost))
	_, err = c.Quote(context.Background(), "harbor-street", 90)
	fmt.Println("harbor-street:", coordclient.IsCode(err, models.ErrorCodeLocationNotTransactable))
	// Output:
	// 90 minutes: USD 6.00
	// harbor-street: true
}
