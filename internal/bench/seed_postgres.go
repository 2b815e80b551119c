package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/postgres"
)

// SeedPostgres writes users and their sessions into the schema dsn names,
// migrating it with the store's own migrations first, with COPY in one
// transaction. It returns each active session's id by user.
func SeedPostgres(ctx context.Context, dsn, partnerID string, loc *coord.Location, users []SeedUser) (map[string]int64, error) {
	store, err := postgres.Open(ctx, dsn, coord.StoreConfig{})
	if err != nil {
		return nil, err
	}
	store.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	now := time.Now()
	var userRows [][]any
	for _, u := range users {
		userRows = append(userRows, []any{u.ID, partnerID, u.ID, u.ID + "@bench.example", "Bench Driver", true,
			Plate.Text, Plate.Country, Plate.Subdivision, now})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"user_id", "partner_id", "external_uid",
		"email", "name", "test", "plate_text", "plate_country", "plate_subdivision", "created_at"},
		pgx.CopyFromRows(userRows)); err != nil {
		return nil, fmt.Errorf("seed users: %w", err)
	}
	var sessionRows [][]any
	currency := loc.Price.Rate.Currency
	_ = seedSessions(users, *loc.Price, now, func(s seedSession) error {
		status, end, amount, costCurrency := "active", (*time.Time)(nil), (*int64)(nil), (*string)(nil)
		if !s.end.IsZero() {
			status, end, amount, costCurrency = "ended", &s.end, &s.cost.Amount, &currency
		}
		sessionRows = append(sessionRows, []any{s.userID, loc.ID, status, currency, s.start, s.start, end, amount, costCurrency})
		return nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"sessions"}, []string{"user_id", "location_id", "status",
		"currency", "created_at", "start_time", "end_time", "cost_amount", "cost_currency"},
		pgx.CopyFromRows(sessionRows)); err != nil {
		return nil, fmt.Errorf("seed sessions: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT user_id::text, id FROM sessions WHERE status = 'active'`)
	if err != nil {
		return nil, err
	}
	active := map[string]int64{}
	var user string
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&user, &id}, func() error { active[user] = id; return nil }); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `ANALYZE users; ANALYZE sessions`); err != nil {
		return nil, err
	}
	return active, tx.Commit(ctx)
}
