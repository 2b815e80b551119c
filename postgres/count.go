package postgres

import "context"

// countOpen counts open sessions through the partial unique index on open
// sessions, leaving out those a settlement would close now.
const countOpen = `SELECT count(*) FROM sessions WHERE status IN ('pending', 'active')
	AND NOT (status = 'active' AND exit_at IS NOT NULL AND exit_at <= $1)
	AND NOT (status = 'pending' AND expires_at IS NOT NULL AND expires_at <= $1)`

// OpenSessions counts the sessions open now, across all users.
func (db *DB) OpenSessions(ctx context.Context) (int64, error) {
	var n int64
	if err := db.pool.QueryRow(ctx, countOpen, db.now()).Scan(&n); err != nil {
		return 0, fail("count open sessions", err)
	}
	return n, nil
}
