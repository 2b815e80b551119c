package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord/delivery"
)

// WebhookQueue is the store's delivery.Queue: rows written by the statement
// that inserts each event (enqueueDeliveries), claimed by any replica with FOR
// UPDATE SKIP LOCKED and a lease, so that two replicas never hold one
// delivery at once and one that dies gives its claims up when they expire.
type WebhookQueue struct {
	delivery.RecordGroups // Record, in groups (commitRecords)
	db                    *DB
	render                delivery.Render
}

// PerEndpoint implements delivery.PerEndpointer. Under a saturating API
// load each attempt and claim waits its turn among PostgreSQL's busy
// backends: with 16 in flight per endpoint the deliveries of a lifecycle
// load fell behind (lag p99 2.5–5 s), with 24 too (2.5–2.9 s), and 32 just
// kept up (0.2–1.07 s); 40 kept the lag p99 at 73–93 ms with the API at
// 0.92–0.98× its rate without webhooks; 48 took the API to 0.65–0.71×
// (more, smaller claims and record groups).
func (q *WebhookQueue) PerEndpoint() int { return 40 }

var (
	_ delivery.StoreQueue    = (*WebhookQueue)(nil)
	_ delivery.PerEndpointer = (*WebhookQueue)(nil)
	_ delivery.QueueStore    = (*DB)(nil)
)

