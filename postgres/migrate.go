package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable records the applied migrations. Not goose's default name, so
// that another goose-migrated application sharing the schema cannot collide.
const versionTable = "coord_migrations"

// migrationLock is the key of the advisory lock that serialises migrations
// of one schema, so that replicas starting together do not race. It is keyed
// by schema, so that unrelated schemas (tests, tenants) migrate in parallel.
const migrationLock = `hashtextextended('coord migrations ' || coalesce(current_schema(), ''), 0)`

// migrate applies the embedded migrations to the schema cfg connects to and
// returns the newest version. goose needs database/sql, so it gets its own
// short-lived handle through pgx's stdlib adapter.
//
// The lock is held around all of goose's work, not with goose's
// SessionLocker: goose checks for pending migrations, creating its version
// table if missing, before it takes that lock, so replicas starting on an
// empty schema would collide there and back off for a second. The lock is
// pg_advisory_lock, which waits without polling (bounded by ctx), so waiting
// replicas go on as soon as the first is done.
func migrate(ctx context.Context, cfg *pgx.ConnConfig) (version int64, err error) {
	return migrateTo(ctx, cfg, goose.MaxVersion)
}

// migrateTo is migrate up to version only (tests build old schemas with it).
// It returns the newest embedded version, whatever it applied.
func migrateTo(ctx context.Context, cfg *pgx.ConnConfig, target int64) (version int64, err error) {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return 0, err
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer func() { err = errors.Join(err, sqlDB.Close()) }()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations,
		goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return 0, fmt.Errorf("goose: %w", err)
	}

	// Closing sqlDB ends the session and so releases the lock, also when
	// the unlock fails.
	lockConn, err := sqlDB.Conn(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := lockConn.ExecContext(ctx, `SELECT pg_advisory_lock(`+migrationLock+`)`); err != nil {
		return 0, fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		_, unlockErr := lockConn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+migrationLock+`)`)
		err = errors.Join(err, unlockErr, lockConn.Close())
	}()

	if _, err := p.UpTo(ctx, target); err != nil {
		return 0, err
	}
	sources := p.ListSources()
	return sources[len(sources)-1].Version, nil
}
