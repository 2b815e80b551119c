package httpapi

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/live"
)

var (
	waitersDesc = prometheus.NewDesc("coord_live_waiters",
		"Long-poll requests (get_session or list_events with wait) held now.", nil, nil)
	wakeupsDesc = prometheus.NewDesc("coord_live_wakeups_total",
		"Held requests woken by a committed change.", nil, nil)
	refusedDesc = prometheus.NewDesc("coord_live_refused_total",
		"Long-poll requests answered at once because --max-waiters were held or the server was shutting down.", nil, nil)
	appendedDesc = prometheus.NewDesc("coord_events_appended_total",
		"Events committed, by type: by this process on SQLite; by every replica on PostgreSQL (the replicas' notifications), so do not sum over replicas.",
		[]string{"type"}, nil)
)

// liveCollector reads the hub's counters at scrape time.
type liveCollector struct{ hub *live.Hub }

func (c liveCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- waitersDesc
	ch <- wakeupsDesc
	ch <- refusedDesc
	ch <- appendedDesc
}

func (c liveCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(waitersDesc, prometheus.GaugeValue, float64(c.hub.Held()))
	ch <- prometheus.MustNewConstMetric(wakeupsDesc, prometheus.CounterValue, float64(c.hub.Wakeups()))
	ch <- prometheus.MustNewConstMetric(refusedDesc, prometheus.CounterValue, float64(c.hub.Refused()))
	appended := c.hub.Appended()
	for _, t := range coord.EventTypes { // every type, zero included, so that rate() sees them
		ch <- prometheus.MustNewConstMetric(appendedDesc, prometheus.CounterValue, float64(appended[t]), string(t))
	}
}
