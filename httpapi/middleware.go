package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// DefaultMaxBodyBytes bounds request bodies unless Deps says otherwise; the
// API's bodies are small JSON documents.
const DefaultMaxBodyBytes = 64 << 10

// global wraps every request: a request id (in the response header and in
// the request's logger), the headers every answer carries, the header and
// body limits, the media type check, panic recovery, one access log line
// and the request metrics.
func global(next http.Handler, d Deps, m *metrics) http.Handler {
	limit := d.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		w.Header().Set(RequestIDHeader, id)
		x := &exchange{log: d.Logger, requestID: id, start: start}
		r = r.WithContext(withExchange(r.Context(), x))
		sw := &statusWriter{ResponseWriter: w}

		m.inFlight.Inc()
		defer func() {
			m.inFlight.Dec()
			if v := recover(); v != nil {
				recovered(sw, r, v)
			}
			finished(r, x, sw, m, time.Since(start))
		}()
		secureHeaders(sw.Header())
		if !limitHeader(sw, r, d.MaxHeaderBytes) || !limitBody(sw, r, limit) || !concreteMediaType(sw, r) {
			return
		}
		allowLongPoll(sw, r)
		next.ServeHTTP(sw, r)
	})
}

// recovered turns a handler's panic into a 500 in the Error shape and a log
// line. When the response has already started its status cannot change, so
// the connection is aborted rather than ending a truncated body as if whole.
func recovered(w *statusWriter, r *http.Request, v any) {
	if v == http.ErrAbortHandler {
		panic(v)
	}
	LoggerFrom(r.Context()).ErrorContext(r.Context(), "panic in handler",
		"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if w.wroteHeader() {
		panic(http.ErrAbortHandler)
	}
	status, body := newProblem(http.StatusInternalServerError, "internal error", nil)
	writeJSON(w, status, body)
}

// secureHeaders go on every answer: none may be stored by a cache (tokens,
// users and sessions are personal), and no browser may sniff a JSON body
// into something it would run.
//
// The values are shared slices assigned under their canonical names, which
// is what Header.Set would store, without canonicalising the name and
// allocating a slice on every request. Nothing changes a header value in
// place; a later Set replaces the slice and an Add appends to a full one,
// which copies it.
func secureHeaders(h http.Header) {
	h["Cache-Control"] = noStore
	h["X-Content-Type-Options"] = nosniff
}

var (
	noStore = []string{"no-store"}[:1:1]
	nosniff = []string{"nosniff"}[:1:1]
)

// probes are polled every few seconds; their successes are logged at debug
// level so that they do not drown the access log.
var probes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// finished writes the access log line and records the request's metrics.
// The path is logged without its query: access_key travels there.
func finished(r *http.Request, x *exchange, w *statusWriter, m *metrics, elapsed time.Duration) {
	if !x.parked {
		record(r, x, w.status, w.bytes, m, elapsed)
	}
}

// record writes the access log line and records the request's metrics; a
// parked long-poll calls it when it is answered.
func record(r *http.Request, x *exchange, status int, bytes int64, m *metrics, elapsed time.Duration) {
	if status == 0 {
		status = http.StatusOK // nothing written: net/http sends an empty 200
	}
	operation := x.operationID
	if operation == "" {
		// An operational endpoint is named by its path in the outer mux.
		_, operation, _ = strings.Cut(r.Pattern, " ")
		if x.api || operation == "" {
			operation = "unmatched" // 404, 405, or rejected before routing (413)
		}
	}
	m.observe(operation, x.api, status, elapsed)

	level := slog.LevelInfo
	if probes[r.URL.Path] && status < 300 {
		level = slog.LevelDebug
	}
	// The record goes straight to the handler, as Logger.LogAttrs would
	// send it but without the program counter LogAttrs looks up on every
	// call (a stack walk) for handlers that report the source: the access
	// line's source would only ever be this function, and the server's
	// handlers do not report it.
	ctx := r.Context()
	h := x.log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, "request", 0)
	// The request id first, where the request logger's With would put it.
	rec.AddAttrs(
		slog.String("request_id", x.requestID),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.Int64("bytes", bytes),
	)
	if x.operationID != "" {
		rec.AddAttrs(slog.String("operation_id", x.operationID))
	}
	_ = h.Handle(ctx, rec)
}
