package bench

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/sqlite"
)

// rawSQLite issues the lifecycle's statements through database/sql, with
// the sqlite store's settings: one writer connection in BEGIN IMMEDIATE
// transactions, WAL, synchronous=FULL, and a pool of readers.
type rawSQLite struct {
	writer, reader *sql.DB
	loc            *coord.Location
}

// rawSQLiteCols is what the raw statements read back, like the stores do.
const rawSQLiteCols = `id, location_id, user_id, status, resource_id, barcode,
	start_time, end_time, cost_amount, cost_currency, expires_at, exit_at`

// OpenRawSQLite opens the SQLite file at path (already migrated).
func OpenRawSQLite(path string, loc *coord.Location) (RawStore, error) {
	writer, err := sql.Open("sqlite", sqlite.WriterDSN(path))
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	reader, err := sql.Open("sqlite", sqlite.ReaderDSN(path))
	if err != nil {
		writer.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	return &rawSQLite{writer: writer, reader: reader, loc: loc}, nil
}

func (r *rawSQLite) Close() { r.writer.Close(); r.reader.Close() }

func (r *rawSQLite) Create(ctx context.Context, userID string) (int64, error) {
	now := time.Now().UnixMilli()
	var id int64
	err := r.writeTx(ctx, func(tx *sql.Tx) error {
		return scanRawSQLite(tx.QueryRowContext(ctx, `INSERT INTO sessions
			(user_id, location_id, resource_id, status, currency, created_at, start_time)
			VALUES (?, ?, '', 'active', ?, ?, ?) RETURNING `+rawSQLiteCols,
			userID, r.loc.ID, r.loc.Price.Rate.Currency, now, now), &id)
	})
	return id, err
}

func (r *rawSQLite) Get(ctx context.Context, userID string, id int64) error {
	return scanRawSQLite(r.reader.QueryRowContext(ctx, `SELECT `+rawSQLiteCols+` FROM sessions
		WHERE id = ? AND user_id = ? AND location_id = ?`, id, userID, r.loc.ID), &id)
}

func (r *rawSQLite) End(ctx context.Context, userID string, id int64) error {
	now := time.Now().UnixMilli()
	return r.writeTx(ctx, func(tx *sql.Tx) error {
		var start int64
		if err := tx.QueryRowContext(ctx, `SELECT start_time FROM sessions
			WHERE id = ? AND user_id = ? AND location_id = ?`, id, userID, r.loc.ID).Scan(&start); err != nil {
			return err
		}
		cost := r.loc.Price.Cost(time.Duration(now-start) * time.Millisecond)
		return scanRawSQLite(tx.QueryRowContext(ctx, `UPDATE sessions
			SET status = 'ended', end_time = ?, cost_amount = ?, cost_currency = ?
			WHERE id = ? AND status = 'active' RETURNING `+rawSQLiteCols,
			now, cost.Amount, cost.Currency, id), &id)
	})
}

func (r *rawSQLite) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := r.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// scanRawSQLite reads a row of rawSQLiteCols, keeping the id.
func scanRawSQLite(row *sql.Row, id *int64) error {
	var (
		loc, user, status, resource     string
		barcode, currency               sql.NullString
		start, end, cost, expires, exit sql.NullInt64
	)
	if err := row.Scan(id, &loc, &user, &status, &resource, &barcode,
		&start, &end, &cost, &currency, &expires, &exit); err != nil {
		return fmt.Errorf("raw sqlite: %w", err)
	}
	return nil
}
