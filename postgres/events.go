package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/coordapi/coord"
)

// pendingEvent is an event a transaction appends just before it commits.
type pendingEvent struct {
	typ       coord.EventType
	userID    string
	sessionID int64 // 0 for user events
	data      []byte
}

func sessionEvent(typ coord.EventType, r *sessionRow) pendingEvent {
	return pendingEvent{typ: typ, userID: r.UserID, sessionID: r.ID, data: coord.SessionEventData(r.Session)}
}

func userEvent(typ coord.EventType, u *coord.User) pendingEvent {
	return pendingEvent{typ: typ, userID: u.UserID, data: coord.UserEventData(u)}
}

// appendEvent inserts an event, unnumbered (the sequencer numbers it once
// it has committed), and its webhook deliveries. It returns the
// notification to send once the transaction has committed (see notifier).
const appendEvent = `WITH e AS (INSERT INTO events (id, partner_id, type, user_id, test, session_id, created_at, data)
		SELECT $2, partner_id, $3, $1, test, $4, $5, $6 FROM users WHERE user_id = $1
		RETURNING ` + eventKeys + `, '0 ' || coalesce(session_id, 0) || ' ' || type || ' ' || partner_id AS note),
	` + enqueueDeliveries + `
	SELECT note FROM e`

// eventKeys are what an INSERT INTO events named e returns for
// enqueueDeliveries.
const eventKeys = `id, partner_id, type, created_at`

// enqueueDeliveries writes the deliveries of the events the CTE e
// inserted, one per endpoint of the event's partner that takes its type,
// in the statement that inserts the event: every statement that inserts
// events carries it, so a committed event has its deliveries, whichever
// replica wrote it. (Migration 5 did this with a row trigger, which cost
// a PL/pgSQL call per event even with no endpoint; migration 6 dropped it.)
const enqueueDeliveries = `d AS (INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, next_at)
		SELECT w.webhook_id, e.id, e.created_at, e.created_at FROM e JOIN webhook_endpoints w ON w.partner_id = e.partner_id
		WHERE cardinality(w.events) = 0 OR e.type = ANY (w.events))`

// withEvent makes one statement of a one-row change of a session and its
// event, so that the commonest writes stay one autocommit round trip.
// change is an INSERT or UPDATE … RETURNING sessionCols whose parameters
// are $1…$n; the event's follow: its id, type, time and data (the session
// as the change leaves it, predicted by the caller; SQL fills in the id).
// The statement also writes the event's deliveries, and returns the changed
// row, or no row (and no event) when the change matched none.
func withEvent(change string, n int) string {
	p := func(i int) string { return "$" + strconv.Itoa(n+i) }
	return `WITH s AS (` + change + `),
	e AS (INSERT INTO events (id, partner_id, type, user_id, test, session_id, created_at, data)
		SELECT ` + p(1) + `, u.partner_id, ` + p(2) + `, u.user_id, u.test, s.id, ` + p(3) + `,
			jsonb_set(` + p(4) + `::jsonb, '{session,id}', to_jsonb(s.id))
		FROM s JOIN users u ON u.user_id = s.user_id::uuid
		RETURNING ` + eventKeys + `, '0 ' || session_id || ' ' || type || ' ' || partner_id AS note),
	` + enqueueDeliveries + `
	SELECT s.*, e.note FROM s, e`
}

// eventArgs are withEvent's parameters for an event about s (as predicted).
func eventArgs(typ coord.EventType, now time.Time, s *coord.Session) []any {
	return []any{coord.NewEventID(now), string(typ), now, coord.SessionEventData(s)}
}

