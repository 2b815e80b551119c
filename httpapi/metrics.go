package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/coordapi/coord"
)

// metrics are the server's Prometheus metrics, in a registry of their own
// so that several handlers (tests) never collide in a global one.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec   // operation, code
	latency  *prometheus.HistogramVec // operation
	inFlight prometheus.Gauge
	errors   *prometheus.CounterVec // code: unavailable, internal
	started  prometheus.Counter
	ended    *prometheus.CounterVec // via: end_session, redemption
	billed   *prometheus.CounterVec // currency

	feedRequests prometheus.Counter

	// bySeries caches each (operation, status)'s counter and histogram:
	// WithLabelValues hashes the labels, formats the status and takes the
	// vector's lock on every call. The set of keys is bounded as the
	// vectors' series are (operation ids, operational paths, "unmatched";
	// the status codes the server sends).
	bySeries sync.Map // seriesKey → *requestSeries
}

type seriesKey struct {
	operation string
	status    int
}

// requestSeries is one (operation, status)'s request counter and its
// operation's latency histogram.
type requestSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func (s *requestSeries) observe(elapsed time.Duration) {
	s.requests.Inc()
	s.latency.Observe(elapsed.Seconds())
}

// series is the cached series of operation and status, made on first use.
func (m *metrics) series(operation string, status int) *requestSeries {
	k := seriesKey{operation, status}
	if s, ok := m.bySeries.Load(k); ok {
		return s.(*requestSeries)
	}
	s, _ := m.bySeries.LoadOrStore(k, &requestSeries{
		requests: m.requests.WithLabelValues(operation, strconv.Itoa(status)),
		latency:  m.latency.WithLabelValues(operation),
	})
	return s.(*requestSeries)
}

// newMetrics makes the metrics, with the open-sessions gauge read from open.
func newMetrics(open OpenSessionCounter) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coord_http_requests_total",
			Help: "HTTP requests by operationId (or the operational path) and status code.",
		}, []string{"operation", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "coord_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by operationId (or the operational path).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "coord_http_requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coord_server_errors_total",
			Help: "Responses with error code unavailable (database unreachable) or internal (unexpected failure, panic).",
		}, []string{"code"}),
		started: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coord_sessions_started_total",
			Help: "Sessions created by post_session (idempotent replays excluded).",
		}),
		ended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coord_sessions_ended_total",
			Help: "Sessions billed through the API: by end_session, or by simulate_redemption (billed at redemption, ended at the simulated exit).",
		}, []string{"via"}),
		billed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coord_billed_amount_total",
			Help: "Amount billed by end_session and simulate_redemption, in the currency's minor unit.",
		}, []string{"currency"}),
	}
	m.feedRequests = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "coord_event_feed_requests_total",
		Help: "list_events requests.",
	})
	m.registry.MustRegister(m.feedRequests, m.requests, m.latency, m.inFlight, m.errors, m.started, m.ended, m.billed,
		openSessionsCollector{store: open},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Zero series exist from the start, so that rate() and alerts see them.
	for _, code := range []string{coord.EUnavailable, coord.EInternal} {
		m.errors.WithLabelValues(code)
	}
	for _, via := range []string{viaEndSession, viaRedemption} {
		m.ended.WithLabelValues(via)
	}
	return m
}

// handler serves the registry in the Prometheus exposition format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// observe records one finished request. Only the API's answers count as
// server errors: a 503 from /readyz during shutdown is not a failure.
func (m *metrics) observe(operation string, api bool, status int, elapsed time.Duration) {
	m.series(operation, status).observe(elapsed)
	if !api {
		return
	}
	switch status {
	case http.StatusServiceUnavailable:
		m.errors.WithLabelValues(coord.EUnavailable).Inc()
	case http.StatusInternalServerError:
		m.errors.WithLabelValues(coord.EInternal).Inc()
	}
}
