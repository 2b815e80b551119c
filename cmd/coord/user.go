package main

import (
	"context"

	"fmt"
	"strconv"
	"strings"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/models"
)

// userCmd shows the logged-in user and where they can transact.
type userCmd struct {
	runByApp
	app *app
}

func (c *userCmd) runAsUser(ctx context.Context, u *coordclient.UserClient) error {
	user, err := u.User(ctx)
	if err != nil {
		return err
	}
	if c.app.opts.JSON {
		return printJSON(c.app.stdout, user)
	}
	t := newTable(c.app.stdout)
	t.row("user", user.UserID.String())
	t.row("email", user.Email)
	t.row("name", user.Name)
	t.row("external uid", user.ExternalUID)
	t.row("test", strconv.FormatBool(user.GetTest()))
	t.row("vehicle", plate(user.Vehicle))
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(c.app.stdout)
	t = newTable(c.app.stdout)
	t.row("SYSTEM", "LINKED", "TRANSACTABLE", "MISSING")
	for _, s := range user.TransactableSystems {
		t.row(s.SystemID, strconv.FormatBool(s.GetLinkedAccount()), strconv.FormatBool(s.GetTransactable()), strings.Join(s.MissingRequirements, ","))
	}
	return t.flush()
}

// vehicleCmd shows the user's vehicle, and groups the vehicle commands.
type vehicleCmd struct {
	runByApp
	app *app
}

func (c *vehicleCmd) runAsUser(ctx context.Context, u *coordclient.UserClient) error {
	user, err := u.User(ctx)
	if err != nil {
		return err
	}
	return c.app.printVehicle(user.Vehicle)
}

// vehicleSetCmd sets the user's vehicle.
type vehicleSetCmd struct {
	runByApp
	Plate       string `long:"plate" required:"yes" description:"the license plate as written (\"AB C-123\"); stored normalised"`
	Country     string `long:"country" required:"yes" description:"ISO 3166-1 alpha-2 country code (us)"`
	Subdivision string `long:"subdivision" description:"ISO 3166-2 subdivision after the dash (ny)"`
	app         *app
}

func (c *vehicleSetCmd) runAsUser(ctx context.Context, u *coordclient.UserClient) error {
	v, err := u.SetVehicle(ctx, coordclient.Plate{Text: c.Plate, Country: c.Country, Subdivision: c.Subdivision})
	if err != nil {
		return err
	}
	return c.app.printVehicle(v)
}

// printVehicle prints the vehicle (nil: none set yet), or it as JSON.
func (a *app) printVehicle(v *models.Vehicle) error {
	if a.opts.JSON {
		return printJSON(a.stdout, v)
	}
	t := newTable(a.stdout)
	t.row("vehicle", plate(v))
	return t.flush()
}

// plate reads like "abc123 (us-ny)".
func plate(v *models.Vehicle) string {
	if v == nil || v.LicensePlate == nil {
		return ""
	}
	lp := v.LicensePlate
	region := lp.Country
	if lp.Subdivision != "" {
		region += "-" + lp.Subdivision
	}
	return lp.Text + " (" + region + ")"
}
