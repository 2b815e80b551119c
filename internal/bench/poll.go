package bench

import (
	"fmt"
	"path/filepath"
	"time"
)

// Poll targets: the server's rate against the floor's, per backend, and its p99.
var PollMinRatio = map[string]float64{"sqlite": 1.0, "postgres": 0.9}

const PollMaxP99 = 10 * time.Millisecond

// poll: every user has an active session; the workers get_session them in
// turn (JWT + access key), alternating with the same load on the floor (a
// plain handler doing the same checks and read, see FloorHandler) and on
// the bare HTTP baseline serving the same JSON from memory.
func (s *Suite) poll(b Backend, srv *Process, users []User) error {
	backend := b.Name
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
	floor, err := StartProcess(s.SelfBin, []string{"floor", "--backend", backend, "--db", b.DB,
		"--audience", s.partnerID, "--access-key", s.api.AccessKey}, []string{"COORD_JWT_SECRET=" + s.secret},
		filepath.Join(s.Dir, "floor-"+backend+".log"), "/healthz")
	if err != nil {
		return fmt.Errorf("poll floor: %w", err)
	}
	defer floor.Stop()
	s.logf("%s: poll, %d users, %d connections, %v", backend, len(users), s.Conns, s.Duration)
	baseStep, baseDone := s.pollStep(base.Addr, users)
	defer baseDone()
	floorStep, floorDone := s.pollStep(floor.Addr, users)
	defer floorDone()
	srvStep, srvDone := s.pollStep(srv.Addr, users)
	defer srvDone()
	rows := s.compare(s.Conns, s.Duration, subject{base, baseStep}, subject{floor, floorStep}, subject{srv, srvStep})

	baseRow, floorRow, row := rows[0], rows[1], rows[2]
	baseRow.Scenario, baseRow.Backend, baseRow.Subject = "poll", backend, "context: bare net/http, from memory"
	floorRow.Scenario, floorRow.Backend, floorRow.Subject = "poll", backend, "baseline: floor (net/http, JWT, prepared read, JSON)"
	row.Scenario, row.Backend, row.Subject = "poll", backend, "users-server get_session"
	floorRow.Ratio = floorRow.Rate() / baseRow.Rate()
	row.Ratio = row.Rate() / floorRow.Rate()
	s.add(baseRow)
	s.add(floorRow)
	s.add(row)
	s.check(Check{What: "poll " + backend + ": rate vs the floor", Value: fmt.Sprintf("%.3g×", row.Ratio),
		Target: fmt.Sprintf("≥ %.1f×", PollMinRatio[backend]), Met: row.Ratio >= PollMinRatio[backend]})
	if floorRow.CPUReq > 0 {
		// Steadier than the rates when the machine is shared: who got the cores matters less.
		s.Report.Notes = append(s.Report.Notes, fmt.Sprintf("poll %s: users-server's CPU per request is %.2f× the floor's (%v vs %v).",
			backend, float64(row.CPUReq)/float64(floorRow.CPUReq), row.CPUReq.Round(time.Microsecond), floorRow.CPUReq.Round(time.Microsecond)))
	}
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
