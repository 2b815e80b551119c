package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
)

// A settlement is one pure-SQL transition of a session whose time has come.
// Each is a conditional UPDATE that re-checks its condition on the row it
// locks, so replicas settling the same row at once change it only once.
type settlement struct {
	due   string // WHERE condition; $1 is now
	set   string // SET clause
	event coord.EventType
}

var (
	// A redeemed gate session ends at its simulated exit with the bill
	// planned when it was redeemed.
	exitSettlement = settlement{
		due:   `status = 'active' AND exit_at <= $1`,
		set:   `status = 'ended', end_time = exit_at, cost_amount = planned_amount, cost_currency = planned_currency`,
		event: coord.EventSessionEnded,
	}
	// A gate session never redeemed is cancelled at no cost. It never
	// started, so it has no end time either.
	expirySettlement = settlement{
		due:   `status = 'pending' AND expires_at <= $1`,
		set:   `status = 'cancelled', cost_amount = 0, cost_currency = currency`,
		event: coord.EventSessionCancelled,
	}
)

// settleBatch bounds one bulk UPDATE, so that a large backlog is settled in
// short transactions rather than one long lock-holding one.
const settleBatch = 500

// SettleDue ends sessions whose simulated exit has passed and cancels pending
// sessions past their expiry, each with its event. Replicas running it at
// once share the work: each batch skips rows another replica has locked.
func (db *DB) SettleDue(ctx context.Context) (int, error) {
	now := db.now()
	total := 0
	for _, st := range []settlement{exitSettlement, expirySettlement} {
		for {
			n, err := db.settleBatch(ctx, st, now)
			if err != nil {
				return total, fail("postgres: settle due sessions", err)
			}
			total += n
			if n < settleBatch {
				break
			}
		}
	}
	return total, nil
}

// settleBatch settles up to settleBatch due sessions in one transaction.
func (db *DB) settleBatch(ctx context.Context, st settlement, now time.Time) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE sessions SET `+st.set+`, version = version + 1 WHERE `+st.due+` AND id IN (
			SELECT id FROM sessions WHERE `+st.due+` LIMIT $2 FOR UPDATE SKIP LOCKED)
			RETURNING `+sessionCols, now, settleBatch)
		if err != nil {
			return err
		}
		settled, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*sessionRow, error) { return scanSession(row) })
		if err != nil {
			return err
		}
		evs := make([]pendingEvent, len(settled))
		for i, r := range settled {
			evs[i] = sessionEvent(st.event, r)
		}
		n = len(settled)
		return db.appendEvents(ctx, tx, now, evs...)
	})
	return n, err
}

// settled returns r's session as it stands at now: settled first, with its
// event, if its exit or expiry is due (lazy settlement), else unchanged
// without a query.
func (db *DB) settled(ctx context.Context, r *sessionRow, now time.Time) (*coord.Session, error) {
	if !r.due(now) {
		return r.Session, nil
	}
	var s *sessionRow
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var ev *pendingEvent
		var err error
		if s, ev, err = settleRow(ctx, tx, r, now); err != nil || ev == nil {
			return err
		}
		return db.appendEvents(ctx, tx, now, *ev)
	})
	if err != nil {
		return nil, err
	}
	return s.Session, nil
}

// settleRow settles r in tx if it is still due and returns the session as it
// stands, with the event to append when this call changed it.
func settleRow(ctx context.Context, tx pgx.Tx, r *sessionRow, now time.Time) (*sessionRow, *pendingEvent, error) {
	st := exitSettlement
	if r.Status == coord.StatusPending {
		st = expirySettlement
	}
	s, err := scanSession(tx.QueryRow(ctx,
		`UPDATE sessions SET `+st.set+`, version = version + 1 WHERE id = $2 AND `+st.due+` RETURNING `+sessionCols, now, r.ID))
	if errors.Is(err, pgx.ErrNoRows) {
		// Someone else settled it first; read what they wrote.
		s, err = scanSession(tx.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = $1`, r.ID))
		return s, nil, err
	}
	if err != nil {
		return nil, nil, err
	}
	ev := sessionEvent(st.event, s)
	return s, &ev, nil
}
