package main

import (
	"github.com/jessevdk/go-flags"
)

// newParser declares the command tree; every command shares a.
func newParser(a *app) *flags.Parser {
	p := flags.NewNamedParser("coord", flags.HelpFlag|flags.PassDoubleDash)
	p.ShortDescription = "a command line for the Coord Users API"
	p.CommandHandler = a.execute
	if _, err := p.AddGroup("Global Options", "", &a.opts); err != nil {
		panic(err) // the option struct is fixed at compile time
	}
	add := func(parent interface {
		AddCommand(string, string, string, any) (*flags.Command, error)
	}, name, short, long string, data any) *flags.Command {
		cmd, err := parent.AddCommand(name, short, long, data)
		if err != nil {
			panic(err)
		}
		return cmd
	}
	add(p, "login", "Mint a user token and save it",
		"Mint a JWT for a test user (--test, with the access key alone) or for a real user (--server-token),\n"+
			"and save it in the user's config directory (file mode 0600) for the other commands.", &loginCmd{app: a})
	add(p, "logout", "Forget the saved token", "", &logoutCmd{app: a})
	add(p, "systems", "List the systems, their locations, prices and requirements", "", &systemsCmd{app: a})
	add(p, "quote", "What a session of MINUTES at LOCATION would cost (no login needed)", "", &quoteCmd{app: a})
	add(p, "user", "Show the logged-in user and where they can transact", "", &userCmd{app: a})
	vehicle := add(p, "vehicle", "Show the user's vehicle; vehicle set sets it", "", &vehicleCmd{app: a})
	vehicle.SubcommandsOptional = true
	add(vehicle, "set", "Set the user's vehicle", "", &vehicleSetCmd{app: a})
	session := add(p, "session", "Start, show, watch and end a session", "", &sessionCmd{})
	add(session, "start", "Start a session at LOCATION", "", &sessionStartCmd{app: a})
	add(session, "get", "Show a session; --watch follows it until it is over", "", &sessionGetCmd{app: a})
	add(session, "end", "End and bill an app-controlled session", "", &sessionEndCmd{app: a})
	add(session, "redeem", "Play the entry and exit gates of a test user's gate session", "", &sessionRedeemCmd{app: a})
	add(p, "sessions", "List the user's sessions, newest first", "", &sessionsCmd{app: a})
	add(p, "events", "Print the partner's event feed (server token); --follow keeps printing",
		"Print the partner's events oldest first: every change to its users and their sessions.\n"+
			"--after resumes after a seq; --follow waits for new events (long-poll) until Ctrl-C.", &eventsCmd{app: a})
	add(p, "listen", "Forward the partner's events, signed like webhooks, to a local URL (server token)",
		"Follow the event feed and POST each new event to --forward-to, signed per Standard Webhooks\n"+
			"with --secret (whsec_...; default: a new one, printed), one attempt each, a line per event.", &listenCmd{app: a})
	add(p, "link", "Link the user's account with SYSTEM",
		"Print the URL to open in a browser to link the account (--redirect-uri),\n"+
			"or link (--allow) or unlink (--deny) a test user's account directly (--test).", &linkCmd{app: a})
	return p
}
