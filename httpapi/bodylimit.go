package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// limitBody reads the request body up front, at most limit bytes, and
// answers 413 in the Error shape when there is more: at once for a declared
// Content-Length, after limit bytes for a chunked body. Reading it here
// gives every handler the same limit and the same answer, whatever
// consumer it uses. It reports whether the request may go on.
func limitBody(w *statusWriter, r *http.Request, limit int64) bool {
	if r.ContentLength > limit {
		tooLarge(w, limit)
		return false
	}
	if r.Body == nil || r.Body == http.NoBody {
		// Say so: without a Content-Length go-openapi finds out whether
		// there is a body by peeking through a fresh 4 KiB buffer, a third
		// of a poll's allocated bytes.
		if r.ContentLength == 0 && r.Header.Get("Content-Length") == "" {
			r.Header.Set("Content-Length", "0")
		}
		return true
	}
	// MaxBytesReader also tells net/http to close the connection rather
	// than drain an oversized body; it needs net/http's own writer for that.
	body, err := io.ReadAll(http.MaxBytesReader(w.ResponseWriter, r.Body, limit))
	var over *http.MaxBytesError
	switch {
	case errors.As(err, &over):
		tooLarge(w, limit)
		return false
	case err != nil:
		// The client stopped sending (or the read timed out): it will most
		// likely never see this answer, but the log and metrics will.
		status, problem := newProblem(http.StatusBadRequest, "the request body could not be read", nil)
		writeJSON(w, status, problem)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

func tooLarge(w http.ResponseWriter, limit int64) {
	status, body := newProblem(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("the request body is larger than %d bytes", limit), nil)
	writeJSON(w, status, body)
}
