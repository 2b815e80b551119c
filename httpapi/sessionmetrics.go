package httpapi

import (
	"context"
	"time"

	"github.com/coordapi/coord"
)

// Session metrics are counted in the session handlers' success paths, when
// the store reports that the call itself changed the session: an idempotent
// replay of post_session and an end_session of an ended session count
// nothing, however calls race. The store settles simulated exits and expiries
// in SQL, out of sight, so these count what the API did, not every state
// change; coord_open_sessions (opensessions.go) reads the current state from
// the database instead.

const (
	viaEndSession = "end_session"
	viaRedemption = "redemption"
)

// noteSessionStarted counts the session post_session returned when the
// store created it in this call (not for an idempotent replay).
func noteSessionStarted(ctx context.Context, created bool) {
	if m := metricsFrom(ctx); m != nil && created {
		m.started.Inc()
	}
}

// noteSessionEnded counts the session end_session returned, and its bill,
// when the store ended and billed it in this call (not when it was ended
// already, by an earlier or a concurrent call).
func noteSessionEnded(ctx context.Context, s *coord.Session, ended bool) {
	m := metricsFrom(ctx)
	if m == nil || !ended {
		return
	}
	m.ended.WithLabelValues(viaEndSession).Inc()
	if s.Cost != nil {
		m.billed.WithLabelValues(s.Cost.Currency).Add(float64(s.Cost.Amount))
	}
}

// noteRedeemed counts the bill simulate_redemption fixed: the store bills
// the planned stay with the location's price at once and ends the session at
// the simulated exit. A session is redeemed once (then not_redeemable).
func noteRedeemed(ctx context.Context, cat *coord.Catalog, locationID string, minutes int) {
	m := metricsFrom(ctx)
	l, ok := cat.Location(locationID)
	if m == nil || !ok || l.Price == nil {
		return
	}
	bill := l.Price.Cost(time.Duration(minutes) * time.Minute)
	m.ended.WithLabelValues(viaRedemption).Inc()
	m.billed.WithLabelValues(bill.Currency).Add(float64(bill.Amount))
}
