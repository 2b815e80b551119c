package bench

import (
	"net"
	"net/http"
)

// BaselineHandler is the HTTP limit of the machine: a bare net/http server
// that answers get_session's path with the same session JSON the real
// server returns, from memory — no auth, no validation, no database, no
// logs. Measured with the same load generator, its rate is what the real
// server's poll rate is compared with.
func BaselineHandler(sessionJSON []byte) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/users/{location}/session/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(sessionJSON)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	return mux
}

// ServeBaseline serves BaselineHandler on addr until the process ends.
func ServeBaseline(addr string, sessionJSON []byte) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return http.Serve(l, BaselineHandler(sessionJSON))
}
