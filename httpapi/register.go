// Package httpapi is the HTTP adapter: it assigns a handler to every
// generated operation, authenticates the three security schemes, and turns
// every error — the domain's and go-openapi's — into the one Error shape.
package httpapi

import (
	"fmt"
	"log/slog"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/live"
	"github.com/coordapi/coord/restapi/operations"
)

// Deps is what the handlers need.
type Deps struct {
	Service *coord.Service
	Logger  *slog.Logger
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Hub holds long-poll requests (get_session and list_events with wait);
	// nil answers them at once.
	Hub *live.Hub
}

// Register assigns every handler, the authentication functions, the
// authorizer and the error writer of api, and checks nothing is missing.
// Wiring lives here, not in the generated configure_users.go.
func Register(api *operations.UsersAPI, d Deps) error {
	svc := d.Service
	api.ServeError = ServeError()
	api.Logger = func(format string, args ...any) { d.Logger.Debug("go-openapi: " + format) }
	api.JSONConsumer = strictJSON()
	api.JSONProducer = runtime.JSONProducer()
	api.HTMLProducer = runtime.TextProducer()

	auth := authenticator{catalog: svc.Catalog, tokens: svc.Tokens}
	api.APIKeyAuthenticator = auth.schemeAuthenticator
	api.AccessKeyAuth = auth.accessKey
	api.UserJwtAuth = auth.userJWT
	api.ServerTokenAuth = auth.serverToken
	api.APIAuthorizer = runtime.AuthorizerFunc(auth.authorize)

	api.SessionsPostSessionHandler = postSession{svc}
	hub := d.Hub
	if hub == nil {
		hub = live.New(0, 0, svc.Now)
	}
	api.SessionsGetSessionHandler = getSession{svc, hub}
	api.EventsListEventsHandler = listEvents{svc, hub}
	api.SessionsGetLocationSessionsHandler = getLocationSessions{svc}
	api.SessionsGetUserSessionsHandler = getUserSessions{svc}
	api.SessionsEndSessionHandler = endSession{svc}
	api.TestingSimulateRedemptionHandler = simulateRedemption{svc}
	api.SystemsListSystemsHandler = newListSystems(svc.Catalog)

	registerUsers(api, svc)
	if err := api.Validate(); err != nil {
		return fmt.Errorf("api wiring: %w", err)
	}
	return nil
}
