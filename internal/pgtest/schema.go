// Package pgtest makes throwaway PostgreSQL schemas for tests and benchmarks.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// NewSchema creates an empty schema with a random name in the database
// dsn names, for tests that need their own database state. It returns dsn
// with search_path set to the schema (pass it to Open) and a drop function
// that removes the schema and everything in it; call it after closing the
// stores that use the schema.
func NewSchema(ctx context.Context, dsn string) (schemaDSN string, drop func() error, err error) {
	name := "coord_test_" + strings.ToLower(rand.Text())
	schemaDSN, err = withSearchPath(dsn, name)
	if err != nil {
		return "", nil, err
	}
	if err := execOnce(ctx, dsn, `CREATE SCHEMA `+name); err != nil {
		return "", nil, fmt.Errorf("postgres: create test schema: %w", err)
	}
	drop = func() error {
		// The caller's context may be done by cleanup time.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := execOnce(ctx, dsn, `DROP SCHEMA `+name+` CASCADE`); err != nil {
			return fmt.Errorf("postgres: drop test schema: %w", err)
		}
		return nil
	}
	return schemaDSN, drop, nil
}

// withSearchPath adds search_path to a URL or key=value DSN; pgx sends
// unknown DSN parameters to the server as run-time parameters.
func withSearchPath(dsn, schema string) (string, error) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("postgres: parse dsn: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// execOnce runs one statement on a connection of its own.
func execOnce(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}
