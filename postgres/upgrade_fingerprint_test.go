package postgres

import (
	"context"
	"io/fs"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/coordapi/coord/storetest"
)

// migrateDown rolls the schema dsn connects to back to version.
func migrateDown(t *testing.T, dsn string, version int64) {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys,
		goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(context.Background(), version); err != nil {
		t.Fatalf("migrate down to %d: %v", version, err)
	}
}

// TestUpgradeTo00003KeepsIdempotencyKeys: a schema of the version before
// 00003 (no fingerprints) holding a keyed session is upgraded on open; the
// old key replays its request and refuses another.
func TestUpgradeTo00003KeepsIdempotencyKeys(t *testing.T) {
	base := os.Getenv("COORD_TEST_POSTGRES")
	if base == "" {
		t.Skip("COORD_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	dsn, drop, err := NewTestSchema(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	fingerprintColumns := func(db *DB) (n int) {
		t.Helper()
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'idempotency_keys' AND column_name = 'fingerprint'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	ns, first := storetest.KeyedSession(t, db)
	migrateDown(t, dsn, 2)
	if n := fingerprintColumns(db); n != 0 {
		t.Fatalf("after migrating down: %d fingerprint columns", n)
	}
	db.Close()

	upgraded, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer upgraded.Close()
	if n := fingerprintColumns(upgraded); n != 1 {
		t.Fatalf("after the upgrade: %d fingerprint columns", n)
	}
	storetest.CheckKeyedSessionAfterUpgrade(t, upgraded, ns, first)
}