// appendEvents appends evs in tx, in one round trip.
func (db *DB) appendEvents(ctx context.Context, tx pgx.Tx, now time.Time, evs ...pendingEvent) error {
	if len(evs) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, e := range evs {
		uid, _ := parseUserID(e.userID)
		var session *int64
		if e.sessionID != 0 {
			session = &e.sessionID
		}
		b.Queue(appendEvent, uid, coord.NewEventID(now), string(e.typ), session, now, e.data)
	}
	res := tx.SendBatch(ctx, b)
	for _, e := range evs {
		var note string
		err := res.QueryRow().Scan(&note)
		if errors.Is(err, pgx.ErrNoRows) {
			err = coord.ErrUserNotFound(e.userID)
		}
		if err != nil {
			res.Close()
			return fmt.Errorf("append %s event: %w", e.typ, err)
		}
		db.notes.add(tx, note)
	}
	return res.Close()
}

// sequenceLock is the advisory lock that lets one sequencer run at a time,
// across replicas.
const sequenceLock = 7_413_009_113

// sequence numbers the committed events that have no seq yet, in batches:
// under the lock, each batch's seqs are above every earlier one and commit
// together, so no seq is ever seen before a lower one. Every feed read
// runs it first, so a reader sees every event committed before it asked.
// With nothing to number it takes no lock, so that feed readers do not
// queue on it; a batch is then one round trip: the lock and the numbering
// are one implicit transaction, and the numbering, a statement of its own,
// takes its snapshot once the lock is held. It commits with the WAL
// flushed: a seq a reader saw must survive a crash of PostgreSQL, since an
// event committed after it with a lower n would be numbered before it on
// the replay.
func (db *DB) sequence(ctx context.Context) error {
	for {
		var pending bool
		if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE seq IS NULL)`).Scan(&pending); err != nil || !pending {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock($1), set_config('enable_bitmapscan', 'off', true)`, int64(sequenceLock))
		b.Queue(numberEvents, sequenceBatch)
		br := db.pool.SendBatch(ctx, b)
		_, err := br.Exec()
		var tag pgconn.CommandTag
		if err == nil {
			tag, err = br.Exec()
		}
		if err = errors.Join(err, br.Close()); err != nil || tag.RowsAffected() < sequenceBatch {
			return err
		}
	}
}

// numberEvents numbers the oldest $1 unnumbered events (by n), continuing
// each partner's counter. Under sequenceLock, its snapshot sees every
// batch numbered before. It runs without bitmap scans: the entries of
// events_unsequenced outlive the numbering until a vacuum, and a bitmap
// scan visits every one of them each time (7 ms for 8 rows among 19,000
// entries, measured under lifecycle load), where an index scan marks
// those it finds dead and then skips them (0.25 ms).
const numberEvents = `WITH todo AS (
		SELECT id, partner_id, row_number() OVER (PARTITION BY partner_id ORDER BY n) AS k
		FROM events WHERE seq IS NULL ORDER BY n LIMIT $1),
	counts AS (SELECT partner_id, max(k) AS k FROM todo GROUP BY partner_id),
	c AS (INSERT INTO event_counters AS c (partner_id, seq) SELECT partner_id, k FROM counts
		ON CONFLICT (partner_id) DO UPDATE SET seq = c.seq + excluded.seq
		RETURNING partner_id, seq)
	UPDATE events e SET seq = c.seq - counts.k + todo.k
	FROM todo JOIN counts USING (partner_id) JOIN c USING (partner_id)
	WHERE e.id = todo.id`

// sequenceBatch bounds one sequencing transaction.
const sequenceBatch = 1000

// Events returns a page of a partner's events, oldest first, in one query:
// the retention horizon and the page come from one snapshot.
func (db *DB) Events(ctx context.Context, f coord.EventFilter) ([]*coord.Event, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = coord.DefaultEventPage
	}
	limit = min(limit, coord.MaxEventPage)
	if err := db.sequence(ctx); err != nil {
		return nil, fail("postgres: list events", err)
	}
	var pruned int64
	err := db.pool.QueryRow(ctx, `SELECT coalesce((SELECT pruned_through FROM event_counters WHERE partner_id = $1), 0)`,
		f.PartnerID).Scan(&pruned)
	if err != nil {
		return nil, fail("postgres: list events", err)
	}
	after := pruned
	if f.After != nil {
		if *f.After < pruned {
			return nil, coord.Errorf(coord.ECursorExpired, "events after %d are no longer kept; the oldest kept follows %d", *f.After, pruned)
		}
		after = *f.After
	}
	rows, err := db.pool.Query(ctx, `SELECT `+eventCols+` FROM events
		WHERE partner_id = $1 AND seq > $2 AND ($3 = '' OR type = $3) ORDER BY seq LIMIT $4`,
		f.PartnerID, after, string(f.Type), limit)
	if err != nil {
		return nil, fail("postgres: list events", err)
	}
	list, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, fail("postgres: list events", err)
	}
	if list == nil {
		list = []*coord.Event{}
	}
	return list, nil
}

