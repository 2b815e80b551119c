// Package postgres is the PostgreSQL implementation of coord.Store, for
// deployments where several server replicas share one database.
//
// Every invariant (one open session per user, one bill per session,
// idempotency keys, one user per partner and external uid) is enforced by
// PostgreSQL itself, with unique indexes and conditional updates, so nothing
// correctness-relevant lives in process memory.
package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coordapi/coord"
)

// DB is a coord.Store on a PostgreSQL connection pool.
type DB struct {
	// cfg has its defaults applied; its clock is read once per operation so
	// that an operation sees one instant.
	cfg coord.StoreConfig

	pool *pgxpool.Pool
	// version is the newest embedded migration, which Ping expects applied.
	version int64
	// channel carries the notifications of commits; named after the schema,
	// since NOTIFY channels are per database, not per schema.
	channel string
	notes   *notifier
	reads   *sessionReads
	recent  *recentSessions
	users   *userCache
}

var _ coord.Store = (*DB)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string; search_path picks the schema, pool_max_conns and the
// other pgxpool parameters size the pool), applies the embedded migrations
// under an advisory lock, and returns the store. The pool reconnects by
// itself after an outage.
func Open(ctx context.Context, dsn string, store coord.StoreConfig) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	version, err := migrate(ctx, cfg.ConnConfig)
	if err != nil {
		return nil, fail("postgres: migrate", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fail("postgres: connect", err)
	}
	var schema string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		pool.Close()
		return nil, fail("postgres: connect", err)
	}
	channel := "coord_events:" + schema
	return &DB{cfg: store.WithDefaults(), pool: pool, version: version, channel: channel,
		notes: newNotifier(pool, channel), reads: &sessionReads{pool: pool},
		recent: newRecentSessions(), users: newUserCache()}, nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (db *DB) Close() error {
	db.notes.close()
	db.pool.Close()
	return nil
}

// Ping reports whether the database is reachable, carries this build's
// migrations and would accept a write: a standby (pg_is_in_recovery) or a
// read-only database (default_transaction_read_only) answers reads, but
// every write would fail, so the replica is not ready. One round trip.
func (db *DB) Ping(ctx context.Context) error {
	var migrated, inRecovery bool
	var readOnly string
	err := db.pool.QueryRow(ctx,
		`SELECT EXISTS (SELECT 1 FROM `+versionTable+` WHERE version_id = $1 AND is_applied),
			pg_is_in_recovery(), current_setting('transaction_read_only')`,
		db.version).Scan(&migrated, &inRecovery, &readOnly)
	switch {
	case err != nil:
		return unavailable("postgres: ping", err)
	case !migrated:
		return fmt.Errorf("postgres: ping: %w", coord.Errorf(coord.EUnavailable, "database schema version %d is not applied", db.version))
	case inRecovery:
		return fmt.Errorf("postgres: ping: %w", coord.Errorf(coord.EUnavailable, "database is a standby in recovery: it cannot take a write"))
	case readOnly == "on":
		return fmt.Errorf("postgres: ping: %w", coord.Errorf(coord.EUnavailable, "database is read-only (transaction_read_only is on): it cannot take a write"))
	}
	return nil
}

// inTx runs fn in a transaction, committed unless fn fails.
// The notifications of the events it appended are sent once it committed.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var t pgx.Tx
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { t = tx; return fn(tx) })
	notes := db.notes.take(t)
	if err == nil {
		db.notes.send(notes...)
	}
	return err
}

// now is the operation's instant: UTC, truncated to the milliseconds the API shows.
func (db *DB) now() time.Time {
	return utcMillis(db.cfg.Clock.Now())
}
