// Package httpapi is the HTTP adapter: it assigns a handler to every
// generated operation, authenticates the three security schemes, and turns
// every error — the domain's and go-openapi's — into the one Error shape.
package httpapi

import (
	"fmt"
	"log/slog"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/restapi/operations"
)

// Deps is what the handlers need.
type Deps struct {
	Service *coord.Service
	Logger  *slog.Logger
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxHeaderBytes bounds the request line and headers; 0 means
	// DefaultMaxHeaderBytes. net/http must be allowed to read more (see
	// headerLimit), or it answers 431 first, in plain text.
	MaxHeaderBytes int
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
	api.SessionsGetSessionHandler = getSession{svc}
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
