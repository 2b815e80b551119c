package main

import (
	"context"

	"strconv"

	"github.com/coordapi/coord/coordclient"
)

// sessionsCmd lists the user's sessions, newest first.
type sessionsCmd struct {
	runByApp
	Location string `long:"location" description:"only the sessions at this location"`
	Limit    int    `long:"limit" description:"at most this many (1-100; default: the server's, 50)"`
	Before   int64  `long:"before" description:"only sessions with a lower id (the next page)"`
	app      *app
}

func (c *sessionsCmd) runAsUser(ctx context.Context, u *coordclient.UserClient) error {
	list, err := u.SessionPage(ctx, &coordclient.ListOptions{Location: c.Location, Limit: c.Limit, BeforeID: c.Before})
	if err != nil {
		return err
	}
	if c.app.opts.JSON {
		return printJSON(c.app.stdout, list)
	}
	t := newTable(c.app.stdout)
	t.row("ID", "LOCATION", "STATUS", "STARTED", "ENDED", "COST")
	for _, s := range list {
		t.row(strconv.FormatInt(s.ID, 10), s.LocationID, s.Status, when(s.StartTime), when(s.EndTime), cost(s))
	}
	return t.flush()
}
