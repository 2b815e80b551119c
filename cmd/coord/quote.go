package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/coordapi/coord/coordclient"
)

// quoteCmd prices a session before it starts; it needs no login.
type quoteCmd struct {
	runByApp
	Args struct {
		Location string  `positional-arg-name:"LOCATION" required:"yes"`
		Minutes  minutes `positional-arg-name:"MINUTES" required:"yes"`
	} `positional-args:"yes" required:"yes"`
	app *app
}

func (c *quoteCmd) runWithClient(ctx context.Context, client *coordclient.Client) error {
	q, err := client.Quote(ctx, c.Args.Location, int(c.Args.Minutes))
	if err != nil {
		return err
	}
	if c.app.opts.JSON {
		return printJSON(c.app.stdout, q)
	}
	t := newTable(c.app.stdout)
	t.row("location", q.LocationID)
	t.row("duration", fmt.Sprintf("%dm", q.DurationMinutes))
	t.row("cost", coordclient.FormatMoney(q.Cost))
	t.row("price", price(q.Price))
	return t.flush()
}

// minutes is a quote's duration argument: 1 to 10080, else a usage error.
type minutes int

func (m *minutes) UnmarshalFlag(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 10080 {
		return usageError(fmt.Sprintf("MINUTES must be a number of minutes from 1 to 10080 (a week), not %q", s))
	}
	*m = minutes(n)
	return nil
}
