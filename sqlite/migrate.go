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
		goose.WithGoMigrations(goose.NewGoMigration(2, &goose.GoFunc{RunTx: upOneVocabulary}, nil)))
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

// upOneVocabulary is migration 2 (upgrades/00002_one_vocabulary.sql). It
// rebuilds tables, which cannot be written to be harmless twice in SQL, so
// it checks first whether a racing process has applied it already: the
// transaction is BEGIN IMMEDIATE, so that check sees the latest schema.
func upOneVocabulary(ctx context.Context, tx *sql.Tx) error {
	var done bool
	if err := tx.QueryRowContext(ctx,
		`SELECT COUNT(*) > 0 FROM pragma_table_info('sessions') WHERE name = 'cost_amount'`).Scan(&done); err != nil {
		return err
	}
	if done {
		return nil
	}
	_, err := tx.ExecContext(ctx, oneVocabulary)
	return err
}
