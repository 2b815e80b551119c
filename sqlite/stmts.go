package sqlite

import (
	"context"
	"database/sql"
	"sync"

	"github.com/coordapi/coord"
)

// Prepared statements. The driver parses and plans the SQL text of every
// statement it is given unless the statement is prepared; that was 15% of
// the server's CPU on get_session. A *sql.Stmt stays prepared on every
// connection that has run it, so one per query text per pool (the texts
// are constants: a small, fixed set) lets each connection parse each
// statement once.
type stmtCache struct {
	pool  *sql.DB
	stmts sync.Map // query text → *sql.Stmt
}

// get returns the cached statement for query, preparing it on a miss.
// It must not be called while holding one of the pool's connections in a
// transaction: preparing needs a connection of its own (the writer pool
// has only one), so transactions use in, which defers the misses.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prior, loaded := c.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prior.(*sql.Stmt), nil
	}
	return st, nil
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// pooled is a querier on the pool itself that runs cached statements.
type pooled struct{ c *stmtCache }

func (p pooled) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (p pooled) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (p pooled) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.c.get(ctx, query)
	if err != nil {
		return p.c.pool.QueryRowContext(ctx, query, args...) // a Row carrying the same failure
	}
	return st.QueryRowContext(ctx, args...)
}

// inTx is a querier on a transaction that runs the cached statements it
// finds and runs the others unprepared, noting them so that they are
// prepared once the transaction has given its connection back.
type inTx struct {
	tx     *sql.Tx
	c      *stmtCache
	missed *[]string
	// appended collects the events the transaction appended, for the
	// listeners once it commits; after, the sessions as its session events
	// left them, for the cache.
	appended *[]coord.Change
	after    *[]*sessionRow
	events   *[]appendedEvent  // the events in full, for their webhook deliveries; nil outside the committer
	queued   *[]queuedDelivery // deliveries asked for besides the events' (deliveries.go); nil outside the committer
}

func (c *stmtCache) in(tx *sql.Tx) inTx {
	return inTx{tx: tx, c: c, missed: new([]string), appended: new([]coord.Change)}
}

// prepareMissed prepares the statements the transaction ran unprepared.
// Failures only mean the statement stays unprepared for now.
func (q inTx) prepareMissed(ctx context.Context) {
	for _, query := range *q.missed {
		_, _ = q.c.get(ctx, query)
	}
}

func (q inTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := q.c.stmts.Load(query); ok {
		return q.tx.StmtContext(ctx, st.(*sql.Stmt))
	}
	*q.missed = append(*q.missed, query)
	return nil
}

func (q inTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q inTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q inTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}
