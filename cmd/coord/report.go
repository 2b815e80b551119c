package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jessevdk/go-flags"

	"github.com/coordapi/coord/coordclient"
)

// report prints err on stderr as "coord: <code>: <message>", API details
// below; a server that cannot be reached or does not answer is named with
// what to check. The SDK's errors hold no credential, and neither does
// anything added here: the base URL has no query.
func (a *app) report(err error) {
	w := a.stderr
	var apiErr *coordclient.Error
	var op *net.OpError
	switch {
	case errors.As(err, &apiErr):
		fmt.Fprintf(w, "coord: %v\n", apiErr)
		for _, d := range apiErr.Details {
			fmt.Fprintf(w, "  %s\n", d)
		}
		if apiErr.Status >= 500 && apiErr.RequestID != "" {
			fmt.Fprintf(w, "  (request id %s)\n", apiErr.RequestID)
		}
	case errors.As(err, &op) && op.Op == "dial":
		fmt.Fprintf(w, "coord: cannot connect to %s: %v\n  is a server running there? (set --url or COORD_URL)\n", a.opts.URL, op.Err)
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(w, "coord: %s did not answer within %s (--timeout)\n", a.opts.URL, a.opts.Timeout)
	default:
		fmt.Fprintf(w, "coord: %v\n", err)
	}
}

// writeUsage follows a usage error with the command's usage line and
// where to read more.
func writeUsage(w io.Writer, p *flags.Parser) {
	path := []string{p.Name}
	var cmd *flags.Command
	for c := p.Command.Active; c != nil; c = c.Active {
		path, cmd = append(path, c.Name), c
	}
	usage := strings.Join(path, " ") + " [OPTIONS]"
	switch {
	case cmd == nil:
		usage += " COMMAND"
	case len(cmd.Commands()) > 0 && !cmd.SubcommandsOptional:
		usage += " COMMAND"
	}
	if cmd != nil {
		for _, arg := range cmd.Args() {
			usage += " " + arg.Name
		}
	}
	fmt.Fprintf(w, "usage: %s\n  (%s --help for more)\n", usage, strings.Join(path, " "))
}
