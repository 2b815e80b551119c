package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"time"

	"github.com/coordapi/coord"
)

// CreateSession inserts a session; see coord.SessionStore. created is
// whether this call inserted it rather than finding its idempotency key:
// the single writer makes the lookup and the insert one step.
func (db *DB) CreateSession(ctx context.Context, ns coord.NewSession) (*coord.Session, bool, error) {
	// The user is read as the service read it before the store took the
	// check: fresh, just before the write; a change committed in between is
	// one that came after the start.
	if ns.Admit != nil {
		u, err := db.User(ctx, ns.UserID)
		if err != nil {
			return nil, false, err
		}
		if err := ns.Admit(u); err != nil {
			return nil, false, err
		}
	}
	now := db.now()
	var s *coord.Session
	var created bool
	err := db.write(ctx, func(ctx context.Context, tx querier) error {
		created = false
		// A due exit or expiry must not block the new session.
		if _, err := settle(ctx, tx, now, ns.UserID); err != nil {
			return err
		}
		if ns.IdempotencyKey != "" {
			prior, fingerprint, err := keyedSession(ctx, tx, ns.UserID, ns.IdempotencyKey)
			if err == nil {
				if !ns.Replays(&prior.Session, fingerprint) {
					return coord.ErrIdempotencyKeyReused(prior.ID)
				}
				s = &prior.Session
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		id, err := insertSession(ctx, tx, ns, now, db.cfg.PendingTTL)
		if isUnique(err) {
			// The partial unique index on open sessions refused it.
			var open int64
			if qerr := tx.QueryRowContext(ctx, `SELECT id FROM sessions
				WHERE user_id = ? AND status IN ('pending', 'active')`, ns.UserID).Scan(&open); qerr != nil {
				return errors.Join(err, qerr)
			}
			return coord.ErrOpenSessionExists(open)
		}
		if isForeignKey(err) {
			return coord.ErrUserNotFound(ns.UserID)
		}
		if err != nil {
			return err
		}
		if ns.IdempotencyKey != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, session_id, created_at, fingerprint)
				VALUES (?, ?, ?, ?, ?)`, ns.UserID, ns.IdempotencyKey, id, now, ns.Fingerprint()); err != nil {
				return err
			}
		}
		r, err := sessionByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := sessionEvent(ctx, tx, now, coord.EventSessionCreated, r); err != nil {
			return err
		}
		s, created = &r.Session, true
		return nil
	})
	if err != nil {
		return nil, false, db.fail(err, "create session for user %s", ns.UserID)
	}
	return s, created, nil
}

// insertSession inserts ns as created now and returns its id: app sessions
// start at once, gate sessions wait pending with a barcode for ttl.
func insertSession(ctx context.Context, tx querier, ns coord.NewSession, now int64, ttl time.Duration) (int64, error) {
	status, start := coord.StatusActive, sql.NullInt64{Int64: now, Valid: true}
	var barcode sql.NullString
	var expires sql.NullInt64
	if ns.Gate {
		status, start = coord.StatusPending, sql.NullInt64{}
		barcode = sql.NullString{String: newBarcode(), Valid: true}
		expires = sql.NullInt64{Int64: now + ttl.Milliseconds(), Valid: true}
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO sessions
		(user_id, location_id, resource_id, status, barcode, currency, created_at, expires_at, start_time)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ns.UserID, ns.LocationID, ns.ResourceID, status, barcode, ns.Currency, now, expires, start).Scan(&id)
	return id, err
}

// newBarcode returns unguessable redemption data: 128 random bits in base32.
func newBarcode() string { return "CRD-" + rand.Text() }

// keyedSession is the session created with a user's idempotency key, and
// the fingerprint of the request that created it.
func keyedSession(ctx context.Context, q querier, userID, key string) (*sessionRow, string, error) {
	var fingerprint string
	r, err := scanSession(fingerprinted{q.QueryRowContext(ctx, `SELECT
		(SELECT fingerprint FROM idempotency_keys WHERE user_id = ? AND key = ?), `+sessionCols+` FROM sessions
		WHERE id = (SELECT session_id FROM idempotency_keys WHERE user_id = ? AND key = ?)`,
		userID, key, userID, key), &fingerprint})
	return r, fingerprint, err
}

// fingerprinted scans a key's fingerprint, the first column, then the rest.
type fingerprinted struct {
	row         interface{ Scan(...any) error }
	fingerprint *string
}

func (f fingerprinted) Scan(dest ...any) error {
	return f.row.Scan(append([]any{f.fingerprint}, dest...)...)
}

func sessionByID(ctx context.Context, q querier, id int64) (*sessionRow, error) {
	return scanSession(q.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id))
}

// userSession is one of a user's sessions at a location; anything else is
// ENotFound, so that other users' ids leak nothing.
func userSession(ctx context.Context, q querier, ref coord.SessionRef) (*sessionRow, error) {
	r, err := scanSession(q.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE id = ? AND user_id = ? AND location_id = ?`, ref.ID, ref.UserID, ref.LocationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, coord.ErrSessionNotFound(ref.ID)
	}
	return r, err
}

// Session returns one of the user's sessions at a location. The common case
// is a hit in the session cache (sessioncache.go) or one indexed read; only
// a due session costs a write.
func (db *DB) Session(ctx context.Context, ref coord.SessionRef) (*coord.Session, error) {
	now := db.now()
	r, ok := db.sessions.get(ref, now)
	var err error
	if !ok {
		gen := db.sessions.generation()
		if r, err = userSession(ctx, db.ro, ref); err == nil {
			db.sessions.put(r, now, gen)
		}
	}
	if err == nil && r.due(now) {
		err = db.write(ctx, func(ctx context.Context, tx querier) (err error) {
			if _, err = settle(ctx, tx, now, ref.UserID); err != nil {
				return err
			}
			r, err = userSession(ctx, tx, ref)
			return err
		})
	}
	if err != nil {
		return nil, db.fail(err, "session %d", ref.ID)
	}
	s := r.Session // the cached row stays as it was read
	return &s, nil
}

// Sessions lists a page of the user's sessions, newest first.
func (db *DB) Sessions(ctx context.Context, f coord.SessionFilter) ([]*coord.Session, error) {
	f = f.Page()
	now := db.now()
	rows, due, err := db.listPage(ctx, now, f)
	if err == nil && due {
		// In the write transaction, one query: the rows settled just now
		// are read as they are now.
		query, args := listQuery(f)
		err = db.write(ctx, func(ctx context.Context, tx querier) (err error) {
			if _, err = settle(ctx, tx, now, f.UserID); err != nil {
				return err
			}
			rows, _, err = listSessions(ctx, tx, now, f, query, args)
			return err
		})
	}
	if err != nil {
		return nil, db.fail(err, "sessions of user %s", f.UserID)
	}
	return rows, nil
}

// listSessions runs a page query and reports whether any row is due.
func listSessions(ctx context.Context, q querier, now int64, f coord.SessionFilter, query string, args []any) ([]*coord.Session, bool, error) {
	rows, err := listRows(ctx, q, f, query, args)
	if err != nil {
		return nil, false, err
	}
	list, due := sessionsOf(rows, now)
	return list, due, nil
}

// listRows reads the rows of a query of listCols (and location_id, if f
// leaves it open), at most f.Limit.
func listRows(ctx context.Context, q querier, f coord.SessionFilter, query string, args []any) ([]*listRow, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := make([]*listRow, 0, f.Limit)
	sc := newListScanner(f)
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// sessionsOf is rows as sessions, and whether any is due.
func sessionsOf(rows []*listRow, now int64) ([]*coord.Session, bool) {
	list, due := make([]*coord.Session, len(rows)), false
	for i, r := range rows {
		due = due || r.due(now)
		list[i] = &r.Session
	}
	return list, due
}

// EndSession ends and bills an active app-controlled session; see
// coord.SessionStore. The conditional UPDATE bills a session once, however
// many calls race, and ended is whether it changed the row in this call.
func (db *DB) EndSession(ctx context.Context, ref coord.SessionRef, price coord.Price) (*coord.Session, bool, error) {
	id := ref.ID
	now := db.now()
	var s *coord.Session
	var ended bool
	err := db.write(ctx, func(ctx context.Context, tx querier) error {
		ended = false
		r, err := userSession(ctx, tx, ref)
		if err != nil {
			return err
		}
		if r.GateControlled() {
			return coord.ErrPhysicalCheckout(id)
		}
		if r.Status == coord.StatusActive {
			// The writer is the only one: the session is still as just read.
			cost := price.Cost(millis(now - r.StartTime.UnixMilli()))
			if r, err = scanSession(tx.QueryRowContext(ctx, `UPDATE sessions
				SET status = 'ended', end_time = ?, cost_amount = ?, cost_currency = ?, version = version + 1
				WHERE id = ? RETURNING `+sessionCols, now, cost.Amount, cost.Currency, id)); err != nil {
				return err
			}
			ended = true
			if err := sessionEvent(ctx, tx, now, coord.EventSessionEnded, r); err != nil {
				return err
			}
		}
		s = &r.Session
		return nil
	})
	if err != nil {
		return nil, false, db.fail(err, "end session %d", id)
	}
	return s, ended, nil
}

// Redeem plays the gates of a pending gate session: entry now, exit after d.
// It stores the exit and its bill, so the session ends by itself when due.
func (db *DB) Redeem(ctx context.Context, ref coord.SessionRef, d time.Duration, price coord.Price) (*coord.Session, error) {
	id := ref.ID
	if d < 0 {
		return nil, coord.ErrNegativeDuration(d)
	}
	now := db.now()
	exit := now + d.Milliseconds()
	cost := price.Cost(millis(exit - now))
	var s *coord.Session
	err := db.write(ctx, func(ctx context.Context, tx querier) error {
		if _, err := settle(ctx, tx, now, ref.UserID); err != nil { // an expired session is not redeemable
			return err
		}
		r, err := userSession(ctx, tx, ref)
		if err != nil {
			return err
		}
		if !r.GateControlled() || r.Status != coord.StatusPending {
			return coord.ErrNotRedeemable(id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions
			SET status = 'active', start_time = ?, exit_at = ?, planned_amount = ?, planned_currency = ?, version = version + 1
			WHERE id = ? AND status = 'pending'`, now, exit, cost.Amount, cost.Currency, id); err != nil {
			return err
		}
		started, err := sessionByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := sessionEvent(ctx, tx, now, coord.EventSessionStarted, started); err != nil {
			return err
		}
		if _, err := settle(ctx, tx, now, ref.UserID); err != nil { // d == 0: the exit is due now
			return err
		}
		if r, err = sessionByID(ctx, tx, id); err != nil {
			return err
		}
		s = &r.Session
		return nil
	})
	if err != nil {
		return nil, db.fail(err, "redeem session %d", id)
	}
	return s, nil
}
