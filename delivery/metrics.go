package delivery

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts attempts by outcome and measures the commit-to-delivery
// lag. It is a prometheus.Collector for the server's registry; its
// Observe is the Dispatcher's OnOutcome. DepthCollector reports the queue depth.
type Metrics struct {
	attempts *prometheus.CounterVec
	duration prometheus.Histogram
	lag      prometheus.Histogram
}

// NewMetrics makes the metrics, every outcome's series at zero.
func NewMetrics() *Metrics {
	m := &Metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coord_webhook_deliveries_total",
			Help: "Webhook delivery attempts by outcome: delivered, retrying (to be attempted again), failed (no attempts left), disabled (410 Gone).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "coord_webhook_attempt_duration_seconds",
			Help:    "Time from sending a webhook to its answer's status (or the error).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15, 30},
		}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "coord_webhook_delivery_lag_seconds",
			Help:    "Time from an event's commit to its delivery's 2xx answer, retries included.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 86400},
		}),
	}
	for _, s := range []State{Delivered, Retrying, Failed, Disabled} {
		m.attempts.WithLabelValues(string(s))
	}
	return m
}

// Observe records one attempt's outcome.
func (m *Metrics) Observe(d Delivery, o Outcome) {
	m.attempts.WithLabelValues(string(o.State)).Inc()
	m.duration.Observe(o.Latency.Seconds())
	if o.State == Delivered && !d.CreatedAt.IsZero() {
		m.lag.Observe(max(o.AttemptedAt.Add(o.Latency).Sub(d.CreatedAt).Seconds(), 0))
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.attempts.Describe(ch)
	m.duration.Describe(ch)
	m.lag.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.attempts.Collect(ch)
	m.duration.Collect(ch)
	m.lag.Collect(ch)
}

// depthDesc is the queue depth gauge, read from the store at each scrape.
var depthDesc = prometheus.NewDesc("coord_webhook_queue_depth",
	"Webhook deliveries waiting: not yet delivered, failed or disabled (retries included).", nil, nil)

// DepthCollector reports the queue depth gauge from h, counted at each scrape.
func DepthCollector(h History) prometheus.Collector { return depthCollector{h} }

type depthCollector struct{ h History }

func (c depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc }

func (c depthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), depthTimeout)
	defer cancel()
	n, err := c.h.Depth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(depthDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(n))
}

// depthTimeout bounds the count behind the depth gauge.
const depthTimeout = 5 * time.Second
