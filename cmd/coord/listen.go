package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/delivery"
)

// forwarder is the delivering half of `coord listen --forward-to URL
// --secret whsec_…`: it signs each event of the feed as the server signs
// its webhooks and POSTs it to a local receiver, one attempt, printing a
// line per event — what `stripe listen` does for Stripe developers. The
// feed it follows (GET /events, issue #13) is not wired yet; see the
// issue's closing note.
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
