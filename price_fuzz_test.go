package coord_test

import (
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/coordapi/coord"
)

// FuzzPriceCost checks Cost over every price the catalog accepts (rate and
// cap ≥ 0, period and increment ≥ 1, grace ≥ 0) and any two durations:
// never negative, never above the cap, monotonic in duration, and equal to
// the documented formula computed with unbounded integers.
func FuzzPriceCost(f *testing.F) {
	f.Add(int64(400), int64(60), int64(1), int64(0), int64(-1), int64(time.Hour), int64(time.Hour+time.Second))
	f.Add(int64(300), int64(60), int64(15), int64(10), int64(2400), int64(10*time.Minute), int64(10*time.Minute+1))
	f.Add(int64(1), int64(60), int64(30), int64(0), int64(-1), int64(time.Minute), int64(time.Millisecond))
	f.Add(int64(math.MaxInt64/2), int64(1), int64(1), int64(0), int64(-1), int64(1000*time.Hour), int64(math.MaxInt64))
	f.Add(int64(7), int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MaxInt64), int64(0), int64(-5), int64(0))
	f.Add(int64(100), int64(60), int64(1)<<59, int64(0), int64(-1), int64(time.Minute), int64(time.Hour)) // step·60000 wraps to 0
	f.Add(int64(100), int64(60), int64(math.MaxInt64/60_000+1), int64(0), int64(-1), int64(time.Minute), int64(2*time.Minute))
	f.Add(int64(100), int64(60), int64(1), int64(math.MaxInt64/int64(time.Minute)+1), int64(-1), int64(time.Hour), int64(time.Hour))
	f.Fuzz(func(t *testing.T, rate, period, increment, grace, maxCost, d1, d2 int64) {
		p := coord.Price{
			Rate:        coord.Money{Amount: nonNegative(rate), Currency: "USD"},
			RatePeriodM: max(1, nonNegative(period)),
			IncrementM:  max(1, nonNegative(increment)),
			GraceM:      nonNegative(grace),
		}
		if maxCost >= 0 { // negative: no cap
			p.MaxCost = &coord.Money{Amount: maxCost, Currency: "USD"}
		}
		short, long := time.Duration(min(d1, d2)), time.Duration(max(d1, d2))
		c1, c2 := p.Cost(short), p.Cost(long)
		for _, c := range []struct {
			d    time.Duration
			cost coord.Money
		}{{short, c1}, {long, c2}} {
			if c.cost.Amount < 0 || c.cost.Currency != "USD" {
				t.Fatalf("%+v.Cost(%v) = %+v", p, c.d, c.cost)
			}
			if p.MaxCost != nil && c.cost.Amount > p.MaxCost.Amount {
				t.Fatalf("%+v.Cost(%v) = %d, above the cap %d", p, c.d, c.cost.Amount, p.MaxCost.Amount)
			}
			if want := referenceCost(p, c.d); c.cost.Amount != want {
				t.Fatalf("%+v.Cost(%v) = %d, the formula says %d", p, c.d, c.cost.Amount, want)
			}
		}
		if c1.Amount > c2.Amount {
			t.Fatalf("%+v: Cost(%v) = %d > Cost(%v) = %d", p, short, c1.Amount, long, c2.Amount)
		}
	})
}

// nonNegative folds x into [0, MaxInt64] without overflow.
func nonNegative(x int64) int64 {
	if x < 0 {
		return -(x + 1)
	}
	return x
}

// referenceCost is the design's formula in unbounded integers: 0 up to the
// grace period; else units = ceil(ms / increment), cost =
// round-half-up(units × increment × rate / period), saturated at MaxInt64,
// capped at MaxCost.
func referenceCost(p coord.Price, d time.Duration) int64 {
	n := big.NewInt
	graceNs := new(big.Int).Mul(n(p.GraceM), n(int64(time.Minute)))
	if n(int64(d)).Cmp(graceNs) <= 0 || p.Rate.Amount == 0 {
		return 0
	}
	stepMs := new(big.Int).Mul(n(p.IncrementM), n(60_000))
	units := new(big.Int).Add(n(d.Milliseconds()), new(big.Int).Sub(stepMs, n(1)))
	units.Quo(units, stepMs)
	minutes := new(big.Int).Mul(units, n(p.IncrementM))
	period2 := new(big.Int).Mul(n(p.RatePeriodM), n(2))
	cost := new(big.Int).Mul(minutes, n(p.Rate.Amount))
	cost.Mul(cost, n(2)).Add(cost, n(p.RatePeriodM)).Quo(cost, period2)
	if !cost.IsInt64() {
		cost = n(math.MaxInt64)
	}
	if p.MaxCost != nil && cost.Int64() > p.MaxCost.Amount {
		return p.MaxCost.Amount
	}
	return cost.Int64()
}
