package postgres_test

import (
	"strings"
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

// TestPingFailsWhenTheDatabaseCannotTakeAWrite: a database that answers
// reads but refuses writes (default_transaction_read_only, as on a
// read-only replica or a database an operator locked) is not ready, and
// Ping says why.
func TestPingFailsWhenTheDatabaseCannotTakeAWrite(t *testing.T) {
	dsn := testSchema(t)
	open(t, dsn, coord.StoreConfig{}) // migrated while writable
	readOnly := open(t, dsn+"&default_transaction_read_only=on", coord.StoreConfig{})
	err := readOnly.Ping(t.Context())
	if coord.ErrorCode(err) != coord.EUnavailable || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Ping on a read-only database = %v, want %s naming read-only", err, coord.EUnavailable)
	}
	if _, err := readOnly.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "u"}); err == nil {
		t.Fatal("the read-only database took a write: the test set-up is wrong")
	}
}
