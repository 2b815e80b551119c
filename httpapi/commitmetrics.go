package httpapi

import "github.com/prometheus/client_golang/prometheus"

// CommitCounter is what a store with group commit (the SQLite store)
// reports: the write transactions it committed and the write requests they
// carried, failed ones included.
type CommitCounter interface {
	Commits() (commits, writes int64)
}

var (
	commitsDesc = prometheus.NewDesc("coord_sqlite_commits_total",
		"Write transactions the SQLite store committed; each carries one or more write requests (group commit).", nil, nil)
	writesDesc = prometheus.NewDesc("coord_sqlite_writes_total",
		"Write requests the SQLite store ran, committed or failed; divided by coord_sqlite_commits_total, the mean batch.", nil, nil)
)

// commitCollector reads the store's counters at scrape time.
type commitCollector struct{ store CommitCounter }

func (c commitCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- commitsDesc
	ch <- writesDesc
}

func (c commitCollector) Collect(ch chan<- prometheus.Metric) {
	commits, writes := c.store.Commits()
	ch <- prometheus.MustNewConstMetric(commitsDesc, prometheus.CounterValue, float64(commits))
	ch <- prometheus.MustNewConstMetric(writesDesc, prometheus.CounterValue, float64(writes))
}