// PruneEvents deletes, per partner, every event up to the newest one created
// before cutoff, and records how far it went so that older cursors are
// refused rather than silently skipping what was deleted.
func (db *DB) PruneEvents(ctx context.Context, cutoff time.Time) (int, error) {
	if err := db.sequence(ctx); err != nil { // only numbered events are pruned
		return 0, fail("postgres: prune events", err)
	}
	var deleted int
	err := db.pool.QueryRow(ctx, `WITH m AS (
			SELECT partner_id, max(seq) AS seq FROM events WHERE created_at < $1 AND seq IS NOT NULL GROUP BY partner_id),
		d AS (DELETE FROM events e USING m WHERE e.partner_id = m.partner_id AND e.seq <= m.seq RETURNING 1),
		c AS (UPDATE event_counters c SET pruned_through = greatest(c.pruned_through, m.seq)
			FROM m WHERE c.partner_id = m.partner_id)
		SELECT count(*) FROM d`, cutoff).Scan(&deleted)
	if err != nil {
		return 0, fail("postgres: prune events", err)
	}
	// Deliveries and attempts go with the events (the schedule's three
	// days are far inside any retention).
	_, err = db.pool.Exec(ctx, `WITH d AS (DELETE FROM webhook_deliveries WHERE created_at < $1)
		DELETE FROM webhook_attempts WHERE attempted_at < $1`, cutoff)
	return deleted, fail("postgres: prune webhook deliveries", err)
}

// ListenChanges follows the notifications of every replica's commits on a
// connection of its own, reconnecting after failures, until ctx is done.
// After each (re)connection it reports a Resync, since notifications sent
// while it was away are lost.
func (db *DB) ListenChanges(ctx context.Context, fn func(coord.Change)) error {
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			return pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
		},
		ReconnectDelay: time.Second,
		LogError:       func(context.Context, error) {}, // the pool's own failures are reported by requests
	}
	l.Handle(db.channel, changeHandler(fn))
	err := l.Listen(ctx)
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return nil
	}
	return err
}

// changeHandler turns notifications into changes.
type changeHandler func(coord.Change)

func (h changeHandler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	parts := strings.SplitN(n.Payload, " ", 4)
	if len(parts) != 4 {
		return fmt.Errorf("notification %q: want seq, session, type and partner", n.Payload)
	}
	seq, err1 := strconv.ParseInt(parts[0], 10, 64)
	session, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("notification %q: %w", n.Payload, err)
	}
	h(coord.Change{Seq: seq, SessionID: session, Type: coord.EventType(parts[2]), PartnerID: parts[3]})
	return nil
}

// HandleBacklog runs after each LISTEN: whatever changed while the listener
// was not connected is unknown, so every waiter re-reads.
func (h changeHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h(coord.Change{Resync: true})
	return nil
}

// eventCols are the columns scanEvent reads, in its order.
const eventCols = `id, seq, type, created_at, user_id::text, test, partner_id, data`

// scanEvent reads one row of eventCols: the feed's events and the bodies
// of their webhook deliveries come from the same scan.
func scanEvent(row pgx.CollectableRow) (*coord.Event, error) {
	e := &coord.Event{}
	var data []byte
	if err := row.Scan(&e.ID, &e.Seq, &e.Type, &e.CreatedAt, &e.UserID, &e.Test, &e.PartnerID, &data); err != nil {
		return nil, err
	}
	e.CreatedAt = e.CreatedAt.UTC()
	return e, e.SetData(data)
}
