package bench

import (
	"fmt"
	"path/filepath"
	"time"
)

// Poll targets.
const (
	PollMinRatio = 0.6
	PollMaxP99   = 10 * time.Millisecond
)

// poll: every user has an active session; the workers get_session them in
// turn (JWT + access key), alternating with the same load on the bare HTTP
// baseline serving the same JSON.
func (s *Suite) poll(backend string, srv *Process, users []User) error {
	body, err := s.sessionJSON(srv.Addr, users[0])
	if err != nil {
		return fmt.Errorf("poll: %w", err)
	}
	base, err := StartProcess(s.SelfBin, []string{"baseline-http", "--body", body}, nil,
		filepath.Join(s.Dir, "baseline-http.log"), "/healthz")
	if err != nil {
		return fmt.Errorf("poll baseline: %w", err)
	}
	defer base.Stop()
	s.logf("%s: poll, %d users, %d connections, %v", backend, len(users), s.Conns, s.Duration)
	baseStep, baseDone := s.pollStep(base.Addr, users)
	defer baseDone()
	srvStep, srvDone := s.pollStep(srv.Addr, users)
	defer srvDone()
	rows := s.compare(s.Conns, s.Duration, subject{base, baseStep}, subject{srv, srvStep})

	baseRow, row := rows[0], rows[1]
	baseRow.Scenario, baseRow.Backend, baseRow.Subject = "poll", backend, "baseline: bare net/http, from memory"
	row.Scenario, row.Backend, row.Subject = "poll", backend, "users-server get_session"
	row.Ratio = row.Rate() / baseRow.Rate()
	s.add(baseRow)
	s.add(row)
	s.check(Check{What: "poll " + backend + ": rate vs bare net/http", Value: fmt.Sprintf("%.3g×", row.Ratio),
		Target: fmt.Sprintf("≥ %.1f×", PollMinRatio), Met: row.Ratio >= PollMinRatio})
	s.check(Check{What: "poll " + backend + ": p99", Value: ms(row.P99),
		Target: "≤ " + ms(PollMaxP99), Met: row.P99 <= PollMaxP99})
	s.check(Check{What: "poll " + backend + ": errors", Value: fmt.Sprint(row.Errors),
		Target: "0", Met: row.Errors == 0 && row.Requests > 0})
	return nil
}

// pollStep is one get_session per call, each worker walking the users
// from its own offset so that all sessions are polled. done closes the
// connections.
func (s *Suite) pollStep(addr string, users []User) (step func(int, *Recorder), done func()) {
	cs, done := conns(addr, s.Conns)
	next := make([]int, s.Conns)
	for w := range next {
		next[w] = w
	}
	return func(w int, r *Recorder) {
		u := users[next[w]%len(users)]
		next[w] += s.Conns
		_ = r.Time(func() error {
			_, err := call(cs[w], "GET", s.api.Session(u.Session), u.Token)
			return err
		})
	}, done
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
