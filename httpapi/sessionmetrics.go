package httpapi

import (
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

// sessionStarted counts the session post_session returned when the store
// created it in this call (not for an idempotent replay).
func (m *metrics) sessionStarted(created bool) {
	if created {
		m.started.Inc()
	}
}

// sessionEnded counts the session end_session returned, and its bill, when
// the store ended and billed it in this call (not when it was ended
// already, by an earlier or a concurrent call).
func (m *metrics) sessionEnded(s *coord.Session, ended bool) {
	if !ended {
		return
	}
	m.ended.WithLabelValues(viaEndSession).Inc()
	if s.Cost != nil {
		m.billed.WithLabelValues(s.Cost.Currency).Add(float64(s.Cost.Amount))
	}
}

// redeemed counts the bill simulate_redemption fixed, as the store planned
// it: the session ends with it at the simulated exit. A session is redeemed
// once (then not_redeemable).
func (m *metrics) redeemed(s *coord.Session) {
	if s.PlannedCost == nil {
		return
	}
	m.ended.WithLabelValues(viaRedemption).Inc()
	m.billed.WithLabelValues(s.PlannedCost.Currency).Add(float64(s.PlannedCost.Amount))
}
