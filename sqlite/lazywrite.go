package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
)

// writeLazy is write without the fsync at commit: synchronous=NORMAL for
// this one transaction, on the writer connection held throughout. In WAL
// mode such a commit is atomic and survives a crash of the process (the
// SIGKILL case), but a power loss may undo it. It is for writes whose loss
// only repeats work — webhook claims: a lost one is claimed again — so
// that they do not take the writer's fsyncs from the API's writes. The
// next FULL commit syncs them anyway.
func (db *DB) writeLazy(ctx context.Context, fn func(tx querier) error) (err error) {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		conn.Close()
		return fmt.Errorf("begin: %w", err)
	}
	var q inTx
	defer func() {
		// Back to FULL before anyone else gets the connection; if that
		// fails, the connection is discarded rather than left lax.
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = FULL`); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("restore synchronous=FULL: %w", rerr))
		}
		conn.Close()
		if q.missed != nil {
			q.prepareMissed(ctx) // needs the connection back in the pool
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	q = db.writerStmts.in(tx)
	if err := fn(q); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
