package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/postgres"
	"github.com/coordapi/coord/sqlite"
)

// openStore picks the adapter from the DSN: postgres:// (or postgresql://)
// selects PostgreSQL, anything else is a SQLite file path.
func openStore(ctx context.Context, dsn string, cfg coord.StoreConfig, log *slog.Logger) (coord.Store, string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := postgres.Open(ctx, dsn, cfg)
		return db, "postgres", err
	}
	warnExposed(dsn, log)
	db, err := sqlite.Open(ctx, dsn, cfg)
	return db, "sqlite", err
}

// warnExposed warns about database files that others may read: new files
// are created 0600, but an existing one keeps the mode it was given.
func warnExposed(path string, log *slog.Logger) {
	exposed, err := sqlite.ExposedFiles(path)
	if err != nil {
		log.Warn("cannot check the database file's permissions", "error", err)
	}
	for _, f := range exposed {
		log.Warn("database file readable or writable by group or others; it holds the JWT signing key: chmod 600 it",
			"file", f.Path, "mode", f.Mode.String())
	}
}
