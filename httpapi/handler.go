package httpapi

import (
	"fmt"
	"net/http"

	"github.com/go-openapi/loads"

	"github.com/coordapi/coord/restapi"
	"github.com/coordapi/coord/restapi/operations"
)

// NewAPI loads the embedded spec and returns the generated API, for New
// (and, before it, for the generated server's command-line flags).
func NewAPI() (*operations.UsersAPI, error) {
	spec, err := loads.Analyzed(restapi.SwaggerJSON, "")
	if err != nil {
		return nil, fmt.Errorf("load embedded spec: %w", err)
	}
	return operations.NewUsersAPI(spec), nil
}

// handler serves the API under its base path plus the operational endpoints
// (/healthz, /readyz, /metrics, /swagger.json, /openapi.json, /docs) and the demo link
// page, inside the global middleware.
func handler(api *operations.UsersAPI, d Deps, links linkTokens, m *metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := d.Ready(r.Context()); err != nil {
			// The reason goes to the log in full and, as the domain's
			// message (never a driver's text), into the body.
			LoggerFrom(r.Context()).WarnContext(r.Context(), "not ready", "reason", err.Error())
			_, body := problem(err)
			writeJSON(w, http.StatusServiceUnavailable, body)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("GET /swagger.json", serveSpec(func(s servedSpecs) []byte { return s.swagger }))
	mux.HandleFunc("GET /openapi.json", serveSpec(func(s servedSpecs) []byte { return s.openapi }))
	mux.HandleFunc("GET /docs", serveDocsPage)
	mux.Handle("GET /docs/assets/", docsAssets())
	mux.Handle(linkPagePath, linkPageHandler{svc: d.Service, catalog: d.Catalog, tokens: links})
	mux.Handle("/", newRateLimits(d.Catalog, d.Clock.Now).limit(serveAPI(api)))
	return global(canonicalPaths(mux), d, m)
}
