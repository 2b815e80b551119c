// This file is safe to edit. Once it exists it will not be overwritten

package restapi

import (
	"crypto/tls"
	"net/http"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/restapi/operations"
	"github.com/coordapi/coord/restapi/operations/events"
	"github.com/coordapi/coord/restapi/operations/sessions"
	"github.com/coordapi/coord/restapi/operations/systems"
	"github.com/coordapi/coord/restapi/operations/testing"
	"github.com/coordapi/coord/restapi/operations/tokens"
	"github.com/coordapi/coord/restapi/operations/users"
	"github.com/coordapi/coord/restapi/operations/webhooks"
	"github.com/go-openapi/errors"
	"github.com/go-openapi/runtime"
)

//go:generate swagger generate server --target ../../coord --name Users --spec ../swagger.yaml --principal github.com/coordapi/coord.Principal --exclude-main --strict-responders

func configureFlags(api *operations.UsersAPI) {
	// api.CommandLineOptionsGroups = []cmdutils.CommandLineOptionsGroup{ ... }
	_ = api
}

func configureAPI(api *operations.UsersAPI) http.Handler {
	// configure the api here
	api.ServeError = errors.ServeError

	// Set your custom logger if needed. Default one is log.Printf
	// Expected interface func(string, ...any)
	//
	// Example:
	// api.Logger = log.Printf

	api.UseSwaggerUI()
	// To continue using redoc as your UI, uncomment the following line
	// api.UseRedoc()

	api.JSONConsumer = runtime.JSONConsumer()

	api.JSONProducer = runtime.JSONProducer()

	// Applies when the "access_key" query is set
	if api.AccessKeyAuth == nil {
		api.AccessKeyAuth = func(token string) (*coord.Principal, error) {
			_ = token

			return nil, errors.NotImplemented("api key auth (access_key) access_key from query param [access_key] has not yet been implemented")
		}
	}
	// Applies when the "Authorization" header is set
	if api.ServerTokenAuth == nil {
		api.ServerTokenAuth = func(token string) (*coord.Principal, error) {
			_ = token

			return nil, errors.NotImplemented("api key auth (server_token) Authorization from header param [Authorization] has not yet been implemented")
		}
	}
	// Applies when the "Authorization" header is set
	if api.UserJwtAuth == nil {
		api.UserJwtAuth = func(token string) (*coord.Principal, error) {
			_ = token

			return nil, errors.NotImplemented("api key auth (user_jwt) Authorization from header param [Authorization] has not yet been implemented")
		}
	}

	// Set your custom authorizer if needed. Default one is security.Authorized()
	// Expected interface runtime.Authorizer
	//
	// Example:
	// api.APIAuthorizer = security.Authorized()

	if api.TokensCreateJwtHandler == nil {
		api.TokensCreateJwtHandler = tokens.CreateJwtHandlerFunc(func(params tokens.CreateJwtParams, principal *coord.Principal) tokens.CreateJwtResponder {
			_ = params
			_ = principal

			return tokens.CreateJwtNotImplemented()
		})
	}
	if api.TestingCreateTestJwtHandler == nil {
		api.TestingCreateTestJwtHandler = testing.CreateTestJwtHandlerFunc(func(params testing.CreateTestJwtParams, principal *coord.Principal) testing.CreateTestJwtResponder {
			_ = params
			_ = principal

			return testing.CreateTestJwtNotImplemented()
		})
	}
	if api.SessionsEndSessionHandler == nil {
		api.SessionsEndSessionHandler = sessions.EndSessionHandlerFunc(func(params sessions.EndSessionParams, principal *coord.Principal) sessions.EndSessionResponder {
			_ = params
			_ = principal

			return sessions.EndSessionNotImplemented()
		})
	}
	if api.SessionsGetLocationSessionsHandler == nil {
		api.SessionsGetLocationSessionsHandler = sessions.GetLocationSessionsHandlerFunc(func(params sessions.GetLocationSessionsParams, principal *coord.Principal) sessions.GetLocationSessionsResponder {
			_ = params
			_ = principal

			return sessions.GetLocationSessionsNotImplemented()
		})
	}
	if api.SystemsGetQuoteHandler == nil {
		api.SystemsGetQuoteHandler = systems.GetQuoteHandlerFunc(func(params systems.GetQuoteParams, principal *coord.Principal) systems.GetQuoteResponder {
			_ = params
			_ = principal

			return systems.GetQuoteNotImplemented()
		})
	}
	if api.SessionsGetSessionHandler == nil {
		api.SessionsGetSessionHandler = sessions.GetSessionHandlerFunc(func(params sessions.GetSessionParams, principal *coord.Principal) sessions.GetSessionResponder {
			_ = params
			_ = principal

			return sessions.GetSessionNotImplemented()
		})
	}
	if api.UsersGetUserHandler == nil {
		api.UsersGetUserHandler = users.GetUserHandlerFunc(func(params users.GetUserParams, principal *coord.Principal) users.GetUserResponder {
			_ = params
			_ = principal

			return users.GetUserNotImplemented()
		})
	}
	if api.SessionsGetUserSessionsHandler == nil {
		api.SessionsGetUserSessionsHandler = sessions.GetUserSessionsHandlerFunc(func(params sessions.GetUserSessionsParams, principal *coord.Principal) sessions.GetUserSessionsResponder {
			_ = params
			_ = principal

			return sessions.GetUserSessionsNotImplemented()
		})
	}
	if api.UsersLinkAccountHandler == nil {
		api.UsersLinkAccountHandler = users.LinkAccountHandlerFunc(func(params users.LinkAccountParams, principal *coord.Principal) users.LinkAccountResponder {
			_ = params
			_ = principal

			return users.LinkAccountNotImplemented()
		})
	}
	if api.EventsListEventsHandler == nil {
		api.EventsListEventsHandler = events.ListEventsHandlerFunc(func(params events.ListEventsParams, principal *coord.Principal) events.ListEventsResponder {
			_ = params
			_ = principal

			return events.ListEventsNotImplemented()
		})
	}
	if api.SystemsListSystemsHandler == nil {
		api.SystemsListSystemsHandler = systems.ListSystemsHandlerFunc(func(params systems.ListSystemsParams, principal *coord.Principal) systems.ListSystemsResponder {
			_ = params
			_ = principal

			return systems.ListSystemsNotImplemented()
		})
	}
	if api.WebhooksListWebhookDeliveriesHandler == nil {
		api.WebhooksListWebhookDeliveriesHandler = webhooks.ListWebhookDeliveriesHandlerFunc(func(params webhooks.ListWebhookDeliveriesParams, principal *coord.Principal) webhooks.ListWebhookDeliveriesResponder {
			_ = params
			_ = principal

			return webhooks.ListWebhookDeliveriesNotImplemented()
		})
	}
	if api.TestingPingWebhookHandler == nil {
		api.TestingPingWebhookHandler = testing.PingWebhookHandlerFunc(func(params testing.PingWebhookParams, principal *coord.Principal) testing.PingWebhookResponder {
			_ = params
			_ = principal

			return testing.PingWebhookNotImplemented()
		})
	}
	if api.SessionsPostSessionHandler == nil {
		api.SessionsPostSessionHandler = sessions.PostSessionHandlerFunc(func(params sessions.PostSessionParams, principal *coord.Principal) sessions.PostSessionResponder {
			_ = params
			_ = principal

			return sessions.PostSessionNotImplemented()
		})
	}
	if api.UsersPutVehicleHandler == nil {
		api.UsersPutVehicleHandler = users.PutVehicleHandlerFunc(func(params users.PutVehicleParams, principal *coord.Principal) users.PutVehicleResponder {
			_ = params
			_ = principal

			return users.PutVehicleNotImplemented()
		})
	}
	if api.TestingSimulateRedemptionHandler == nil {
		api.TestingSimulateRedemptionHandler = testing.SimulateRedemptionHandlerFunc(func(params testing.SimulateRedemptionParams, principal *coord.Principal) testing.SimulateRedemptionResponder {
			_ = params
			_ = principal

			return testing.SimulateRedemptionNotImplemented()
		})
	}
	if api.TestingTestLinkUserAccountHandler == nil {
		api.TestingTestLinkUserAccountHandler = testing.TestLinkUserAccountHandlerFunc(func(params testing.TestLinkUserAccountParams, principal *coord.Principal) testing.TestLinkUserAccountResponder {
			_ = params
			_ = principal

			return testing.TestLinkUserAccountNotImplemented()
		})
	}

	api.PreServerShutdown = func() {}

	api.ServerShutdown = func() {}

	return setupGlobalMiddleware(api.Serve(setupMiddlewares))
}

// The TLS configuration before HTTPS server starts.
func configureTLS(tlsConfig *tls.Config) {
	// Make all necessary changes to the TLS configuration here.
	_ = tlsConfig
}

// As soon as server is initialized but not run yet, this function will be called.
// If you need to modify a config, store server instance to stop it individually later, this is the place.
// This function can be called multiple times, depending on the number of serving schemes.
// scheme value will be set accordingly: "http", "https" or "unix".
func configureServer(server *http.Server, scheme, addr string) {
	_ = server
	_ = scheme
	_ = addr
}

// The middleware configuration is for the handler executors. These do not apply to the swagger.json document.
// The middleware executes after routing but before authentication, binding and validation.
func setupMiddlewares(handler http.Handler) http.Handler {
	return handler
}

// The middleware configuration happens before anything, this middleware also applies to serving the swagger.json document.
// So this is a good place to plug in a panic handling middleware, logging and metrics.
func setupGlobalMiddleware(handler http.Handler) http.Handler {
	return handler
}
