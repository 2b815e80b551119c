package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/models"
)

// eventsCmd prints the partner's event feed, for its backend.
type eventsCmd struct {
	runByApp
	ServerToken string `long:"server-token" env:"COORD_SERVER_TOKEN" required:"yes" description:"the partner backend's server token"`
	After       *int64 `long:"after" description:"start after this seq (default: the oldest event kept)"`
	Type        string `long:"type" description:"only events of this type, e.g. session.ended"`
	Follow      bool   `long:"follow" short:"f" description:"keep printing new events as they happen (until Ctrl-C)"`
	app         *app
}

func (c *eventsCmd) check() error {
	if c.After != nil && *c.After < 0 {
		return usageError("--after must not be negative")
	}
	return nil
}

func (c *eventsCmd) runWithClient(ctx context.Context, cl *coordclient.Client) error {
	feed := cl.AsServer(c.ServerToken).Events(ctx, coordclient.EventsOptions{After: c.After, Type: c.Type, Follow: c.Follow})
	for e, err := range feed {
		if err != nil {
			if errors.Is(err, ctx.Err()) && ctx.Err() != nil {
				return nil // Ctrl-C: the user stopped following
			}
			return err
		}
		if err := c.app.printEvent(e); err != nil {
			return err
		}
	}
	return nil
}

// printEvent prints one event a line: JSON with --json, else its seq,
// time, type and what it is about.
func (a *app) printEvent(e *models.Event) error {
	if a.opts.JSON {
		b, err := e.MarshalBinary()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	about := "user " + e.UserID.String()
	if s := e.Data.Session; s != nil {
		about = fmt.Sprintf("session %d  %s  %s", s.ID, s.LocationID, s.Status)
		if c := cost(s); c != "" {
			about += "  " + c
		}
	}
	_, err := fmt.Fprintf(a.stdout, "%d  %s  %-21s  %s\n", e.Seq, when(&e.CreatedAt), e.Type, about)
	return err
}
