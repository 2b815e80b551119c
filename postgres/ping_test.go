package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
)

// A replica is not ready on a schema that lacks its migrations, say after
// someone rolled the database back.
func TestPingNeedsMigrations(t *testing.T) {
	dsn := testSchema(t)
	db := open(t, dsn, coord.StoreConfig{})
	if err := db.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), `DELETE FROM coord_migrations WHERE version_id > 0`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(t.Context()); coord.ErrorCode(err) != coord.EUnavailable {
		t.Errorf("Ping without migrations = %v, want %s", err, coord.EUnavailable)
	}
}
