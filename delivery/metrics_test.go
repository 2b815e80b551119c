package delivery_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/coordapi/coord/delivery"
)

func TestMetricsCountOutcomesAndMeasureTheLag(t *testing.T) {
	m := delivery.NewMetrics()
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	committed := time.Unix(1_800_000_000, 0)
	d := delivery.Delivery{CreatedAt: committed}
	m.Observe(d, delivery.Outcome{State: delivery.Retrying, AttemptedAt: committed, Latency: time.Second})
	m.Observe(d, delivery.Outcome{State: delivery.Delivered, AttemptedAt: committed.Add(5 * time.Second), Latency: 2 * time.Second})

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	var lagSamples uint64
	var lagSum float64
	for _, mf := range families {
		for _, metric := range mf.GetMetric() {
			switch mf.GetName() {
			case "coord_webhook_deliveries_total":
				counts[metric.GetLabel()[0].GetValue()] = metric.GetCounter().GetValue()
			case "coord_webhook_delivery_lag_seconds":
				lagSamples, lagSum = metric.GetHistogram().GetSampleCount(), metric.GetHistogram().GetSampleSum()
			}
		}
	}
	if len(counts) != 4 || counts["delivered"] != 1 || counts["retrying"] != 1 || counts["failed"] != 0 || counts["disabled"] != 0 {
		t.Fatalf("deliveries by outcome: %v (every outcome's series must exist from the start)", counts)
	}
	if lagSamples != 1 || lagSum != 7 {
		t.Fatalf("lag: %d samples, sum %v; want one of 7 s (commit to the 2xx answer)", lagSamples, lagSum)
	}
}
