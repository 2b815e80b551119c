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

// migrate applies the embedded migrations and returns the latest version.
// Each migration runs in its own transaction on db's one connection. SQLite
// has no advisory lock, so the migrations are written to be harmless when a
// second process applies them again.
func migrate(ctx context.Context, db *sql.DB) (int64, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	_, latest, err := p.GetVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	return latest, nil
}
