package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed upgrades/00002_one_vocabulary.sql
var oneVocabulary string

//go:embed upgrades/00003_idempotency_fingerprint.sql
var idempotencyFingerprint string

// migrate applies the embedded migrations and returns the latest version.
func migrate(ctx context.Context, db *sql.DB) (int64, error) {
	return migrateTo(ctx, db, goose.MaxVersion)
}

// migrateTo applies the migrations up to version (tests build old schemas
// with it) and returns the latest version applied. Each migration runs in
// its own BEGIN IMMEDIATE transaction on db's one connection. SQLite has no
// advisory lock, and a second process may find the same migrations pending
// and run them after the first: so each is harmless when applied again.
func migrateTo(ctx context.Context, db *sql.DB, version int64) (int64, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(
			goose.NewGoMigration(2, &goose.GoFunc{RunTx: upOneVocabulary}, nil),
			goose.NewGoMigration(3, &goose.GoFunc{RunTx: upIdempotencyFingerprint}, nil)))
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	_, latest, err := p.GetVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	return latest, nil
}

// Migrations 2 and 3 run from Go: SQL cannot write them to be harmless when
// applied twice.
var (
	upOneVocabulary          = unlessColumn("sessions", "cost_amount", oneVocabulary)
	upIdempotencyFingerprint = unlessColumn("idempotency_keys", "fingerprint", idempotencyFingerprint)
)

// unlessColumn runs a migration that SQL cannot write to be harmless twice
// (migration 2 rebuilds tables, 3 adds a column), unless table already has
// the column it brings: a racing process has applied it. The transaction is
// BEGIN IMMEDIATE, so that check sees the latest schema.
func unlessColumn(table, column, migration string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		var done bool
		if err := tx.QueryRowContext(ctx,
			`SELECT COUNT(*) > 0 FROM pragma_table_info(?) WHERE name = ?`, table, column).Scan(&done); err != nil {
			return err
		}
		if done {
			return nil
		}
		_, err := tx.ExecContext(ctx, migration)
		return err
	}
}
