package httpapi

import (
	"net/http"
	"path"
	"strings"
)

// canonicalPaths answers a path with empty, "." or ".." segments 404 in the
// Error shape. http.ServeMux would redirect it to its cleaned form with an
// HTML body: an API client gets no redirect it did not ask for, and a path
// traversal attempt gets the same answer as any unknown path.
func canonicalPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; !canonical(p) {
			status, body := newProblem(http.StatusNotFound, "no such path: it is not in canonical form (empty, \".\" or \"..\" segments)", nil)
			writeJSON(w, status, body)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// canonical is ServeMux's own test: the path equals its cleaned form, a
// trailing slash kept.
func canonical(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}
