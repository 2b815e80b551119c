package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Watch targets (issue 13).
const (
	WatchMaxRSS      = 256 << 20
	WatchMaxIdleCPU  = 0.05 // cores while every watcher is held and nothing changes
	WatchMaxP99      = 50 * time.Millisecond
	WatchMinCPURatio = 20 // polling's server CPU per change delivered over long-poll's
	ReplicaMaxP99    = 150 * time.Millisecond
)

// WatchRate is watch's default rate of change: 10,000 sessions each
// changing about once every 17 minutes, already brisker than parking,
// where a session lasts hours. Polling's CPU is the same at any rate and
// long-poll's grows with it, so the ratio falls as 1/rate; the scenario
// also reports the rate at which long-poll would be only 20× cheaper.
const WatchRate = 10

// WatchConfig shapes the watch scenario.
type WatchConfig struct {
	Watchers int           // concurrent watchers, each of its own session
	Rate     int           // session changes per second, during each measured phase
	Phase    time.Duration // length of each measured phase
	NoPoll   bool          // skip the polling comparison (for quick looks at long-poll alone)
}

// Watch: Watchers users each watch their active session on one SQLite
// server. Long-poll first: every watcher holds a get_session with its ETag
// and wait=60, the server's CPU is measured while nothing changes, then
// while sessions end at a steady Rate (each end_session's acknowledgement
// timed against its watcher's answer). Then the same watchers poll
// get_session once a second while as many sessions end at the same rate:
// server CPU per change delivered, side by side.
func (s *Suite) Watch(ctx context.Context, b Backend, cfg WatchConfig) error {
	seeded := NewSeedUsers(cfg.Watchers, 0, true)
	s.logf("watch: seeding %d users with an active session", cfg.Watchers)
	active, err := b.Seed(ctx, s.partnerID, s.loc, seeded)
	if err != nil {
		return fmt.Errorf("watch: seed: %w", err)
	}
	users, err := Users(s.tokens, s.partnerID, seeded, active)
	if err != nil {
		return err
	}
	srv, err := s.startServer(b, "watch")
	if err != nil {
		return err
	}
	defer func() {
		if srv != nil {
			srv.Stop()
		}
	}()
	changes := int(cfg.Phase.Seconds()) * cfg.Rate
	if 2*changes > len(users) {
		return fmt.Errorf("watch: %d watchers are too few for 2 × %d changes", len(users), changes)
	}

	// Long-poll.
	w := newWatchers(srv.Addr, s.api, users)
	w.start(false)
	s.logf("watch: %d long-poll watchers connecting", len(users))
	if err := waitHeld(srv.Addr, len(users), time.Minute); err != nil {
		w.stop()
		return err
	}
	before := srv.cpuTime()
	time.Sleep(cfg.Phase / 2)
	idle := (srv.cpuTime() - before).Seconds() / (cfg.Phase / 2).Seconds()
	s.logf("watch: all held; server CPU %.4f cores while nothing changes", idle)
	lpCPU, lpElapsed, lpDelivered, lat, writeErrs := w.changeSessions(srv, users[:changes], cfg.Rate, time.Second)
	lpRSS, _ := srv.PeakRSS()
	w.stop()

	if cfg.NoPoll {
		s.logf("watch: long-poll: %d/%d delivered, p99 %v, %.0f µs CPU per change, peak RSS %d MiB",
			lpDelivered, changes, quantile(slices.Sorted(slices.Values(lat)), 0.99), float64(perChange(lpCPU, lpDelivered).Microseconds()), lpRSS>>20)
		return nil
	}
	// Polling, the same watchers once a second, other sessions ending, on
	// a server of its own over the same database: the first still holds
	// the long-polls whose clients went away (a parked request learns of
	// that only when it answers, at its wait's end), and 10,000 of those
	// beside 10,000 polling connections would pass the descriptor limit.
	srv.Stop()
	pollSrv, err := s.startServer(b, "watch-poll")
	if err != nil {
		srv = nil
		return err
	}
	srv = pollSrv
	p := newWatchers(srv.Addr, s.api, users)
	p.start(true)
	time.Sleep(2 * time.Second) // every poller has made its first request
	pollCPU, pollElapsed, pollDelivered, _, pollErrs := p.changeSessions(srv, users[changes:2*changes], cfg.Rate, 10*time.Second)
	p.stop()
	rss, _ := srv.PeakRSS()

	slices.Sort(lat)
	var p99 time.Duration
	if len(lat) > 0 {
		p99 = quantile(lat, 0.99)
	}
	perLP, perPoll := perChange(lpCPU, lpDelivered), perChange(pollCPU, pollDelivered)
	ratio := 0.0
	if perLP > 0 {
		ratio = float64(perPoll) / float64(perLP)
	}
	// The rate at which the ratio would fall to the target: polling's
	// cores over what long-poll spends per second at that rate.
	breakEven := 0.0
	if perLP > 0 {
		breakEven = pollCPU.Seconds() / pollElapsed.Seconds() / (WatchMinCPURatio * perLP.Seconds())
	}
	s.logf("watch: polling ÷ long-poll %.1f× at %d changes/s; %d× at %.0f changes/s", ratio, cfg.Rate, WatchMinCPURatio, breakEven)
	errs := writeErrs + pollErrs + int(w.errs.Load()+p.errs.Load())
	s.add(Row{Scenario: "watch", Backend: b.Name, Subject: fmt.Sprintf("long-poll, %d watchers, %d changes/s", len(users), cfg.Rate),
		Result: Result{Requests: lpDelivered, P50: quantile(lat, 0.5), P99: p99, Errors: writeErrs + int(w.errs.Load())},
		CPU:    lpCPU.Seconds() / lpElapsed.Seconds(), CPUReq: perLP, PeakRSS: lpRSS})
	s.add(Row{Scenario: "watch", Backend: b.Name, Subject: fmt.Sprintf("polling 1/s, %d watchers, %d changes/s", len(users), cfg.Rate),
		Result: Result{Requests: pollDelivered, Errors: pollErrs + int(p.errs.Load())},
		CPU:    pollCPU.Seconds() / pollElapsed.Seconds(), CPUReq: perPoll, PeakRSS: rss, Ratio: ratio})
	s.Report.Notes = append(s.Report.Notes, fmt.Sprintf("watch rows: Requests counts changes delivered to their watcher, "+
		"p50/p99 the time from end_session's answer to the watcher's, CPU/req the server's CPU per change delivered (the end_session writes included); "+
		"polling ÷ long-poll would be %d× at %.0f changes/s (polling's CPU is the same at any rate).", WatchMinCPURatio, breakEven))
	s.check(Check{What: "watch: server CPU with every watcher held, no changes", Value: fmt.Sprintf("%.4f cores", idle),
		Target: fmt.Sprintf("≤ %.2f cores", WatchMaxIdleCPU), Met: idle <= WatchMaxIdleCPU})
	s.check(Check{What: "watch: change to its waiter, p99", Value: ms(p99), Target: "≤ " + ms(WatchMaxP99), Met: p99 <= WatchMaxP99 && len(lat) > 0})
	s.check(Check{What: "watch: peak server RSS with every watcher held (long-poll)", Value: fmt.Sprintf("%d MiB", lpRSS>>20),
		Target: fmt.Sprintf("≤ %d MiB", WatchMaxRSS>>20), Met: lpRSS > 0 && lpRSS <= WatchMaxRSS})
	s.check(Check{What: "watch: server CPU per change, polling ÷ long-poll", Value: fmt.Sprintf("%.1f×", ratio),
		Target: fmt.Sprintf("≥ %d×", WatchMinCPURatio), Met: ratio >= WatchMinCPURatio})
	s.check(Check{What: "watch: errors, every change delivered", Value: fmt.Sprintf("%d errors; %d/%d and %d/%d delivered", errs, lpDelivered, changes, pollDelivered, changes),
		Target: "0; all", Met: errs == 0 && lpDelivered == changes && pollDelivered == changes})
	return nil
}

