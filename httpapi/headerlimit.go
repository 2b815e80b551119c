package httpapi

import (
	"fmt"
	"net/http"
)

// DefaultMaxHeaderBytes bounds a request's line and headers unless Deps
// says otherwise.
const DefaultMaxHeaderBytes = 64 << 10

// limitHeader answers 431 in the Error shape when the request line and
// headers are larger than limit. net/http answers oversized headers itself,
// in plain text, before any handler runs; the server lets it read more than
// limit (http.Server.MaxHeaderBytes above limit), so that the requests
// between the two get this answer. It reports whether the request may go on.
func limitHeader(w http.ResponseWriter, r *http.Request, limit int) bool {
	if headerSize(r) <= limit {
		return true
	}
	status, body := newProblem(http.StatusRequestHeaderFieldsTooLarge,
		fmt.Sprintf("the request line and headers are larger than %d bytes", limit), nil)
	w.Header().Set("Connection", "close")
	writeJSON(w, status, body)
	return false
}

// headerSize is the size of r's request line and headers as sent, give or
// take white space: net/http keeps no count of the bytes it read.
func headerSize(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	n += len("Host: ") + len(r.Host) + 2 // net/http moves Host out of Header
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + 2 + len(v) + 2
		}
	}
	return n + 2
}
