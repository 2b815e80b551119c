package bench

import (
	"sync"
	"time"
)

// Recorder collects one worker's latencies and errors; each worker owns
// one, so recording needs no lock.
type Recorder struct {
	lat      []time.Duration
	errs     int
	firstErr error
}

// Time runs one request (or store operation) and records its latency and
// whether it failed. It returns f's error so a step can stop early.
func (r *Recorder) Time(f func() error) error {
	start := time.Now()
	err := f()
	r.lat = append(r.lat, time.Since(start))
	if err != nil {
		r.errs++
		if r.firstErr == nil {
			r.firstErr = err
		}
	}
	return err
}

// run runs conns workers in a closed loop for d: each calls step again as
// soon as the previous call returns.
func run(conns int, d time.Duration, step func(worker int, r *Recorder)) ([]*Recorder, time.Duration) {
	recs := make([]*Recorder, conns)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range conns {
		recs[w] = &Recorder{lat: make([]time.Duration, 0, 1<<14)}
		wg.Go(func() {
			for time.Now().Before(deadline) {
				step(w, recs[w])
			}
		})
	}
	wg.Wait()
	return recs, time.Since(start)
}
