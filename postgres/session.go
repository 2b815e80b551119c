package postgres

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
)

// Session returns one of the user's sessions at a location: one indexed
// SELECT, plus a settling UPDATE only when the session is due.
func (db *DB) Session(ctx context.Context, ref coord.SessionRef) (*coord.Session, error) {
	now := db.now()
	r, err := db.userSession(ctx, ref)
	if err != nil {
		return nil, fail("postgres: get session", err)
	}
	s, err := db.settled(ctx, r, now)
	return s, fail("postgres: get session", err)
}

// userSession reads a session if it is the user's and at the location; any
// other case is ENotFound, so that ids of other users' sessions do not leak.
// A session read is kept in recent for an end that may follow.
func (db *DB) userSession(ctx context.Context, ref coord.SessionRef) (*sessionRow, error) {
	r, err := db.reads.read(ctx, ref)
	if errors.Is(err, pgx.ErrNoRows) {
		db.recent.forget(ref.ID)
		return nil, coord.ErrSessionNotFound(ref.ID)
	}
	if err == nil {
		db.recent.saw(r)
	}
	return r, err
}

// Sessions lists a page of the user's sessions, newest first, from the
// sessions_user_newest or (with a location) sessions_user_location_newest
// index.
func (db *DB) Sessions(ctx context.Context, f coord.SessionFilter) ([]*coord.Session, error) {
	f = f.Page()
	list := []*coord.Session{}
	uid, ok := parseUserID(f.UserID)
	if !ok {
		return list, nil
	}
	// A plain id < $2 (rather than "$2 = 0 OR ...") lets the index range
	// start at the page boundary even in a generic plan; for the same reason
	// the location condition is only there when there is a location.
	before := f.BeforeID
	if before == 0 {
		before = math.MaxInt64
	}
	query, args := `SELECT `+sessionCols+` FROM sessions
		WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, []any{uid, before, f.Limit}
	if f.LocationID != "" {
		query, args = `SELECT `+sessionCols+` FROM sessions
		WHERE user_id = $1 AND id < $2 AND location_id = $4 ORDER BY id DESC LIMIT $3`, append(args, f.LocationID)
	}
	now := db.now()
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fail("postgres: list sessions", err)
	}
	page := new(pageText)
	found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*sessionRow, error) { return scanSessionOf(row, page) })
	if err != nil {
		return nil, fail("postgres: list sessions", err)
	}
	for _, r := range found {
		// At most one row (the user's open session) can be due.
		s, err := db.settled(ctx, r, now)
		if err != nil {
			return nil, fail("postgres: list sessions", err)
		}
		list = append(list, s)
	}
	return list, nil
}

// EndSession ends an active app-controlled session. The UPDATE is
// conditional on the session still being active at the version read, so
// of concurrent calls exactly one bills it (and reports ended) and the
// others read back that same result. A session this replica read last
// (recentSessions) is ended without reading it again, unless it changed.
func (db *DB) EndSession(ctx context.Context, ref coord.SessionRef, price coord.Price) (*coord.Session, bool, error) {
	now := db.now()
	if r := db.recent.take(ref); r != nil {
		ended, err := db.endRow(ctx, r, now, price)
		if err == nil {
			return ended.Session, true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, false, fail("postgres: end session", err)
		}
		// It changed since: the long way, from a fresh read.
	}
	r, err := db.userSession(ctx, ref)
	if err != nil {
		return nil, false, fail("postgres: end session", err)
	}
	if r.GateControlled() {
		return nil, false, coord.ErrPhysicalCheckout(ref.ID)
	}
	if r.Status != coord.StatusActive {
		return r.Session, false, nil
	}
	ended, err := db.endRow(ctx, r, now, price)
	billed := err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		// A concurrent call ended it; return what it billed.
		ended, err = db.userSession(ctx, ref)
	}
	if err != nil {
		return nil, false, fail("postgres: end session", err)
	}
	return ended.Session, billed, nil
}

// endWithEvent is endRow's statement, made once.
var endWithEvent = withEvent(`UPDATE sessions
		SET status = 'ended', end_time = $2, cost_amount = $3, cost_currency = $4, version = version + 1
		WHERE id = $1 AND status = 'active' AND version = $5 RETURNING `+sessionCols, 5)

// endRow ends and bills r, an active app-controlled session as read, with
// its event, in one statement; pgx.ErrNoRows when the session is no longer
// as read.
func (db *DB) endRow(ctx context.Context, r *sessionRow, now time.Time, price coord.Price) (*sessionRow, error) {
	// Clocks of replicas differ slightly: never end before the start.
	end := now
	if end.Before(*r.StartTime) {
		end = *r.StartTime
	}
	cost := price.Cost(end.Sub(*r.StartTime))
	// The session as the UPDATE leaves it, for its event; the version
	// condition makes the prediction exact or the UPDATE a no-op.
	after := *r.Session
	after.Status, after.EndTime, after.Cost, after.Version, after.SettlesAt = coord.StatusEnded, &end, &cost, r.Version+1, nil
	var note string
	ended, err := scanSession(db.pool.QueryRow(ctx, endWithEvent,
		append([]any{r.ID, end, cost.Amount, cost.Currency, r.Version}, eventArgs(coord.EventSessionEnded, now, &after)...)...), &note)
	if err == nil {
		db.notes.send(note)
		db.recent.forget(r.ID)
	}
	return ended, err
}

// Redeem plays both gates of a pending gate session: the entry now, and an
// exit after d that settlement carries out (at once when d is 0).
func (db *DB) Redeem(ctx context.Context, ref coord.SessionRef, d time.Duration, price coord.Price) (*coord.Session, error) {
	id := ref.ID
	if d < 0 {
		return nil, coord.ErrNegativeDuration(d)
	}
	now := db.now()
	r, err := db.userSession(ctx, ref)
	if err != nil {
		return nil, fail("postgres: redeem session", err)
	}
	// An expired session is settled (cancelled) first, like any due row.
	s, err := db.settled(ctx, r, now)
	if err != nil {
		return nil, fail("postgres: redeem session", err)
	}
	notRedeemable := coord.ErrNotRedeemable(id)
	if !s.GateControlled() || s.Status != coord.StatusPending {
		return nil, notRedeemable
	}
	cost := price.Cost(d)
	var redeemed *sessionRow
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		redeemed, err = scanSession(tx.QueryRow(ctx, `UPDATE sessions
			SET status = 'active', start_time = $2, exit_at = $3, planned_amount = $4, planned_currency = $5,
				version = version + 1
			WHERE id = $1 AND status = 'pending' AND (expires_at IS NULL OR expires_at > $2)
			RETURNING `+sessionCols, id, now, utcMillis(now.Add(d)), cost.Amount, cost.Currency))
		if err != nil {
			return err
		}
		evs := []pendingEvent{sessionEvent(coord.EventSessionStarted, redeemed)}
		if redeemed.due(now) { // d == 0: the exit is now, in the same transaction
			var ended *pendingEvent
			if redeemed, ended, err = settleRow(ctx, tx, redeemed, now); err != nil {
				return err
			}
			if ended != nil {
				evs = append(evs, *ended)
			}
		}
		return db.appendEvents(ctx, tx, now, evs...)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notRedeemable // redeemed or expired concurrently
	}
	if err != nil {
		return nil, fail("postgres: redeem session", err)
	}
	return redeemed.Session, nil
}
