package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/live"
	"github.com/coordapi/coord/models"
	"github.com/coordapi/coord/restapi/operations/sessions"
)

// heldSession is get_session's answer when the client already has the
// current version and asked to wait. Rather than block its goroutine (and
// net/http's buffers, some 40 KB a request) for up to a minute, it takes
// the connection over and parks it in the hub, which answers on it — 200
// with the new state, or 304 — and closes it: the client's next long-poll
// opens a new connection, one per change. Where the connection cannot be
// taken over (HTTP/2), the goroutine waits instead.
type heldSession struct {
	h        getSession
	r        *http.Request
	who      *coord.Identity
	location string
	deadline time.Time
	known    string
	s        *coord.Session // as the first read saw it
}

// GetSessionResponder marks heldSession as one of get_session's answers.
func (heldSession) GetSessionResponder() {}

func (hs heldSession) WriteResponse(rw http.ResponseWriter, producer runtime.Producer) {
	header := rw.Header().Clone() // the middleware's: request id, caching and security headers
	conn, _, err := http.NewResponseController(rw).Hijack()
	if err != nil {
		hs.block(rw, producer)
		return
	}
	// From here on only what the answer needs is kept: not the request,
	// whose body and context reach the connection's buffers.
	ctx := hs.r.Context()
	x, answerCtx := exchangeFrom(ctx), context.Background()
	if x != nil {
		x.parked = true
		answerCtx = withExchange(answerCtx, x) // its logger, made only if the answer logs
	}
	lite := (&http.Request{Method: hs.r.Method, URL: &url.URL{Path: hs.r.URL.Path}, Pattern: hs.r.Pattern}).
		WithContext(answerCtx)
	svc, who, location, id, known, s := hs.h.svc, hs.who, hs.location, hs.s.ID, hs.known, hs.s
	read := func(ctx context.Context) (bool, time.Time, error) {
		next, err := svc.Session(ctx, who, location, id)
		if err != nil {
			return true, time.Time{}, err
		}
		s = next
		return !matchesETag(known, s.Version), settlesAt(s), nil
	}
	answer := func(changed bool, err error) {
		status, body := answerOf(lite.Context(), changed, err, s)
		status, n := writeRaw(conn, header, status, s, body)
		if x != nil {
			record(lite, x, status, n, hs.h.m, time.Since(x.start))
		}
	}
	// A pipelined request already read would be lost on the closed
	// connection; net/http clients do not pipeline, and retry an
	// unanswered GET.
	if !hs.h.hub.Park(live.Key{SessionID: id}, hs.deadline, read, answer) {
		answer(false, nil) // full or shutting down: answer at once, as without wait
	}
}

// block is the fallback: wait in this goroutine, then answer through the
// generated responders.
func (hs heldSession) block(rw http.ResponseWriter, producer runtime.Producer) {
	ctx := hs.r.Context()
	s := hs.s
	read := func(ctx context.Context) (bool, time.Time, error) {
		next, err := hs.h.svc.Session(ctx, hs.who, hs.location, s.ID)
		if err != nil {
			return true, time.Time{}, err
		}
		s = next
		return !matchesETag(hs.known, s.Version), settlesAt(s), nil
	}
	changed, err := hs.h.hub.Hold(ctx, live.Key{SessionID: s.ID}, hs.deadline, read)
	hs.h.respond(ctx, changed, err, s).WriteResponse(rw, producer)
}

// answerOf is the status and body of a parked request's answer.
func answerOf(ctx context.Context, changed bool, err error, s *coord.Session) (int, any) {
	if err != nil {
		status, body := problem(err)
		if status >= http.StatusInternalServerError {
			LoggerFrom(ctx).ErrorContext(ctx, "operation failed", "status", status, "error", err)
		}
		return status, body
	}
	if !changed {
		return http.StatusNotModified, nil
	}
	return http.StatusOK, sessionModel(s)
}

// settlesAt is when the session changes by itself, or zero.
func settlesAt(s *coord.Session) time.Time {
	if s.SettlesAt == nil {
		return time.Time{}
	}
	return *s.SettlesAt
}

// writeRaw writes a complete HTTP/1.1 response on a taken-over connection
// and closes it; it returns the status and the body's length.
func writeRaw(conn net.Conn, header http.Header, status int, s *coord.Session, body any) (int, int64) {
	defer conn.Close()
	var payload []byte
	if m, ok := body.(*models.Session); ok { // the common answer, rendered as the responders do
		payload = append(appendSession(nil, m), '\n')
		header.Set("Content-Type", "application/json")
	} else if body != nil {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // as go-openapi's JSON producer
		if err := enc.Encode(body); err != nil {
			status, payload = http.StatusInternalServerError, []byte(`{"code":"internal","message":"internal error"}`)
		} else {
			payload = b.Bytes()
		}
		header.Set("Content-Type", "application/json")
	}
	if s != nil && (status == http.StatusOK || status == http.StatusNotModified) {
		header.Set("ETag", etag(s.Version))
	}
	header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	header.Set("Connection", "close")
	if status != http.StatusNotModified {
		header.Set("Content-Length", strconv.Itoa(len(payload)))
	}
	var out bytes.Buffer
	out.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	_ = header.Write(&out)
	out.WriteString("\r\n")
	out.Write(payload)
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, _ = conn.Write(out.Bytes())
	return status, int64(len(payload))
}

// respond is get_session's answer through the generated responders.
func (h getSession) respond(ctx context.Context, changed bool, err error, s *coord.Session) sessions.GetSessionResponder {
	if err != nil {
		return errorResponse(ctx, sessions.NewGetSessionDefault(0), err)
	}
	if !changed {
		return sessions.NewGetSessionNotModified().WithETag(etag(s.Version))
	}
	return sessions.NewGetSessionOK().WithETag(etag(s.Version)).WithPayload(sessionModel(s))
}