// WebhookQueue makes the store's endpoints those given (the catalog's),
// so that events committed from now on get a delivery per matching
// endpoint, and returns the queue. A 410 Gone's disabling survives while
// the endpoint's fingerprint is the same. render makes the bodies.
//
// Replicas share the endpoints: the last one started with a catalog
// decides which endpoints new events are delivered to.
func (db *DB) WebhookQueue(ctx context.Context, endpoints []delivery.Endpoint, render delivery.Render) (delivery.StoreQueue, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		ids := make([]string, 0, len(endpoints))
		for _, e := range endpoints {
			ids = append(ids, e.WebhookID)
			events := e.Events
			if events == nil {
				events = []string{}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO webhook_endpoints (webhook_id, partner_id, events, fingerprint)
				VALUES ($1, $2, $3, $4) ON CONFLICT (webhook_id) DO UPDATE SET partner_id = excluded.partner_id,
				events = excluded.events, fingerprint = excluded.fingerprint`,
				e.WebhookID, e.PartnerID, events, e.Fingerprint); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `DELETE FROM webhook_endpoints WHERE NOT (webhook_id = ANY ($1))`, ids)
		return err
	})
	if err == nil {
		// A catalog's few endpoints never reach autovacuum's threshold, so
		// the planner would guess their number: every event's INSERT of its
		// deliveries then planned a bitmap scan of an index for a table of
		// one page.
		_, err = db.pool.Exec(ctx, `ANALYZE webhook_endpoints`)
	}
	if err != nil {
		return nil, fail("postgres: webhook endpoints", err)
	}
	q := &WebhookQueue{db: db, render: render}
	q.Commit = q.commitRecords
	return q, nil
}

// claimDue leases, per endpoint asked, its oldest due deliveries that no
// other claimer holds (SKIP LOCKED), then keeps the first of every
// endpoint before the second of any, up to the limit. Deliveries of
// events not yet numbered wait for the sequencer.
const claimDue = `WITH want AS (SELECT * FROM unnest($1::text[], $2::int[]) AS w(webhook_id, n)),
	picked AS (
		SELECT c.id, c.next_at, row_number() OVER (PARTITION BY w.webhook_id ORDER BY c.next_at, c.id) AS rank
		FROM want w CROSS JOIN LATERAL (
			SELECT d.id, d.next_at FROM webhook_deliveries d
			WHERE d.webhook_id = w.webhook_id AND d.state = 'pending' AND d.next_at <= $3 AND d.lease_until <= $3
				AND (d.body IS NOT NULL OR EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id AND e.seq IS NOT NULL))
			ORDER BY d.next_at, d.id LIMIT w.n
			FOR UPDATE SKIP LOCKED) c
		WHERE NOT EXISTS (SELECT 1 FROM webhook_endpoints x
			WHERE x.webhook_id = w.webhook_id AND x.disabled_fingerprint = x.fingerprint)),
	chosen AS (SELECT id FROM picked ORDER BY rank, next_at, id LIMIT $4)
	UPDATE webhook_deliveries d SET lease_until = $5, claim = $6::text || d.id::text
	FROM chosen WHERE d.id = chosen.id
	RETURNING d.id, d.webhook_id, d.event_id, d.body, d.attempt, d.created_at, d.claim`

// Claim implements delivery.Queue.
func (q *WebhookQueue) Claim(ctx context.Context, req delivery.ClaimRequest) ([]delivery.Delivery, error) {
	if err := q.db.sequence(ctx); err != nil {
		return nil, fail("postgres: claim webhook deliveries", err)
	}
	var ids []string
	var ns []int32
	for id, n := range req.Want {
		if n > 0 {
			ids, ns = append(ids, id), append(ns, int32(n))
		}
	}
	if len(ids) == 0 || req.Limit <= 0 {
		return nil, nil
	}
	br, err := q.db.lazy(ctx, claimDue, ids, ns, req.Now, req.Limit, req.Now.Add(req.Lease), rand.Text()+":")
	if err != nil {
		return nil, fail("postgres: claim webhook deliveries", err)
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, fail("postgres: claim webhook deliveries", err)
	}
	ds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (delivery.Delivery, error) {
		var d delivery.Delivery
		err := row.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.Body, &d.Attempt, &d.CreatedAt, &d.Claim)
		return d, err
	})
	err = errors.Join(err, br.Close())
	if err != nil {
		return nil, fail("postgres: claim webhook deliveries", err)
	}
	if err := q.renderBodies(ctx, ds); err != nil {
		return nil, fail("postgres: claim webhook deliveries", err)
	}
	return slices.DeleteFunc(ds, func(d delivery.Delivery) bool { return d.Body == nil }), nil
}

// renderBodies gives the deliveries of events their bodies, in one query.
// claimDue takes only deliveries of events it sees; one whose event
// retention deleted since keeps its lease and no body: Claim leaves it
// out, and it is deleted with its event's era.
func (q *WebhookQueue) renderBodies(ctx context.Context, ds []delivery.Delivery) error {
	var ids []string
	for _, d := range ds {
		if d.Body == nil {
			ids = append(ids, d.EventID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.db.pool.Query(ctx, `SELECT `+eventCols+` FROM events WHERE id = ANY ($1)`, ids)
	if err != nil {
		return err
	}
	events, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return err
	}
	bodies := make(map[string][]byte, len(events))
	for _, e := range events {
		if bodies[e.ID], err = q.render(e); err != nil {
			return fmt.Errorf("render event %s: %w", e.ID, err)
		}
	}
	for i := range ds {
		if ds[i].Body == nil {
			ds[i].Body = bodies[ds[i].EventID]
		}
	}
	return nil
}

// recordedCols are what recordAttempts' UPDATE and DELETE of deliveries
// return for the attempts they record.
const recordedCols = `w.id, w.webhook_id, w.event_id, r.outcome, r.next_at, r.attempt, r.attempted_at,
	r.status_code, r.error, r.latency_ms, r.ord`

// recordAttempts stores a run of outcomes, each of a different delivery,
// for those whose claim still holds: the deliveries' new states, the
// attempts for list_webhook_deliveries (in the run's order), and on a 410
// the endpoint's disabling. A delivered delivery's row is deleted: a DELETE
// writes no index entry, where the UPDATE of its state wrote two, and
// nothing reads a delivered row (its attempt stays). It returns the ids of
// the deliveries it stored; the others were stale. One statement for the
// run: per statement, PostgreSQL's executor costs more than the rows of a
// record.
const recordAttempts = `WITH r AS (
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::integer[],
			$6::timestamptz[], $7::integer[], $8::text[], $9::bigint[]) WITH ORDINALITY
		AS r (id, claim, outcome, next_at, attempt, attempted_at, status_code, error, latency_ms, ord)),
	u AS (UPDATE webhook_deliveries w SET state = CASE WHEN r.outcome = 'retrying' THEN 'pending' ELSE r.outcome END,
			attempt = w.attempt + CASE WHEN r.outcome = 'retrying' THEN 1 ELSE 0 END,
			next_at = coalesce(r.next_at, w.next_at), lease_until = '-infinity', claim = ''
		FROM r WHERE w.id = r.id AND w.claim = r.claim AND w.state = 'pending' AND r.outcome <> 'delivered'
		RETURNING ` + recordedCols + `),
	gone AS (DELETE FROM webhook_deliveries w USING r
		WHERE w.id = r.id AND w.claim = r.claim AND w.state = 'pending' AND r.outcome = 'delivered'
		RETURNING ` + recordedCols + `),
	d AS (SELECT * FROM u UNION ALL SELECT * FROM gone),
	a AS (INSERT INTO webhook_attempts (webhook_id, event_id, attempt, state, attempted_at, status_code, error, latency_ms, next_at)
		SELECT webhook_id, event_id, attempt, outcome, attempted_at, status_code, error, latency_ms, next_at FROM d ORDER BY ord),
	x AS (UPDATE webhook_endpoints w SET disabled_fingerprint = w.fingerprint
		FROM d WHERE d.outcome = 'disabled' AND w.webhook_id = d.webhook_id)
	SELECT id FROM d`

// commitRecords is the queue's delivery.RecordGroups.Commit: the group's
// records in one batch, one round trip and one transaction (lazy), a
// statement per run of distinct deliveries (delivery.DistinctRun: a
// delivery's second outcome finds the first's record).
func (q *WebhookQueue) commitRecords(ctx context.Context, group []delivery.Recorded) ([]bool, error) {
	b := lazyBatch()
	for from := 0; from < len(group); {
		to := delivery.DistinctRun(group, from)
		b.Queue(recordAttempts, recordArrays(group[from:to])...)
		from = to
	}
	br, err := q.db.sendLazy(ctx, b)
	if err != nil {
		return nil, fail("postgres: record webhook attempts", err)
	}
	stale := make([]bool, len(group))
	for from := 0; err == nil && from < len(group); {
		to := delivery.DistinctRun(group, from)
		held := make(map[int64]bool, to-from)
		var rows pgx.Rows
		if rows, err = br.Query(); err == nil {
			var id int64
			_, err = pgx.ForEachRow(rows, []any{&id}, func() error { held[id] = true; return nil })
		}
		for i := from; i < to; i++ {
			stale[i] = !held[group[i].Delivery.ID]
		}
		from = to
	}
	if err = errors.Join(err, br.Close()); err != nil {
		return nil, fail("postgres: record webhook attempts", err)
	}
	return stale, nil
}

// recordArrays are recordAttempts' parameters for run.
func recordArrays(run []delivery.Recorded) []any {
	n := len(run)
	ids, claims, outcomes := make([]int64, n), make([]string, n), make([]string, n)
	next, attempts, at := make([]*time.Time, n), make([]int32, n), make([]time.Time, n)
	codes, errs, latencies := make([]int32, n), make([]string, n), make([]int64, n)
	for i, r := range run {
		d, o := r.Delivery, r.Outcome
		ids[i], claims[i], outcomes[i] = d.ID, d.Claim, string(o.State)
		if o.State == delivery.Retrying {
			next[i] = &o.NextAttempt
		}
		attempts[i], at[i] = int32(d.Attempt), o.AttemptedAt
		codes[i], errs[i], latencies[i] = int32(o.StatusCode), o.Error, o.Latency.Milliseconds()
	}
	return []any{ids, claims, outcomes, next, attempts, at, codes, errs, latencies}
}

// lazy sends query as a transaction of its own whose commit does not wait
// for the WAL flush (synchronous_commit off, for this transaction only: the
// batch is one implicit transaction), and returns the batch with the
// settings' result read; the caller reads query's and closes it. It is for
// claims and records, whose loss in a crash of PostgreSQL only repeats a
// delivery (at least once either way), so that they do not add a flush
// each to the API's commits. SQLite's counterpart is writeLazy.
func (db *DB) lazy(ctx context.Context, query string, args ...any) (pgx.BatchResults, error) {
	b := lazyBatch()
	b.Queue(query, args...)
	return db.sendLazy(ctx, b)
}

// lazyBatch starts a batch for sendLazy: queries queued after it are one
// transaction with lazy's commit, and use their generic plans. PostgreSQL
// planned claimDue anew at every claim (its arrays make every custom plan
// look cheaper than the generic one): under lifecycle load 258 ms of
// planning for 444 ms of execution in 687 claims; with the generic plan 3 ms
// and 483 ms in 1,017.
func lazyBatch() *pgx.Batch {
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true)`)
	return b
}

