package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Secret returns the secret stored under name, storing generate()'s result
// when there is none. The insert does nothing when a concurrent replica got
// there first, and the final read returns whichever value won, so every
// replica agrees on one.
func (db *DB) Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	value, err := db.secret(ctx, name)
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return value, fail("postgres: read secret", err)
	}
	generated, err := generate()
	if err != nil {
		return nil, fmt.Errorf("postgres: generate secret %q: %w", name, err)
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, generated, db.now()); err != nil {
		return nil, fail("postgres: store secret", err)
	}
	value, err = db.secret(ctx, name)
	return value, fail("postgres: read secret", err)
}

func (db *DB) secret(ctx context.Context, name string) ([]byte, error) {
	var value []byte
	err := db.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&value)
	return value, err
}
