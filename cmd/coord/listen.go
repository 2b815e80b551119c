package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/delivery"
)

// forwarder is the delivering half of `coord listen --forward-to URL
// --secret whsec_…`: it signs each event of the feed as the server signs
// its webhooks and POSTs it to a local receiver, one attempt, printing a
// line per event — what `stripe listen` does for Stripe developers.
type forwarder struct {
	target *coord.Webhook
	sender *delivery.Sender
	out    io.Writer
}

// newForwarder checks the local URL and the secrets. With no secret it
// makes one and prints it, so the receiver can be configured with it.
func newForwarder(url string, secrets []string, timeout time.Duration, out io.Writer) (*forwarder, error) {
	if err := delivery.CheckURL(url); err != nil {
		return nil, usageError(fmt.Sprintf("--forward-to %q: %v", url, err))
	}
	if len(secrets) == 0 {
		secrets = []string{webhook.NewSecret()}
		fmt.Fprintf(out, "Your webhook signing secret is %s\n", secrets[0])
	}
	keys, err := webhook.ParseSecrets(secrets)
	if err != nil {
		return nil, usageError("--secret " + err.Error())
	}
	return &forwarder{
		target: &coord.Webhook{ID: "listen", URL: url, Keys: keys},
		sender: delivery.NewSender(delivery.WithTimeout(timeout), delivery.WithUserAgent("coord-listen")),
		out:    out,
	}, nil
}

// forward POSTs one event (its JSON as the feed gave it) and prints what
// the receiver answered. A receiver that fails is reported, not retried:
// the developer is watching.
func (f *forwarder) forward(ctx context.Context, body []byte) (delivery.Result, error) {
	var ev webhook.Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
		return delivery.Result{}, errors.New("the feed gave an event without an id")
	}
	res := f.sender.Send(ctx, f.target, ev.ID, body)
	answer := res.Err
	if res.StatusCode != 0 {
		answer = fmt.Sprintf("%d %s", res.StatusCode, statusText(res.StatusCode))
	}
	fmt.Fprintf(f.out, "%s  %-22s %s  --> %s (%d ms)\n", res.At.Local().Format("15:04:05"), ev.Type, ev.ID,
		answer, res.Latency.Milliseconds())
	return res, nil
}

// statusText names the usual answers; others print as the bare code.
func statusText(code int) string {
	switch {
	case code >= 200 && code <= 299:
		return "delivered"
	case code == 401 || code == 403:
		return "refused: check the receiver's secret"
	case code == 410:
		return "gone"
	}
	return "not delivered"
}

// listenCmd follows the event feed and forwards each event, signed, to a
// local receiver.
type listenCmd struct {
	runByApp
	ServerToken string        `long:"server-token" env:"COORD_SERVER_TOKEN" required:"yes" description:"the partner backend's server token"`
	ForwardTo   string        `long:"forward-to" required:"yes" description:"the local receiver's URL, e.g. http://localhost:3000/hook"`
	Secrets     []string      `long:"secret" description:"whsec_ secret to sign with, as the receiver verifies (repeatable; default: a new one, printed)"`
	After       *int64        `long:"after" description:"forward the events after this seq too (default: only events from now on)"`
	Type        string        `long:"type" description:"only events of this type, e.g. session.ended"`
	Timeout     time.Duration `long:"timeout" default:"15s" description:"how long the receiver may take to answer"`
	app         *app
}

func (c *listenCmd) check() error {
	if c.After != nil && *c.After < 0 {
		return usageError("--after must not be negative")
	}
	if c.Timeout <= 0 {
		return usageError("--timeout must be positive")
	}
	return nil
}

func (c *listenCmd) runWithClient(ctx context.Context, cl *coordclient.Client) error {
	f, err := newForwarder(c.ForwardTo, c.Secrets, c.Timeout, c.app.stdout)
	if err != nil {
		return err
	}
	srv := cl.AsServer(c.ServerToken)
	after := c.After
	if after == nil { // skip what happened before: forward from now on
		for e, err := range srv.Events(ctx, coordclient.EventsOptions{}) {
			if err != nil {
				return stopped(ctx, err)
			}
			seq := e.Seq
			after = &seq
		}
	}
	from := int64(0)
	if after != nil {
		from = *after
	}
	fmt.Fprintf(c.app.stdout, "Ready! Forwarding events after seq %d to %s (Ctrl-C to stop)\n", from, c.ForwardTo)
	for e, err := range srv.Events(ctx, coordclient.EventsOptions{After: after, Type: c.Type, Follow: true}) {
		if err != nil {
			return stopped(ctx, err)
		}
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, err := f.forward(ctx, body); err != nil {
			return err
		}
	}
	return nil
}

// stopped is nil when the user pressed Ctrl-C, else err.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil
	}
	return err
}
