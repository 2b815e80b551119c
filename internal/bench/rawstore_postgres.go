package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coordapi/coord"
)

// rawPostgres issues the lifecycle's statements through a pgx pool
// configured from the same DSN as the server's, so with the same pool size.
type rawPostgres struct {
	pool *pgxpool.Pool
	loc  *coord.Location
}

const rawPostgresCols = `id, location_id, user_id::text, status, start_time, end_time, resource_id,
	coalesce(barcode, ''), cost_amount, cost_currency, exit_at, expires_at`

// OpenRawPostgres connects to the (already migrated) schema dsn names.
func OpenRawPostgres(ctx context.Context, dsn string, loc *coord.Location) (RawStore, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &rawPostgres{pool: pool, loc: loc}, nil
}

func (r *rawPostgres) Close() { r.pool.Close() }

func (r *rawPostgres) Create(ctx context.Context, userID string) (int64, error) {
	now := time.Now()
	var id int64
	err := scanRawPostgres(r.pool.QueryRow(ctx, `INSERT INTO sessions
		(user_id, location_id, status, resource_id, currency, created_at, start_time)
		VALUES ($1, $2, 'active', '', $3, $4, $4) RETURNING `+rawPostgresCols,
		userID, r.loc.ID, r.loc.Price.Rate.Currency, now), &id)
	return id, err
}

func (r *rawPostgres) Get(ctx context.Context, userID string, id int64) error {
	return scanRawPostgres(r.pool.QueryRow(ctx, `SELECT `+rawPostgresCols+` FROM sessions
		WHERE id = $1 AND user_id = $2 AND location_id = $3`, id, userID, r.loc.ID), &id)
}

// End reads the start then updates conditionally on the status, as the
// PostgreSQL store does: two autocommit statements, no transaction.
func (r *rawPostgres) End(ctx context.Context, userID string, id int64) error {
	now := time.Now()
	var start time.Time
	if err := r.pool.QueryRow(ctx, `SELECT start_time FROM sessions
		WHERE id = $1 AND user_id = $2 AND location_id = $3`, id, userID, r.loc.ID).Scan(&start); err != nil {
		return fmt.Errorf("raw postgres: %w", err)
	}
	cost := r.loc.Price.Cost(now.Sub(start))
	return scanRawPostgres(r.pool.QueryRow(ctx, `UPDATE sessions
		SET status = 'ended', end_time = $2, cost_amount = $3, cost_currency = $4
		WHERE id = $1 AND status = 'active' RETURNING `+rawPostgresCols,
		id, now, cost.Amount, cost.Currency), &id)
}

// scanRawPostgres reads a row of rawPostgresCols, keeping the id.
func scanRawPostgres(row pgx.Row, id *int64) error {
	var (
		loc, user, status, resource, barcode string
		start, end, exit, expires            *time.Time
		amount                               *int64
		currency                             *string
	)
	if err := row.Scan(id, &loc, &user, &status, &start, &end, &resource, &barcode,
		&amount, &currency, &exit, &expires); err != nil {
		return fmt.Errorf("raw postgres: %w", err)
	}
	return nil
}
