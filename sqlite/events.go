package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/coordapi/coord"
)

// appendEvent appends an event to the log in the caller's write
// transaction, numbered after the partner's newest (or, when retention
// deleted them all, after the last deleted): one statement, through the
// (partner_id, seq) index. The writer is one connection, so seqs are taken,
// and become visible, in commit order. The transaction notes the change,
// for the listeners once it commits.
func appendEvent(ctx context.Context, tx querier, now int64, typ coord.EventType, userID string, sessionID int64, data []byte) error {
	ch := coord.Change{Type: typ, SessionID: sessionID}
	session := sql.NullInt64{Int64: sessionID, Valid: sessionID != 0}
	id := coord.NewEventID(time.UnixMilli(now))
	var test bool
	err := tx.QueryRowContext(ctx, `INSERT INTO events (id, partner_id, seq, type, user_id, test, session_id, created_at, data)
		SELECT ?, u.partner_id, max(
				coalesce((SELECT max(seq) FROM events e WHERE e.partner_id = u.partner_id), 0),
				coalesce((SELECT pruned_through FROM event_counters c WHERE c.partner_id = u.partner_id), 0)) + 1,
			?, u.user_id, u.test, ?, ?, ?
		FROM users u WHERE u.user_id = ?
		RETURNING partner_id, seq, test`,
		id, string(typ), session, now, string(data), userID).Scan(&ch.PartnerID, &ch.Seq, &test)
	if err != nil {
		return fmt.Errorf("append %s event: %w", typ, err)
	}
	if q, ok := tx.(inTx); ok {
		*q.appended = append(*q.appended, ch)
		if q.events != nil {
			*q.events = append(*q.events, appendedEvent{Event: coord.Event{ID: id, Seq: ch.Seq, Type: typ,
				CreatedAt: time.UnixMilli(now).UTC(), UserID: userID, PartnerID: ch.PartnerID, Test: test}, data: data})
		}
	}
	return nil
}

// appendedEvent is an event as a write appended it, its data not yet
// decoded: what the webhook handoff renders its deliveries' bodies from
// (sqlite/handoff.go), without reading the event back. A session's event
// keeps the session as stored, so that rendering it decodes nothing.
type appendedEvent struct {
	coord.Event
	data    []byte
	session *coord.Session
}

// sessionEvent appends an event about a session as it now stands, and
// notes the session so for the cache (see sessionCache.committed).
func sessionEvent(ctx context.Context, tx querier, now int64, typ coord.EventType, r *sessionRow) error {
	if err := appendEvent(ctx, tx, now, typ, r.UserID, r.ID, coord.SessionEventData(&r.Session)); err != nil {
		return err
	}
	if q, ok := tx.(inTx); ok {
		if q.after != nil {
			*q.after = append(*q.after, r)
		}
		if q.events != nil {
			stored := r.Session
			(*q.events)[len(*q.events)-1].session = &stored
		}
	}
	return nil
}

// userEvent appends an event about a user as they now stand.
func userEvent(ctx context.Context, tx querier, now int64, typ coord.EventType, userID string) error {
	u, err := getUser(ctx, tx, userID)
	if err != nil {
		return err
	}
	return appendEvent(ctx, tx, now, typ, userID, 0, coord.UserEventData(u))
}

