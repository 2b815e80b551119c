package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/coordapi/coord/coordclient"
)

// linkCmd links the user's account with a system: it prints the URL to
// open in a browser, or, for test users, links directly (--test).
type linkCmd struct {
	runByApp
	RedirectURI string `long:"redirect-uri" description:"where the browser returns; must start with one of the partner's registered prefixes"`
	State       string `long:"state" description:"an opaque value passed back to --redirect-uri"`
	Test        bool   `long:"test" description:"link (or unlink) a test user's account directly, as the demo permission page would"`
	Allow       bool   `long:"allow" description:"with --test: link"`
	Deny        bool   `long:"deny" description:"with --test: unlink"`
	Args        struct {
		System string `positional-arg-name:"SYSTEM" required:"yes"`
	} `positional-args:"yes" required:"yes"`
	app *app
}

func (c *linkCmd) check() error {
	if c.Test && c.Allow == c.Deny {
		return usageError("link --test needs exactly one of --allow or --deny")
	}
	if !c.Test && (c.Allow || c.Deny) {
		return usageError("--allow and --deny go with --test")
	}
	if !c.Test && c.RedirectURI == "" {
		return usageError("link needs --redirect-uri (or --test --allow|--deny for a test user)")
	}
	return nil
}

func (c *linkCmd) runAsUser(ctx context.Context, u *coordclient.UserClient) error {
	if !c.Test {
		link := u.LinkURL(c.Args.System, c.RedirectURI, c.State)
		if c.app.opts.JSON {
			return printJSON(c.app.stdout, map[string]string{"url": link})
		}
		_, err := fmt.Fprintln(c.app.stdout, link)
		return err
	}
	linked, err := u.TestLinkAccount(ctx, c.Args.System, c.Allow)
	if err != nil {
		return err
	}
	if c.app.opts.JSON {
		return printJSON(c.app.stdout, linked)
	}
	t := newTable(c.app.stdout)
	t.row("system", linked.SystemID)
	t.row("linked", strconv.FormatBool(linked.GetLinkedAccount()))
	return t.flush()
}
