package postgres

import (
	"context"
	"database/sql"
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

// migrate applies the embedded migrations to the schema cfg connects to and
// returns the newest version. goose needs database/sql, so it gets its own
// short-lived handle through pgx's stdlib adapter.
func migrate(ctx context.Context, cfg *pgx.ConnConfig) (version int64, err error) {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return 0, err
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer func() { err = errors.Join(err, sqlDB.Close()) }()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations,
		goose.WithTableName(versionTable),
		goose.WithSessionLocker(schemaLocker{}),
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return 0, fmt.Errorf("goose: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, err
	}
	sources := p.ListSources()
	return sources[len(sources)-1].Version, nil
}

// schemaLocker serialises migrations of one schema with a session-level
// advisory lock, so that replicas starting together do not race. Unlike
// goose's lock.NewPostgresSessionLocker it blocks in pg_advisory_lock instead
// of polling every few seconds, so waiting replicas proceed as soon as the
// first one is done (the caller's context bounds the wait), and it keys the
// lock by schema, so that unrelated schemas (tests, tenants) migrate in
// parallel.
type schemaLocker struct{}

const lockKey = `hashtextextended('coord migrations ' || coalesce(current_schema(), ''), 0)`

func (schemaLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+lockKey+`)`); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	return nil
}

func (schemaLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(`+lockKey+`)`); err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}
