package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Secret returns the secret stored under name, storing generate()'s result
// first if there is none. Racing callers (also in other processes) may each
// generate a value, but INSERT ... ON CONFLICT DO NOTHING keeps the first
// and all of them return that one.
func (db *DB) Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	var value []byte
	err := db.ro.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&value)
	if err == nil {
		return value, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, db.fail(err, "secret %s", name)
	}
	fresh, err := generate()
	if err != nil {
		return nil, fmt.Errorf("generate secret %s: %w", name, err)
	}
	if fresh == nil {
		fresh = []byte{} // NOT NULL: an empty secret is still a secret
	}
	err = db.write(ctx, func(ctx context.Context, tx querier) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO NOTHING`, name, fresh, db.now()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&value)
	})
	if err != nil {
		return nil, db.fail(err, "store secret %s", name)
	}
	return value, nil
}
