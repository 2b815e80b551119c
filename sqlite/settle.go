package sqlite

import (
	"context"
	"fmt"

	"github.com/coordapi/coord"
)

// Settlement is pure SQL: Redeem stored the exit time and its bill, and a
// pending session's expiry is known from its creation, so settling a due
// session needs no Go and gives the same result whoever runs it, whenever.
// Both statements are conditional on the status, so concurrent settlers
// (lazy reads, SettleDue on several replicas) change each row once.
const (
	settleExits = `UPDATE sessions SET status = 'ended', end_time = exit_at,
		cost_amount = planned_amount, cost_currency = planned_currency, version = version + 1
		WHERE status = 'active' AND exit_at <= ?`
	settleExpired = `UPDATE sessions SET status = 'cancelled', cost_amount = 0, cost_currency = currency, version = version + 1
		WHERE status = 'pending' AND expires_at <= ?`
	// The status term repeats the partial unique index's condition so that
	// SQLite uses that index: one row per user instead of their history.
	ofUser = ` AND user_id = ? AND status IN ('pending', 'active')`
	// Each settled session gets its event.
	settledRows = ` RETURNING ` + sessionCols
)

// settledEvents is the event of each settlement statement.
var settledEvents = [...]coord.EventType{coord.EventSessionEnded, coord.EventSessionCancelled}

// settle settles the sessions due by now, of one user or (userID == "") of
// everyone, and returns how many changed.
func settle(ctx context.Context, q querier, now int64, userID string) (int, error) {
	args := []any{now}
	exits, expired := settleExits, settleExpired
	if userID != "" {
		args = append(args, userID)
		exits, expired = exits+ofUser, expired+ofUser
	}
	n := 0
	for i, stmt := range []string{exits + settledRows, expired + settledRows} {
		settled, err := settledSessions(ctx, q, stmt, args)
		if err != nil {
			return n, fmt.Errorf("settle: %w", err)
		}
		for _, r := range settled {
			if err := sessionEvent(ctx, q, now, settledEvents[i], r); err != nil {
				return n, err
			}
		}
		n += len(settled)
	}
	return n, nil
}

// settledSessions runs a settlement statement and reads the rows it changed,
// all of them before any other statement runs.
func settledSessions(ctx context.Context, q querier, stmt string, args []any) ([]*sessionRow, error) {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*sessionRow
	for rows.Next() {
		r, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// SettleDue ends sessions whose simulated exit is due and cancels pending
// sessions past their expiry, returning how many changed.
func (db *DB) SettleDue(ctx context.Context) (int, error) {
	now := db.now()
	var n int
	err := db.write(ctx, func(ctx context.Context, tx querier) (err error) {
		n, err = settle(ctx, tx, now, "")
		return err
	})
	if err != nil {
		return 0, db.fail(err, "settle due sessions")
	}
	return n, nil
}
