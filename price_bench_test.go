package coord

import (
	"testing"
	"time"
)

var costSink Money

// BenchmarkCost is the billing of one ended session.
func BenchmarkCost(b *testing.B) {
	p := Price{Rate: Money{Amount: 400, Currency: "USD"}, RatePeriodM: 60, IncrementM: 15, GraceM: 10,
		MaxCost: &Money{Amount: 2400, Currency: "USD"}}
	d := 2*time.Hour + 7*time.Minute + 31*time.Second
	b.ReportAllocs()
	for b.Loop() {
		costSink = p.Cost(d)
	}
}
