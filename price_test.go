package coord_test

import (
	"math"
	"testing"
	"time"

	"github.com/coordapi/coord"
)

func TestPriceCost(t *testing.T) {
	usd := func(a int64) coord.Money { return coord.Money{Amount: a, Currency: "USD"} }
	hourly := coord.Price{Rate: usd(400), RatePeriodM: 60, IncrementM: 1}
	capped := hourly
	capped.MaxCost = &coord.Money{Amount: 1000, Currency: "USD"}
	quarter := coord.Price{Rate: usd(300), RatePeriodM: 60, IncrementM: 15, GraceM: 10}
	odd := coord.Price{Rate: usd(1), RatePeriodM: 60, IncrementM: 30}
	huge := coord.Price{Rate: usd(math.MaxInt64 / 2), RatePeriodM: 1, IncrementM: 1}

	tests := []struct {
		name  string
		price coord.Price
		d     time.Duration
		want  int64
	}{
		{"zero duration costs nothing", hourly, 0, 0},
		{"one millisecond bills a whole increment", hourly, time.Millisecond, 7}, // 400/60 = 6.67 → 7
		{"one hour bills the rate", hourly, time.Hour, 400},
		{"just over an hour bills one more minute", hourly, time.Hour + time.Second, 407}, // 61×400/60 = 406.67
		{"the cap limits long sessions", capped, 10 * time.Hour, 1000},
		{"under the cap is not capped", capped, 2 * time.Hour, 800},
		{"within grace is free", quarter, 10 * time.Minute, 0},
		{"just past grace bills the first increment", quarter, 10*time.Minute + time.Second, 75},
		{"increments round up", quarter, 16 * time.Minute, 150},
		{"exactly half a cent rounds up", odd, time.Minute, 1}, // 30×1/60 = 0.5 → 1
		{"below half a cent rounds down", coord.Price{Rate: usd(1), RatePeriodM: 61, IncrementM: 30}, time.Minute, 0},
		{"overflow saturates instead of wrapping", huge, 1000 * time.Hour, math.MaxInt64},
		{"a zero rate is free", coord.Price{Rate: usd(0), RatePeriodM: 60, IncrementM: 1}, time.Hour, 0},
		{"negative durations are free", hourly, -time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.price.Cost(tt.d)
			if got.Amount != tt.want || got.Currency != "USD" {
				t.Fatalf("Cost(%v) = %+v, want %d USD", tt.d, got, tt.want)
			}
		})
	}
}
