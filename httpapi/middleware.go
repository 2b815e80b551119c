package httpapi

import (
	"net/http"
)

// global wraps every request: recovery and the request's logger.
func global(next http.Handler, d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				LoggerFrom(r.Context()).ErrorContext(r.Context(), "panic in handler", "panic", v)
				_, body := newProblem(http.StatusInternalServerError, "internal error", nil)
				writeJSON(w, http.StatusInternalServerError, body)
			}
		}()
		r = r.WithContext(WithLogger(r.Context(), d.Logger))
		next.ServeHTTP(w, r)
	})
}
