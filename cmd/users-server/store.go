package main

import (
	"context"
	"strings"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/postgres"
	"github.com/coordapi/coord/sqlite"
)

// openStore picks the adapter from the DSN: postgres:// (or postgresql://)
// selects PostgreSQL, anything else is a SQLite file path.
func openStore(ctx context.Context, dsn string, cfg coord.StoreConfig) (coord.Store, string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := postgres.Open(ctx, dsn, cfg)
		return db, "postgres", err
	}
	db, err := sqlite.Open(ctx, dsn, cfg)
	return db, "sqlite", err
}
