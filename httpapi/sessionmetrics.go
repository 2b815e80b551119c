package httpapi

import (
	"context"
	"time"

	"github.com/coordapi/coord"
)

// Session metrics are counted in the session handlers' success paths: the
// store settles simulated exits and expiries in SQL, out of sight, so these
// count what the API did, not every state change (no open-sessions gauge).

const (
	viaEndSession = "end_session"
	viaRedemption = "redemption"
)

// noteSessionStarted counts a session post_session returned, unless it is
// the replay of an idempotent request: an app session that started before
// this call. (A replayed pending gate session cannot be told apart.)
func noteSessionStarted(ctx context.Context, s *coord.Session, callStart time.Time) {
	m := metricsFrom(ctx)
	if m == nil || (s.StartTime != nil && s.StartTime.Before(stored(callStart))) {
		return
	}
	m.started.Inc()
}

// noteSessionEnded counts the bill of a session end_session returned, when
// this call ended it: ending an ended session returns it unchanged, with the
// end time of the earlier call.
func noteSessionEnded(ctx context.Context, s *coord.Session, callStart time.Time) {
	m := metricsFrom(ctx)
	if m == nil || s.Status != coord.StatusEnded || s.Cost == nil || s.EndTime == nil || s.EndTime.Before(stored(callStart)) {
		return
	}
	m.ended.WithLabelValues(viaEndSession).Inc()
	m.billed.WithLabelValues(s.Cost.Currency).Add(float64(s.Cost.Amount))
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

// stored is t as the stores keep times: in whole milliseconds.
func stored(t time.Time) time.Time { return t.Truncate(time.Millisecond) }
