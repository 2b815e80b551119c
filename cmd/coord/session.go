package main

import (
	"context"

	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/models"
)

// sessionCmd groups the commands on one session.
type sessionCmd struct{}

// sessionRef names a session on the command line: LOCATION ID.
type sessionRef struct {
	Location string    `positional-arg-name:"LOCATION" required:"yes"`
	ID       sessionID `positional-arg-name:"ID" required:"yes"`
}

// sessionID is a session id argument: a positive number, else a usage error.
type sessionID int64

func (id *sessionID) UnmarshalFlag(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return usageError(fmt.Sprintf("ID must be a session id (a positive number, as coord session start prints it), not %q", s))
	}
	*id = sessionID(n)
	return nil
}

// sessionStartCmd starts a session at a location.
type sessionStartCmd struct {
	runByApp
	Resource       string `long:"resource" description:"a stall or space number"`
	IdempotencyKey string `long:"idempotency-key" description:"a retry with the same key returns the same session"`
	Args           struct {
		Location string `positional-arg-name:"LOCATION" required:"yes"`
	} `positional-args:"yes" required:"yes"`
	app *app
}

func (c *sessionStartCmd) runAsUser(ctx context.Context, u *coordclient.UserClient) error {
	s, err := u.StartSession(ctx, c.Args.Location, &coordclient.StartOptions{ResourceID: c.Resource, IdempotencyKey: c.IdempotencyKey})
	if err != nil {
		return err
	}
	return c.app.printSession(s)
}

// sessionGetCmd shows a session, or watches it until it is over.
type sessionGetCmd struct {
	runByApp
	Watch    bool          `long:"watch" description:"print each change of state as it happens (long-poll) until the session is over (or Ctrl-C)"`
	Interval time.Duration `long:"interval" default:"2s" description:"how often --watch polls a server that does not support long-poll"`
	Args     sessionRef    `positional-args:"yes" required:"yes"`
	app      *app
}

func (c *sessionGetCmd) check() error {
	if c.Watch && c.Interval <= 0 {
		return usageError("--interval must be positive")
	}
	return nil
}

func (c *sessionGetCmd) runAsUser(ctx context.Context, u *coordclient.UserClient) error {
	if !c.Watch {
		s, err := u.Session(ctx, c.Args.Location, int64(c.Args.ID))
		if err != nil {
			return err
		}
		return c.app.printSession(s)
	}
	var printErr error
	_, err := u.Watch(ctx, c.Args.Location, int64(c.Args.ID), c.Interval, func(s *models.Session) {
		if printErr == nil {
			printErr = c.app.printChange(s)
		}
	})
	if errors.Is(err, ctx.Err()) && ctx.Err() != nil {
		return nil // Ctrl-C: the user stopped watching
	}
	if err != nil {
		return err
	}
	return printErr
}

// sessionEndCmd ends and bills an app-controlled session.
type sessionEndCmd struct {
	runByApp
	Args sessionRef `positional-args:"yes" required:"yes"`
	app  *app
}

func (c *sessionEndCmd) runAsUser(ctx context.Context, u *coordclient.UserClient) error {
	s, err := u.EndSession(ctx, c.Args.Location, int64(c.Args.ID))
	if err != nil {
		return err
	}
	return c.app.printSession(s)
}

// sessionRedeemCmd plays a test user's entry and exit gates.
type sessionRedeemCmd struct {
	runByApp
	Minutes int        `long:"minutes" required:"yes" description:"minutes between the entry and the exit gate (0: exit at once)"`
	Args    sessionRef `positional-args:"yes" required:"yes"`
	app     *app
}

func (c *sessionRedeemCmd) runAsUser(ctx context.Context, u *coordclient.UserClient) error {
	s, err := u.SimulateRedemption(ctx, c.Args.Location, int64(c.Args.ID), c.Minutes)
	if err != nil {
		return err
	}
	return c.app.printSession(s)
}

// printSession prints one session as a block of fields, or as JSON.
func (a *app) printSession(s *models.Session) error {
	if a.opts.JSON {
		return printJSON(a.stdout, s)
	}
	t := newTable(a.stdout)
	t.row("session", strconv.FormatInt(s.ID, 10))
	t.row("location", s.LocationID)
	t.row("status", s.Status)
	t.row("started", when(s.StartTime))
	t.row("ended", when(s.EndTime))
	t.row("cost", cost(s))
	if s.ResourceID != "" {
		t.row("resource", s.ResourceID)
	}
	if r := s.RedemptionInfo; r != nil && r.Barcode != nil {
		t.row("barcode", fmt.Sprintf("%s (%s)", r.Barcode.Data, r.Barcode.Format))
	}
	return t.flush()
}

// printChange prints one line per state seen by --watch: JSON lines with
// --json, so that a script can follow them as they come.
func (a *app) printChange(s *models.Session) error {
	if a.opts.JSON {
		b, err := s.MarshalBinary()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	line := fmt.Sprintf("%s  session %d  %s", time.Now().Format("15:04:05"), s.ID, s.Status)
	if c := cost(s); c != "" {
		line += "  " + c
	}
	_, err := fmt.Fprintln(a.stdout, line)
	return err
}

// cost is the session's bill, or "" until it is billed.
func cost(s *models.Session) string {
	if s.BillingInfo == nil || s.BillingInfo.Cost == nil {
		return ""
	}
	return coordclient.FormatMoney(s.BillingInfo.Cost)
}