func perChange(cpu time.Duration, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return cpu / time.Duration(n)
}

var endedStatus = []byte(`"status":"ended"`)

// watchArrivals is how many long-poll watchers arrive per second (10,000
// in 20 s): on a busy machine a faster ramp queues requests in the server,
// and the peak RSS then measures those rather than the held ones. It is a
// rate, not a duration, so that the 200 watchers of replicas arrive in
// 0.4 s rather than over the same 20 s as watch's 10,000.
const watchArrivals = 500

// watchers are one goroutine and one connection per user, each following
// its session until it ends: by long-poll, or by polling once a second.
type watchers struct {
	addr  string
	api   API
	users []User
	ended []atomic.Int64 // UnixNano when the watcher saw its session ended
	errs  atomic.Int64
	quit  chan struct{}
	wg    sync.WaitGroup
	conns []*Conn
}

func newWatchers(addr string, api API, users []User) *watchers {
	return &watchers{addr: addr, api: api, users: users, ended: make([]atomic.Int64, len(users)), quit: make(chan struct{})}
}

func (w *watchers) start(poll bool) {
	w.conns = make([]*Conn, len(w.users))
	for i, u := range w.users {
		c := NewConn(w.addr)
		c.KeepIdle = time.Minute
		w.conns[i] = c
		// Pollers spread over the second; long-poll watchers arrive at
		// watchArrivals a second, as clients do, rather than in one burst
		// whose peak would measure 10,000 simultaneous requests, not held ones.
		offset := time.Duration(i) * time.Second / time.Duration(len(w.users))
		if !poll {
			offset = time.Duration(i) * time.Second / watchArrivals
		}
		w.wg.Go(func() {
			target := w.api.Session(u.Session)
			if !poll {
				target += "&wait=60"
			}
			tag := ""
			next := time.Now().Add(offset)
			if !poll {
				time.Sleep(offset)
			}
			for {
				if poll {
					select {
					case <-w.quit:
						return
					case <-time.After(time.Until(next)):
					}
					next = next.Add(time.Second)
				}
				status, body, etag, err := c.DoIfNoneMatch("GET", target, u.Token, tag)
				select {
				case <-w.quit:
					return
				default:
				}
				switch {
				case err != nil || (status != 200 && status != 304):
					w.errs.Add(1)
					time.Sleep(100 * time.Millisecond)
					continue
				case status == 200 && bytes.Contains(body, endedStatus):
					w.ended[i].Store(time.Now().UnixNano())
					return
				}
				if !poll {
					tag = etag
				}
			}
		})
	}
}

