package postgres

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/coordapi/coord"
)

// fail wraps err with the operation's name. Domain errors pass through
// unchanged; when the database cannot be reached the result also carries a
// coord.EUnavailable error (so coord.ErrorCode reports it and the HTTP layer
// answers 503).
func fail(op string, err error) error {
	var domain *coord.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &domain):
		return err
	case unreachable(err):
		return unavailable(op, err)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

// unavailable wraps err as coord.EUnavailable. The domain error's message is
// all that callers show; the cause stays in the chain for the logs.
func unavailable(op string, err error) error {
	return fmt.Errorf("%s: %w: %w", op, coord.ErrStoreUnavailable(), err)
}

// unreachable reports whether err means the database is down or the
// connection to it broke, rather than that the statement was wrong.
func unreachable(err error) bool {
	var (
		connectErr *pgconn.ConnectError
		netErr     net.Error
		pgErr      *pgconn.PgError
	)
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, puddle.ErrClosedPool): // used after Close
		return true
	case errors.As(err, &pgErr):
		// Class 08 is "connection exception"; the others are a server that
		// is shutting down, starting up, or out of connection slots.
		return strings.HasPrefix(pgErr.Code, "08") ||
			pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	return false
}

// isForeignKey reports whether a row referenced a missing user.
func isForeignKey(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}
