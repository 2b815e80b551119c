package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-openapi/runtime/middleware"

	"github.com/coordapi/coord/restapi/operations"
)

// exchange is what the global middleware learns from the layers inside it
// about one request, and the request's logger. It lives in the request's
// context; only the request's own goroutine touches api and operationID.
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
		}
		next.ServeHTTP(w, withCredentials(r))
	})
}
