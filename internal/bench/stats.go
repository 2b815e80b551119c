package bench

import (
	"slices"
	"time"
)

// Result is what one measured run produced.
type Result struct {
	Requests int
	Errors   int
	FirstErr string // the first error seen, to tell what went wrong
	Elapsed  time.Duration
	P50      time.Duration
	P99      time.Duration
	P999     time.Duration
}

// Rate is requests per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// summarize merges the workers' recorders into one Result.
func summarize(recs []*Recorder, elapsed time.Duration) Result {
	var all []time.Duration
	res := Result{Elapsed: elapsed}
	for _, r := range recs {
		all = append(all, r.lat...)
		res.Errors += r.errs
		if res.FirstErr == "" && r.firstErr != nil {
			res.FirstErr = r.firstErr.Error()
		}
	}
	res.Requests = len(all)
	slices.Sort(all)
	res.P50, res.P99, res.P999 = quantile(all, 0.50), quantile(all, 0.99), quantile(all, 0.999)
	return res
}

// quantile of sorted values, nearest rank.
func quantile[T any](sorted []T, q float64) T {
	if len(sorted) == 0 {
		var zero T
		return zero
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
