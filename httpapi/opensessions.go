package httpapi

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var openSessionsDesc = prometheus.NewDesc("coord_open_sessions",
	"Sessions open now (pending or active) in the database, across every replica.", nil, nil)

// openSessionsCollector asks the store at scrape time: the count comes from
// the database, so it is exact whatever settled sessions in the background
// and whichever replica is scraped.
type openSessionsCollector struct{ store OpenSessionCounter }

func (c openSessionsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- openSessionsDesc }

// Collect leaves the gauge out when the database does not answer, rather
// than failing the whole scrape; coord_server_errors_total tells that story.
func (c openSessionsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := c.store.OpenSessions(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(openSessionsDesc, prometheus.GaugeValue, float64(n))
}
