package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/sqlite"
)

// SeedSQLite writes users and their sessions into the SQLite file at path,
// creating it with the store's own migrations first. Everything goes in one
// transaction of plain INSERTs: a million sessions in seconds, where the
// API would take one fsync each. It returns each active session's id by user.
func SeedSQLite(ctx context.Context, path, partnerID string, loc *coord.Location, users []SeedUser) (map[string]int64, error) {
	store, err := sqlite.Open(ctx, path, coord.StoreConfig{}) // the schema, exactly as the server makes it
	if err != nil {
		return nil, err
	}
	store.Close()
	// A large page cache keeps the indexes in memory while they grow:
	// with SQLite's default 2 MB, a million rows spend their time paging.
	db, err := sql.Open("sqlite", path+"?_journal_mode=WAL&_busy_timeout=5000&_pragma=cache_size(-524288)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	insUser, err := tx.PrepareContext(ctx, `INSERT INTO users
		(user_id, partner_id, external_uid, email, name, test, plate_text, plate_country, plate_subdivision, created_at)
		VALUES (?, ?, ?, ?, 'Bench Driver', TRUE, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if _, err := insUser.ExecContext(ctx, u.ID, partnerID, u.ID, u.ID+"@bench.example",
			Plate.Text, Plate.Country, Plate.Subdivision, time.Now().UnixMilli()); err != nil {
			return nil, fmt.Errorf("seed user: %w", err)
		}
	}
	batch := sessionBatch{tx: tx}
	currency := loc.Price.Rate.Currency
	err = seedSessions(users, *loc.Price, time.Now(), func(s seedSession) error {
		status, end, cost, costCurrency := "active", sql.NullInt64{}, sql.NullInt64{}, sql.NullString{}
		if !s.end.IsZero() {
			status = "ended"
			end = sql.NullInt64{Int64: s.end.UnixMilli(), Valid: true}
			cost = sql.NullInt64{Int64: s.cost.Amount, Valid: true}
			costCurrency = sql.NullString{String: s.cost.Currency, Valid: true}
		}
		return batch.add(ctx, s.userID, loc.ID, status, currency, s.start.UnixMilli(), s.start.UnixMilli(), end, cost, costCurrency)
	})
	if err == nil {
		err = batch.flush(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("seed session: %w", err)
	}
	active, err := activeSessions(ctx, tx)
	if err != nil {
		return nil, err
	}
	return active, tx.Commit()
}

// activeSessions maps each user with an active session to its id.
func activeSessions(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT user_id, id FROM sessions WHERE status = 'active'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	active := map[string]int64{}
	for rows.Next() {
		var user string
		var id int64
		if err := rows.Scan(&user, &id); err != nil {
			return nil, err
		}
		active[user] = id
	}
	return active, rows.Err()
}

// sessionBatch inserts sessions 256 rows per statement: a million
// single-row statements would spend most of their time crossing the driver.
type sessionBatch struct {
	tx   *sql.Tx
	args []any
}

const (
	sessionBatchRows = 256
	sessionColsN     = 9
	insertSessions   = `INSERT INTO sessions
		(user_id, location_id, status, currency, created_at, start_time, end_time, cost_amount, cost_currency) VALUES `
)

func (b *sessionBatch) add(ctx context.Context, row ...any) error {
	b.args = append(b.args, row...)
	if len(b.args) == sessionBatchRows*sessionColsN {
		return b.flush(ctx)
	}
	return nil
}

func (b *sessionBatch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	values := strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(b.args)/sessionColsN)
	_, err := b.tx.ExecContext(ctx, insertSessions+strings.TrimSuffix(values, ", "), b.args...)
	b.args = b.args[:0]
	return err
}
