package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/live"
	"github.com/coordapi/coord/restapi/operations/sessions"
)

// getSession answers with the session and its version as ETag; with
// If-None-Match and wait it is a long-poll, held in the hub until the
// session's version moves on or the time is up.
type getSession struct {
	svc *coord.Service
	hub *live.Hub
	m   *metrics
}

func (h getSession) Handle(p sessions.GetSessionParams, who *coord.Principal) sessions.GetSessionResponder {
	ctx := p.HTTPRequest.Context()
	known := deref(p.IfNoneMatch)
	s, err := h.svc.Session(ctx, who.User, p.LocationID, p.SessionID)
	changed := err == nil && !matchesETag(known, s.Version)
	if wait := deref(p.Wait); wait > 0 && known != "" && err == nil && !changed {
		return heldSession{h: h, r: p.HTTPRequest, who: who.User, location: p.LocationID,
			deadline: time.Now().Add(time.Duration(wait) * time.Second), known: known, s: s}
	}
	return h.respond(ctx, changed, err, s)
}

// etag is a session version as a strong entity tag.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// matchesETag reports whether an If-None-Match value names the version:
// one of its comma-separated tags (weak or strong, compared weakly as RFC
// 9110 asks for If-None-Match) or "*". Anything malformed matches nothing,
// so the client gets the full answer.
func matchesETag(header string, version int64) bool {
	if header == "" {
		return false
	}
	want := etag(version)
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == want || tag == "*" {
			return true
		}
	}
	return false
}

// longPollSlack is how much longer than its wait a held request may take
// to be written.
const longPollSlack = 30 * time.Second

// allowLongPoll moves the connection's deadlines past a request's wait, so
// that the server's --read-timeout and --write-timeout, which guard every
// other request, do not cut a long-poll short. (net/http cancels a request
// whose connection hits its read deadline while the handler runs.)
func allowLongPoll(w http.ResponseWriter, r *http.Request) {
	v := requestQuery(r).Get("wait")
	if v == "" {
		return // most requests: no long-poll, and no syntax error to allocate
	}
	wait, err := strconv.Atoi(v)
	if err != nil || wait <= 0 || wait > maxWaitSeconds {
		return
	}
	deadline := time.Now().Add(time.Duration(wait)*time.Second + longPollSlack)
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
}

// maxWaitSeconds is the largest wait the spec allows.
const maxWaitSeconds = 60
