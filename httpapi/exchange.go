package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/go-openapi/runtime/middleware"

	"github.com/coordapi/coord/restapi/operations"
)

// exchange is what the global middleware learns from the layers inside it
// about one request, and the request's logger. It lives in the request's
// context; only the request's own goroutine touches api, operationID, query
// and creds (until a parked long-poll hands its answer on).
type exchange struct {
	api         bool   // the request went to the API, not an operational endpoint
	operationID string // set once go-openapi's router matched an operation

	log       *slog.Logger // the server's logger, without the request id
	requestID string
	scoped    *slog.Logger // log with the request id, made on first use
	once      sync.Once
	// parked is set when a long-poll took the connection over; its answer,
	// later, logs and counts the request instead of the middleware.
	parked bool
	start  time.Time

	// query is the request's query parsed once, for the layers that read
	// it (long-poll deadlines, the rate limit, the access_key scheme);
	// rawQuery is what it was parsed from.
	query    url.Values
	rawQuery string

	// creds are the request's credentials once routed (withCredentials).
	creds    credentials
	hasCreds bool
}

// requestQuery is r.URL.Query(), parsed once per request: the global
// middleware, the rate limit and the access_key scheme each used to parse
// it again (a map, a slice and the strings, every time). The values are
// shared: callers read them and never change them. A request without an
// exchange, or whose query changed since, is parsed afresh.
func requestQuery(r *http.Request) url.Values {
	x := exchangeFrom(r.Context())
	if x == nil {
		return r.URL.Query()
	}
	if x.query == nil || x.rawQuery != r.URL.RawQuery {
		x.query, x.rawQuery = r.URL.Query(), r.URL.RawQuery
	}
	return x.query
}

// logger is the request's logger, log with the request id. It is made only
// when a handler logs (an error, a panic): slog's With copies the handler
// and formats the attribute, 7 allocations a request that most requests
// never use; the access log line adds the id itself.
func (x *exchange) logger() *slog.Logger {
	x.once.Do(func() { x.scoped = x.log.With("request_id", x.requestID) })
	return x.scoped
}

type exchangeKey struct{}

func withExchange(ctx context.Context, x *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, x)
}

func exchangeFrom(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

// serveAPI serves the generated API and tells the global middleware which
// requests were the API's.
func serveAPI(api *operations.UsersAPI) http.Handler {
	h := api.Serve(routed)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if x := exchangeFrom(r.Context()); x != nil {
			x.api = true
		}
		h.ServeHTTP(w, r)
	})
}

// routed is an api.Serve builder: it runs after go-openapi's router, the
// only place where the matched route is known, and before authentication.
// It tells the global middleware which operation the request was, and gives
// the request the empty credentials that the security schemes fill in.
func routed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if route := middleware.MatchedRouteFrom(r); route != nil && route.Operation != nil {
			if x := exchangeFrom(r.Context()); x != nil {
				x.operationID = route.Operation.ID
			}
			if route.Operation.ID == "link_account" {
				// A browser or web view opens it, with whatever Accept it
				// has; its answers (a redirect, or a JSON error) do not
				// depend on Accept, so none is refused with a 406.
				r.Header.Del("Accept")
			}
		}
		next.ServeHTTP(w, withCredentials(r))
	})
}
