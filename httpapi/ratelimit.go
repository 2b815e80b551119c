package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/coordapi/coord"
)

// rateLimits holds one token bucket per access key of the catalog, in this
// process's memory: each replica counts its own requests, so N replicas
// behind a balancer let through up to N times a partner's rate_limit.
type rateLimits struct {
	catalog *coord.Catalog
	byKey   map[string]*rate.Limiter
	now     func() time.Time
}

func newRateLimits(cat *coord.Catalog, now func() time.Time) *rateLimits {
	l := &rateLimits{catalog: cat, byKey: map[string]*rate.Limiter{}, now: now}
	for _, p := range cat.Partners {
		for _, key := range p.AccessKeys {
			l.byKey[key] = rate.NewLimiter(rate.Limit(p.RateLimit.RequestsPerSecond), p.RateLimit.Burst)
		}
	}
	return l
}

// limit answers 429 rate_limited with Retry-After when the request's
// access key is over its partner's limit. Requests without one known key
// pass: authentication refuses them, and they cannot fill the table, which
// holds the catalog's keys only.
func (l *rateLimits) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys := requestQuery(r)["access_key"]
		if len(keys) != 1 {
			next.ServeHTTP(w, r)
			return
		}
		// Found in constant time first, so that the map lookup only ever
		// sees valid keys.
		if _, ok := l.catalog.PartnerByAccessKey(keys[0]); !ok {
			next.ServeHTTP(w, r)
			return
		}
		lim := l.byKey[keys[0]]
		now := l.now()
		// AllowN takes a token when there is one and touches nothing when
		// there is none; only a refusal pays for a Reservation, to learn
		// how long until the next token.
		if lim.AllowN(now, 1) {
			next.ServeHTTP(w, r)
			return
		}
		res := lim.ReserveN(now, 1)
		if wait := res.DelayFrom(now); wait > 0 || !res.OK() {
			res.CancelAt(now) // the refused request does not spend a token
			seconds := max(1, int(math.Ceil(wait.Seconds())))
			w.Header().Set("Retry-After", strconv.Itoa(seconds))
			status, body := newProblem(http.StatusTooManyRequests,
				"this access key is over its rate limit; retry after "+strconv.Itoa(seconds)+" s", nil)
			writeJSON(w, status, body)
			return
		}
		next.ServeHTTP(w, r)
	})
}
