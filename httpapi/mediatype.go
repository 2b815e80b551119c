package httpapi

import (
	"mime"
	"net/http"
	"strings"
)

// concreteMediaType answers 415 in the Error shape when the request's
// Content-Type is a media range (*/*, application/*, */json) rather than a
// media type. go-openapi looks such a value up among its consumers, finds
// none and reports a 500. It reports whether the request may go on.
func concreteMediaType(w http.ResponseWriter, r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if !strings.Contains(ct, "*") {
		return true
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || strings.Contains(mt, "*") {
		status, body := newProblem(http.StatusUnsupportedMediaType,
			"Content-Type must name a media type, not a range such as */*: send application/json", nil)
		writeJSON(w, status, body)
		return false
	}
	return true
}