// sendLazy sends a batch begun by lazyBatch and reads the settings' result.
func (db *DB) sendLazy(ctx context.Context, b *pgx.Batch) (pgx.BatchResults, error) {
	br := db.pool.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return nil, err
	}
	return br, nil
}

// Attempts implements delivery.History.
func (q *WebhookQueue) Attempts(ctx context.Context, webhookID string, limit int) ([]delivery.Attempt, error) {
	rows, err := q.db.pool.Query(ctx, `SELECT event_id, attempt, state, attempted_at, status_code, error, latency_ms, next_at
		FROM webhook_attempts WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2`, webhookID, limit)
	if err != nil {
		return nil, fail("postgres: webhook attempts", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (delivery.Attempt, error) {
		a := delivery.Attempt{WebhookID: webhookID}
		var latency int64
		var next *time.Time
		if err := row.Scan(&a.EventID, &a.Attempt, &a.State, &a.AttemptedAt, &a.StatusCode, &a.Error, &latency, &next); err != nil {
			return a, err
		}
		a.AttemptedAt, a.Latency = a.AttemptedAt.UTC(), time.Duration(latency)*time.Millisecond
		if next != nil {
			a.NextAttempt = next.UTC()
		}
		return a, nil
	})
	if list == nil {
		list = []delivery.Attempt{}
	}
	return list, fail("postgres: webhook attempts", err)
}

// Depth implements delivery.History.
func (q *WebhookQueue) Depth(ctx context.Context) (int, error) {
	var n int
	err := q.db.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries d
		JOIN webhook_endpoints w ON w.webhook_id = d.webhook_id WHERE d.state = 'pending'`).Scan(&n)
	return n, fail("postgres: webhook queue depth", err)
}

// Enqueue writes a delivery of a body that is not an event of the log
// (tests, pings), due at once.
func (q *WebhookQueue) Enqueue(ctx context.Context, webhookID, eventID string, body []byte) error {
	now := q.db.now()
	_, err := q.db.pool.Exec(ctx, `INSERT INTO webhook_deliveries (webhook_id, event_id, body, created_at, next_at)
		VALUES ($1, $2, $3, $4, $4)`, webhookID, eventID, body, now)
	return fail("postgres: enqueue webhook delivery", err)
}
