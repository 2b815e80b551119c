package bench

import "fmt"

// ListMaxCPURatio is the list target: the server CPU per request of the
// first page for a user with DeepHistory past sessions at most this multiple
// of one with ShallowHistory. CPU per request rather than p99: on a shared
// machine the latency tail follows the background load more than the server.
const ListMaxCPURatio = 2.0

// list: get_user_sessions' first page, all workers on one user, for a user
// with a long history and one with a short one. The default page holds 50
// sessions for the first and 10 for the second, so the long history is also
// measured with limit=10: the same response size, only the history differs.
func (s *Suite) list(backend string, srv *Process, deep, shallow User) {
	s.logf("%s: list, %d connections, %v per subject", backend, s.ListConns, s.ListDuration)
	var closers []func()
	lister := func(u User, limit int) subject {
		cs, done := conns(srv.Addr, s.ListConns)
		closers = append(closers, done)
		return subject{srv, func(w int, r *Recorder) {
			_ = r.Time(func() error { _, err := call(cs[w], "GET", s.api.List(limit), u.Token); return err })
		}}
	}
	rows := s.compare(s.ListConns, s.ListDuration, lister(shallow, 0), lister(deep, 0), lister(deep, 10))
	for _, done := range closers {
		done()
	}
	base, full, same := rows[0], rows[1], rows[2]
	base.Subject = fmt.Sprintf("baseline: %d past, first page (10)", ShallowHistory)
	full.Subject = fmt.Sprintf("%d past, first page (50)", DeepHistory)
	same.Subject = fmt.Sprintf("%d past, limit=10", DeepHistory)
	full.Ratio = float64(full.CPUReq) / float64(base.CPUReq)
	same.Ratio = float64(same.CPUReq) / float64(base.CPUReq)
	errors := 0
	for _, r := range []*Row{&base, &full, &same} {
		r.Scenario, r.Backend = "list", backend
		s.add(*r)
		errors += r.Errors
	}
	s.check(Check{What: fmt.Sprintf("list %s: CPU/request, %d vs %d past, first page", backend, DeepHistory, ShallowHistory),
		Value: fmt.Sprintf("%.3g×", full.Ratio), Target: fmt.Sprintf("≤ %.1f×", ListMaxCPURatio), Met: full.Ratio <= ListMaxCPURatio})
	s.check(Check{What: fmt.Sprintf("list %s: CPU/request, %d vs %d past, 10 per page", backend, DeepHistory, ShallowHistory),
		Value: fmt.Sprintf("%.3g×", same.Ratio), Target: fmt.Sprintf("≤ %.1f×", ListMaxCPURatio), Met: same.Ratio <= ListMaxCPURatio})
	s.check(Check{What: "list " + backend + ": errors", Value: fmt.Sprint(errors), Target: "0", Met: errors == 0})
}
