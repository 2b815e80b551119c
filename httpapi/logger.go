package httpapi

import (
	"context"
	"log/slog"
)

type loggerKey struct{}

// WithLogger returns ctx carrying a request-scoped logger (with the request id).
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// LoggerFrom returns the request's logger (with its request id), or slog's default.
func LoggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	if x := exchangeFrom(ctx); x != nil && x.log != nil {
		return x.logger()
	}
	return slog.Default()
}
