// Package webhook verifies (and, for the server, signs) the webhooks the
// Coord Users API sends, following the Standard Webhooks specification
// (https://www.standardwebhooks.com): each POST carries webhook-id (the
// event id, kept across retries), webhook-timestamp (Unix seconds of the
// attempt) and webhook-signature, a space-separated list of
// "v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}>", one per secret of
// the endpoint, so a secret can be rotated without downtime.
//
// A receiver mounts Handler, or calls Verify on the raw body; either gives
// the event as a *models.Event (Event is that type):
//
//	http.Handle("/hooks/coord", webhook.Handler(webhook.Verifier{Secrets: []string{secret}},
//		func(ctx context.Context, ev *webhook.Event) error {
//			// ev.Type, ev.Seq, ev.Data ...; return an error to have it redelivered
//			return nil
//		}))
//
// A busy receiver decodes its secrets once (ParseSecrets into
// Verifier.Keys); one whose server has no http.Header (fasthttp, a queue
// consumer) passes the three headers' values to VerifyValues.
//
// Deliveries are at least once and not ordered: de-duplicate by Event.ID
// and order by Event.Seq.
//
// The Standard Webhooks Go library (module
// github.com/standard-webhooks/standard-webhooks/libraries v0.0.1) was
// evaluated and not used: its timestamp tolerance is a package variable
// with no clock to inject, one value verifies one secret, it accepts
// secrets of any length, and its module path moved between versions
// (its own tests import a path the later go.mod no longer declares). The
// scheme is a few lines; this package implements it and is tested against
// the specification's published test vectors (testdata/).
package webhook
