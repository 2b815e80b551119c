package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/coordapi/coord/storetest"
)

// migrateDown rolls db's schema back to version.
func migrateDown(t *testing.T, db *DB, version int64) {
	t.Helper()
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.writer, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(context.Background(), version); err != nil {
		t.Fatalf("migrate down to %d: %v", version, err)
	}
}

// TestUpgradeTo00003KeepsIdempotencyKeys: a database of the schema before
// 00003 (no fingerprints) holding a keyed session is upgraded on open; the
// old key replays its request and refuses another.
func TestUpgradeTo00003KeepsIdempotencyKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coord.db")
	db := open(t, path)
	ns, first := storetest.KeyedSession(t, db)
	migrateDown(t, db, 2)
	var columns int
	if err := db.writer.QueryRow(`SELECT count(*) FROM pragma_table_info('idempotency_keys') WHERE name = 'fingerprint'`).Scan(&columns); err != nil || columns != 0 {
		t.Fatalf("after migrating down: %d fingerprint columns, %v", columns, err)
	}
	db.Close()

	upgraded := open(t, path)
	if err := upgraded.writer.QueryRow(`SELECT count(*) FROM pragma_table_info('idempotency_keys') WHERE name = 'fingerprint'`).Scan(&columns); err != nil || columns != 1 {
		t.Fatalf("after the upgrade: %d fingerprint columns, %v", columns, err)
	}
	storetest.CheckKeyedSessionAfterUpgrade(t, upgraded, ns, first)
}
