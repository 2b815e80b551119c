package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/go-openapi/loads"
	"github.com/go-openapi/runtime/middleware"

	"github.com/coordapi/coord/restapi"
	"github.com/coordapi/coord/restapi/operations"
)

// NewAPI loads the embedded spec and returns the generated API, its
// handlers still to be registered.
func NewAPI() (*operations.UsersAPI, error) {
	spec, err := loads.Analyzed(restapi.SwaggerJSON, "")
	if err != nil {
		return nil, fmt.Errorf("load embedded spec: %w", err)
	}
	return operations.NewUsersAPI(spec), nil
}

// Ready reports whether the server should receive traffic.
type Ready func(ctx context.Context) error

// Handler serves the API under its base path plus the operational endpoints
// (/healthz, /readyz, /metrics, /swagger.json, /docs), inside the global
// middleware.
func Handler(api *operations.UsersAPI, d Deps, ready Ready) http.Handler {
	m := newMetrics()
	m.registry.MustRegister(openSessionsCollector{store: d.Service.Store})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := ready(r.Context()); err != nil {
			// The reason goes to the log in full and, as the domain's
			// message (never a driver's text), into the body.
			LoggerFrom(r.Context()).WarnContext(r.Context(), "not ready", "reason", err.Error())
			_, body := problem(err)
			writeJSON(w, http.StatusServiceUnavailable, body)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("GET /swagger.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(restapi.SwaggerJSON)
	})
	mux.Handle("GET /docs", middleware.Redoc(middleware.RedocOpts{
		BasePath: "/", Path: "docs", SpecURL: "/swagger.json", Title: "Coord Users API",
	}, http.NotFoundHandler()))
	mux.Handle(linkPagePath, linkPage(d))
	mux.Handle("/", newRateLimits(d.Service.Catalog, d.Service.Now).limit(serveAPI(api)))
	return global(canonicalPaths(mux), d, m)
}
