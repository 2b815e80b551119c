package httpapi

import (
	"cmp"
	"net/http"
	"strconv"
	"sync"

	"github.com/go-openapi/runtime"
	"github.com/go-openapi/runtime/middleware"

	"github.com/coordapi/coord/restapi/operations/sessions"
)

// Session lists are sent with a Content-Length. A body that outgrows
// net/http's 2 KiB response buffer is otherwise sent chunked, and a page
// of 50 sessions (~15 KB) took three write syscalls — the header with the
// body's first bytes, the rest, then the last chunk — where a sized body
// takes two: a syscall per request, on loopback a few µs of kernel TCP
// work, that only long pages paid. The generated responder writes its
// header before its body, so writeSized lets it write into a buffer and
// sends both once the length is known. A panic of the producer leaves the
// response unstarted, so it becomes the recovery's 500.

type sizedUserSessions struct{ *sessions.GetUserSessionsOK }

func (r sizedUserSessions) WriteResponse(rw http.ResponseWriter, p runtime.Producer) {
	writeSized(rw, p, r.GetUserSessionsOK)
}

type sizedLocationSessions struct {
	*sessions.GetLocationSessionsOK
}

func (r sizedLocationSessions) WriteResponse(rw http.ResponseWriter, p runtime.Producer) {
	writeSized(rw, p, r.GetLocationSessionsOK)
}

var bodyBuffers = sync.Pool{New: func() any { return &bodyBuffer{} }}

func writeSized(rw http.ResponseWriter, p runtime.Producer, inner middleware.Responder) {
	b := bodyBuffers.Get().(*bodyBuffer)
	b.ResponseWriter, b.status, b.body = rw, 0, b.body[:0]
	defer func() {
		b.ResponseWriter = nil
		if cap(b.body) <= 1<<20 { // a huge page's buffer is left to the GC
			bodyBuffers.Put(b)
		}
	}()
	inner.WriteResponse(b, p)
	rw.Header().Set("Content-Length", strconv.Itoa(len(b.body)))
	rw.WriteHeader(cmp.Or(b.status, http.StatusOK))
	if _, err := rw.Write(b.body); err != nil {
		panic(err) // as the generated responders do with a producer's error
	}
}

// bodyBuffer is a ResponseWriter that keeps the status and the body for
// later; headers go to the real writer's map at once.
type bodyBuffer struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (b *bodyBuffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bodyBuffer) Write(p []byte) (int, error) {
	b.body = append(b.body, p...)
	return len(p), nil
}