// Events returns a page of a partner's events, oldest first.
func (db *DB) Events(ctx context.Context, f coord.EventFilter) ([]*coord.Event, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = coord.DefaultEventPage
	}
	limit = min(limit, coord.MaxEventPage)
	var list []*coord.Event
	err := db.read(ctx, func(tx querier) error {
		var pruned int64
		err := tx.QueryRowContext(ctx, `SELECT pruned_through FROM event_counters WHERE partner_id = ?`, f.PartnerID).Scan(&pruned)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		after := pruned
		if f.After != nil {
			if *f.After < pruned {
				return coord.Errorf(coord.ECursorExpired, "events after %d are no longer kept; the oldest kept follows %d", *f.After, pruned)
			}
			after = *f.After
		}
		query, args := `SELECT id, seq, type, created_at, user_id, test, data FROM events
			WHERE partner_id = ? AND seq > ? ORDER BY seq LIMIT ?`, []any{f.PartnerID, after, limit}
		if f.Type != "" {
			query, args = `SELECT id, seq, type, created_at, user_id, test, data FROM events
				WHERE partner_id = ? AND type = ? AND seq > ? ORDER BY seq LIMIT ?`, []any{f.PartnerID, string(f.Type), after, limit}
		}
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		list = []*coord.Event{}
		for rows.Next() {
			e := &coord.Event{PartnerID: f.PartnerID}
			var created int64
			var data string
			if err := rows.Scan(&e.ID, &e.Seq, &e.Type, &created, &e.UserID, &e.Test, &data); err != nil {
				return err
			}
			e.CreatedAt = time.UnixMilli(created).UTC()
			if err := e.SetData([]byte(data)); err != nil {
				return err
			}
			list = append(list, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.fail(err, "events of partner %s", f.PartnerID)
	}
	return list, nil
}

// PruneEvents deletes, per partner, every event up to the newest one created
// before cutoff, and records how far it went so that older cursors are
// refused rather than silently skipping what was deleted.
func (db *DB) PruneEvents(ctx context.Context, cutoff time.Time) (int, error) {
	deleted := 0
	err := db.write(ctx, func(ctx context.Context, tx querier) error {
		deleted = 0
		rows, err := tx.QueryContext(ctx, `SELECT partner_id, max(seq) FROM events WHERE created_at < ? GROUP BY partner_id`, cutoff.UnixMilli())
		if err != nil {
			return err
		}
		through := map[string]int64{}
		for rows.Next() {
			var p string
			var seq int64
			if err := rows.Scan(&p, &seq); err != nil {
				rows.Close()
				return err
			}
			through[p] = seq
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		// Deliveries and attempts go with the events (the schedule's
		// three days are far inside any retention), in id order (migration
		// 00007): every row before the first one at or after the cutoff.
		for _, stmt := range []string{pruneBefore("webhook_deliveries", "created_at"),
			pruneBefore("webhook_attempts", "attempted_at")} {
			if _, err := tx.ExecContext(ctx, stmt, cutoff.UnixMilli()); err != nil {
				return err
			}
		}
		for p, seq := range through {
			res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE partner_id = ? AND seq <= ?`, p, seq)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			deleted += int(n)
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_counters (partner_id, seq, pruned_through) VALUES (?, 0, ?)
				ON CONFLICT (partner_id) DO UPDATE SET pruned_through = max(pruned_through, excluded.pruned_through)`,
				p, seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, db.fail(err, "prune events")
	}
	return deleted, nil
}

// pruneBefore deletes the rows of table before the first one (in id order)
// whose at column is at or after the cutoff, or every row when none is: a
// scan in id order that stops there, with no index on at. Ids follow the
// writer's commits, so what it leaves of rows older than the cutoff (one
// committed just after a newer one) is a few milliseconds' worth, taken
// by the next prune; it never deletes a row at or after the cutoff.
func pruneBefore(table, at string) string {
	return `DELETE FROM ` + table + ` WHERE id < coalesce(
		(SELECT id FROM ` + table + ` WHERE ` + at + ` >= ?1 ORDER BY id LIMIT 1),
		(SELECT max(id) + 1 FROM ` + table + `), 0)`
}

// changes tells in-process listeners what each write transaction appended.
// SQLite has no notifications across processes; a second process on the
// same file is seen by waiters only on their safety re-check.
type changes struct {
	mu        sync.Mutex
	listeners map[*func(coord.Change)]struct{}
}

// ListenChanges calls fn for every event this process commits until ctx is done.
func (db *DB) ListenChanges(ctx context.Context, fn func(coord.Change)) error {
	c := &db.changes
	c.mu.Lock()
	if c.listeners == nil {
		c.listeners = map[*func(coord.Change)]struct{}{}
	}
	c.listeners[&fn] = struct{}{}
	c.mu.Unlock()
	<-ctx.Done()
	c.mu.Lock()
	delete(c.listeners, &fn)
	c.mu.Unlock()
	return nil
}

// publish tells the listeners about a committed transaction's events.
func (c *changes) publish(list []coord.Change) {
	if len(list) == 0 {
		return
	}
	c.mu.Lock()
	fns := make([]func(coord.Change), 0, len(c.listeners))
	for fn := range c.listeners {
		fns = append(fns, *fn)
	}
	c.mu.Unlock()
	for _, ch := range list {
		for _, fn := range fns {
			fn(ch)
		}
	}
}
