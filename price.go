package coord

import (
	"math"
	"math/bits"
	"time"
)

// The periods of a price whose catalog entry leaves them out: the rate is
// per hour, billed by the started minute.
const (
	DefaultRatePeriodM = 60
	DefaultIncrementM  = 1
)

// Price is how a location bills: Rate per RatePeriodM minutes, in IncrementM
// minute steps, free up to GraceM minutes, capped at MaxCost when set.
type Price struct {
	Rate        Money
	RatePeriodM int64 // > 0; the catalog defaults it to DefaultRatePeriodM
	IncrementM  int64 // > 0; the catalog defaults it to DefaultIncrementM
	GraceM      int64 // >= 0
	MaxCost     *Money
}

// Cost is the bill for a session of duration d: 0 within the grace period,
// else round-half-up(units × IncrementM × Rate / RatePeriodM) where units is
// d in IncrementM steps rounded up, capped at MaxCost. Integer arithmetic
// only (128-bit intermediates), so it never overflows or goes negative.
func (p Price) Cost(d time.Duration) Money {
	zero := Money{Amount: 0, Currency: p.Rate.Currency}
	// A grace or a step too long for a Duration (the catalog bounds neither)
	// must not wrap around: such a grace outlasts any session, such a step
	// holds any session in one unit.
	if p.GraceM > math.MaxInt64/int64(time.Minute) || d <= time.Duration(p.GraceM)*time.Minute ||
		p.Rate.Amount <= 0 || p.IncrementM <= 0 || p.RatePeriodM <= 0 {
		return zero
	}
	ms := uint64(d.Milliseconds())
	units := min(ms, 1)
	if over, stepMs := bits.Mul64(uint64(p.IncrementM), 60_000); over == 0 {
		units = ms / stepMs
		if ms%stepMs != 0 {
			units++
		}
	}
	over, minutes := bits.Mul64(units, uint64(p.IncrementM))
	amount := uint64(math.MaxInt64)
	if over == 0 {
		// round half up: (2·minutes·rate + period) / (2·period)
		period2 := 2 * uint64(p.RatePeriodM)
		hi, lo := bits.Mul64(minutes, 2*uint64(p.Rate.Amount))
		var carry uint64
		lo, carry = bits.Add64(lo, uint64(p.RatePeriodM), 0)
		hi += carry
		if hi < period2 {
			q, _ := bits.Div64(hi, lo, period2)
			amount = min(q, uint64(math.MaxInt64))
		}
	}
	cost := Money{Amount: int64(amount), Currency: p.Rate.Currency}
	if p.MaxCost != nil && cost.Amount > p.MaxCost.Amount {
		cost.Amount = p.MaxCost.Amount
	}
	return cost
}
