// Package delivery sends the event log to partners' webhook endpoints:
// Standard Webhooks signatures (package coordclient/webhook), one POST per
// attempt with its own timeout, no redirects followed, a few KiB of the
// answer read, and the outcome classified into delivered, retry later
// (the specification's schedule, or Retry-After on 429 and 503), failed
// after the last attempt, or endpoint disabled (410 Gone).
//
// The Dispatcher is written against Queue, which the stores implement:
// delivery rows are written in the event's own transaction, claimed with
// a lease (PostgreSQL FOR UPDATE SKIP LOCKED; SQLite the single writer),
// and taken over by another replica when a lease runs out. Delivery is
// therefore at least once and unordered; receivers de-duplicate by the
// webhook-id (the event id) and order by the event's seq.
package delivery
