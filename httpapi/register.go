// Package httpapi is the HTTP adapter: it assigns a handler to every
// generated operation, authenticates the three security schemes, and turns
// every error — the domain's and go-openapi's — into the one Error shape.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-openapi/runtime"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/live"
	"github.com/coordapi/coord/restapi/operations"
)

// Deps is what the handlers use, each named for its role.
type Deps struct {
	Service *coord.Service     // the operations
	Catalog *coord.Catalog     // partners and their credentials, systems, locations
	Tokens  coord.TokenService // verifies user JWTs
	// Keys holds the demo link page's HMAC key, which New loads once.
	Keys coord.KeyStore
	// OpenSessions is the store behind the coord_open_sessions gauge; if it
	// is also a CommitCounter, its commits are counted too.
	OpenSessions OpenSessionCounter
	// Ready answers /readyz.
	Ready Ready
	// Clock dates the link page's tokens; nil: the wall clock.
	Clock  coord.Clock
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxHeaderBytes bounds the request line and headers; 0 means
	// DefaultMaxHeaderBytes. net/http must be allowed to read more (see
	// limitHeader), or it answers 431 first, in plain text.
	MaxHeaderBytes int
	// Hub holds long-poll requests (get_session and list_events with wait);
	// nil answers them at once.
	Hub *live.Hub
	// Webhooks serves list_webhook_deliveries and ping_webhook; its zero
	// value answers them 503.
	Webhooks Webhooks
	// Collectors are more metrics for /metrics (webhook deliveries).
	Collectors []prometheus.Collector
}

// Webhooks is what the webhook operations need.
type Webhooks struct {
	History delivery.History // the store's record of attempts
	Sender  *delivery.Sender // sends pings
}

// OpenSessionCounter counts the sessions open now (coord.SessionStore has it).
type OpenSessionCounter interface {
	OpenSessions(ctx context.Context) (int64, error)
}

// Ready reports whether the server should receive traffic.
type Ready func(ctx context.Context) error

// keyLoadTimeout bounds New's one database read, of the link page's key.
const keyLoadTimeout = 30 * time.Second

// New wires api (from NewAPI) to d and returns the server's whole handler:
// the API under its base path, the operational endpoints and the demo link
// page, inside the global middleware. Wiring lives here, not in the
// generated configure_users.go.
func New(api *operations.UsersAPI, d Deps) (http.Handler, error) {
	if d.Service == nil || d.Catalog == nil || d.Tokens == nil || d.Keys == nil ||
		d.OpenSessions == nil || d.Ready == nil || d.Logger == nil {
		return nil, errors.New("httpapi: Deps needs Service, Catalog, Tokens, Keys, OpenSessions, Ready and Logger")
	}
	if d.Clock == nil {
		d.Clock = coord.SystemClock{}
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if d.MaxHeaderBytes <= 0 {
		d.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	ctx, cancel := context.WithTimeout(context.Background(), keyLoadTimeout)
	defer cancel()
	key, err := coord.SharedKey(ctx, d.Keys, linkKeyName)
	if err != nil {
		return nil, err
	}
	links := linkTokens{key: key, clock: d.Clock}
	m := newMetrics(d.OpenSessions)
	if c, ok := d.OpenSessions.(CommitCounter); ok {
		m.registry.MustRegister(commitCollector{store: c})
	}
	if d.Hub == nil {
		d.Hub = live.New(0, 0, d.Clock.Now)
	} else {
		m.registry.MustRegister(liveCollector{hub: d.Hub})
	}
	m.registry.MustRegister(d.Collectors...)
	if err := register(api, d, links, m); err != nil {
		return nil, err
	}
	return handler(api, d, links, m), nil
}

// register assigns every handler, the authentication functions, the
// authorizer and the error writer of api, and checks nothing is missing.
func register(api *operations.UsersAPI, d Deps, links linkTokens, m *metrics) error {
	svc := d.Service
	api.ServeError = ServeError()
	api.Logger = func(format string, args ...any) {
		if d.Logger.Enabled(context.Background(), slog.LevelDebug) {
			d.Logger.Debug("go-openapi: " + fmt.Sprintf(format, args...))
		}
	}
	api.JSONConsumer = strictJSON()
	api.JSONProducer = jsonProducer()

	auth := authenticator{catalog: d.Catalog, tokens: d.Tokens}
	api.APIKeyAuthenticator = auth.schemeAuthenticator
	api.AccessKeyAuth = auth.accessKey
	api.UserJwtAuth = auth.userJWT
	api.ServerTokenAuth = auth.serverToken
	api.APIAuthorizer = runtime.AuthorizerFunc(auth.authorize)

	api.SessionsPostSessionHandler = postSession{svc, m}
	api.SessionsGetSessionHandler = getSession{svc, d.Hub, m}
	api.EventsListEventsHandler = listEvents{svc, d.Hub, m}
	api.SessionsGetLocationSessionsHandler = getLocationSessions{svc}
	api.SessionsGetUserSessionsHandler = getUserSessions{svc}
	api.SessionsEndSessionHandler = endSession{svc, m}
	api.TestingSimulateRedemptionHandler = simulateRedemption{svc, m}
	api.SystemsListSystemsHandler = newListSystems(d.Catalog)
	api.SystemsGetQuoteHandler = getQuote{svc}
	api.WebhooksListWebhookDeliveriesHandler = listWebhookDeliveries{d.Webhooks}
	api.TestingPingWebhookHandler = pingWebhook{d.Webhooks, d.Clock}

	registerUsers(api, svc, links)
	if err := api.Validate(); err != nil {
		return fmt.Errorf("api wiring: %w", err)
	}
	return nil
}