func (w *watchers) stop() {
	close(w.quit)
	for _, c := range w.conns {
		c.Abort() // fails the held requests
	}
	w.wg.Wait()
	for _, c := range w.conns {
		c.Close()
	}
}

// changeSessions ends users' sessions at rate per second and returns the
// server's CPU over the phase (until every watcher saw its change, or
// grace after the last write), the phase's length, how many watchers saw
// their change, the latencies from each acknowledgement to its watcher,
// and failed writes.
func (w *watchers) changeSessions(srv *Process, users []User, rate int, grace time.Duration) (time.Duration, time.Duration, int, []time.Duration, int) {
	index := map[string]int{}
	for i, u := range w.users {
		index[u.ID] = i
	}
	c := NewConn(srv.Addr)
	defer c.Close()
	acked := make([]time.Time, len(users))
	errs := 0
	began, before := time.Now(), srv.cpuTime()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for i, u := range users {
		<-tick.C
		if _, err := call(c, "PUT", w.api.End(u.Session), u.Token); err != nil {
			errs++
			continue
		}
		acked[i] = time.Now()
	}
	tick.Stop()
	for deadline := time.Now().Add(grace); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if w.seenAll(users, index) {
			break
		}
	}
	cpu, elapsed := srv.cpuTime()-before, time.Since(began)
	var lat []time.Duration
	delivered := 0
	for i, u := range users {
		seen := w.ended[index[u.ID]].Load()
		if seen == 0 || acked[i].IsZero() {
			continue
		}
		delivered++
		lat = append(lat, max(0, time.Unix(0, seen).Sub(acked[i])))
	}
	return cpu, elapsed, delivered, lat, errs
}

// seenAll reports whether every user's watcher saw its session ended.
func (w *watchers) seenAll(users []User, index map[string]int) bool {
	for _, u := range users {
		if w.ended[index[u.ID]].Load() == 0 {
			return false
		}
	}
	return true
}

// waitHeld waits until the server's coord_live_waiters gauge reaches n.
func waitHeld(addr string, n int, within time.Duration) error {
	re := regexp.MustCompile(`(?m)^coord_live_waiters (\d+)`)
	var held int
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return err
		}
		text, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := re.FindSubmatch(text); m != nil {
			held, _ = strconv.Atoi(string(m[1]))
			if held >= n {
				return nil
			}
		}
	}
	return fmt.Errorf("watch: only %d of %d requests held after %v", held, n, within)
}

// Replicas: two users-servers on one PostgreSQL schema; watchers long-poll
// on the second while the first ends their sessions at rate per second.
// The time from each end_session's answer (first replica) to its watcher's
// (second replica) crosses LISTEN/NOTIFY.
func (s *Suite) Replicas(ctx context.Context, b Backend, watchers, rate int, phase time.Duration) error {
	seeded := NewSeedUsers(watchers, 0, true)
	active, err := b.Seed(ctx, s.partnerID, s.loc, seeded)
	if err != nil {
		return fmt.Errorf("replicas: seed: %w", err)
	}
	users, err := Users(s.tokens, s.partnerID, seeded, active)
	if err != nil {
		return err
	}
	writer, err := s.startServer(b, "replica-a")
	if err != nil {
		return err
	}
	defer writer.Stop()
	reader, err := s.startServer(b, "replica-b")
	if err != nil {
		return err
	}
	defer reader.Stop()
	changes := min(len(users), int(phase.Seconds())*rate)
	s.logf("replicas: %d watchers on one replica, %d changes at %d/s on the other", len(users), changes, rate)
	w := newWatchers(reader.Addr, s.api, users)
	w.start(false)
	if err := waitHeld(reader.Addr, len(users), time.Minute); err != nil {
		w.stop()
		return err
	}
	_, _, delivered, lat, writeErrs := w.changeSessions(writer, users[:changes], rate, time.Second)
	w.stop()
	slices.Sort(lat)
	var p99 time.Duration
	if len(lat) > 0 {
		p99 = quantile(lat, 0.99)
	}
	errs := writeErrs + int(w.errs.Load())
	s.add(Row{Scenario: "replicas", Backend: b.Name, Subject: fmt.Sprintf("change on replica A → waiter on B, %d/s", rate),
		Result: Result{Requests: delivered, P50: quantile(lat, 0.5), P99: p99, Errors: errs}})
	s.check(Check{What: "replicas: change on one replica to a waiter on the other, p99", Value: ms(p99),
		Target: "≤ " + ms(ReplicaMaxP99), Met: p99 <= ReplicaMaxP99 && delivered == changes && errs == 0})
	return nil
}
