package bench

import (
	"context"
	"fmt"
)

// LifecycleMinRatio is the lifecycle target per backend: the server's rate
// at least this fraction of the raw store's. On SQLite 1.0 asks for more
// than one commit per request, i.e. group commit.
var LifecycleMinRatio = map[string]float64{"sqlite": 1.0, "postgres": 0.6}

// LifecycleMinBaseRatio is the event log's target (issue 13): the server's
// lifecycle rate at least this fraction of the commit before it.
const LifecycleMinBaseRatio = 0.9

// lifecycle: each worker is one user doing post_session → 3 × get_session →
// end_session over and over, alternating with the raw store doing the same
// statements with the same concurrency on the same database.
func (s *Suite) lifecycle(ctx context.Context, b Backend, srv *Process, users []User, rawUsers []SeedUser, base *Process, baseUsers []User) error {
	raw, err := b.Raw(ctx, s.loc)
	if err != nil {
		return fmt.Errorf("lifecycle raw store: %w", err)
	}
	defer raw.Close()
	s.logf("%s: lifecycle, %d users, %v", b.Name, s.Conns, s.Duration)
	serverStep, done := s.lifecycleStep(srv.Addr, users)
	defer done()
	rawStep := func(w int, r *Recorder) {
		user := rawUsers[w].ID
		var id int64
		if r.Time(func() (err error) { id, err = raw.Create(ctx, user); return err }) != nil {
			return
		}
		for range 3 {
			_ = r.Time(func() error { return raw.Get(ctx, user, id) })
		}
		_ = r.Time(func() error { return raw.End(ctx, user, id) })
	}
	subjects := []subject{{nil, rawStep}, {srv, serverStep}}
	if base != nil {
		baseStep, baseDone := s.lifecycleStep(base.Addr, baseUsers)
		defer baseDone()
		subjects = append(subjects, subject{base, baseStep})
	}
	rows := s.compare(s.Conns, s.Duration, subjects...)

	baseRow, row := rows[0], rows[1]
	baseRow.Scenario, baseRow.Backend, baseRow.Subject = "lifecycle", b.Name, "baseline: raw store, 5 operations per session"
	row.Scenario, row.Backend, row.Subject = "lifecycle", b.Name, "users-server, 5 requests per session"
	row.Ratio = row.Rate() / baseRow.Rate()
	s.add(baseRow)
	s.add(row)
	s.check(Check{What: "lifecycle " + b.Name + ": rate vs raw store", Value: fmt.Sprintf("%.3g×", row.Ratio),
		Target: fmt.Sprintf("≥ %.1f×", LifecycleMinRatio[b.Name]), Met: row.Ratio >= LifecycleMinRatio[b.Name]})
	s.check(Check{What: "lifecycle " + b.Name + ": errors", Value: fmt.Sprint(row.Errors + baseRow.Errors),
		Target: "0", Met: row.Errors+baseRow.Errors == 0 && row.Requests > 0})
	if base != nil {
		prev := rows[2]
		prev.Scenario, prev.Backend, prev.Subject = "lifecycle", b.Name, "users-server of the commit before (-baseline-server)"
		prev.Ratio = prev.Rate() / baseRow.Rate()
		s.add(prev)
		ratio := row.Rate() / prev.Rate()
		cpuRatio := float64(prev.CPUReq) / float64(row.CPUReq)
		s.check(Check{What: "lifecycle " + b.Name + ": rate vs the commit before", Value: fmt.Sprintf("%.3g× (CPU per request %.3g×)", ratio, 1/cpuRatio),
			Target: fmt.Sprintf("≥ %.1f×", LifecycleMinBaseRatio), Met: ratio >= LifecycleMinBaseRatio && prev.Errors == 0})
	}
	return nil
}

// lifecycleStep is one session's lifecycle per call, each worker its own
// user and connection; done closes the connections.
func (s *Suite) lifecycleStep(addr string, users []User) (func(int, *Recorder), func()) {
	cs, done := conns(addr, s.Conns)
	return func(w int, r *Recorder) {
		c, u := cs[w], users[w]
		var id int64
		if r.Time(func() error {
			body, err := call(c, "POST", s.api.Start(), u.Token)
			if err == nil {
				id, err = sessionID(body)
			}
			return err
		}) != nil {
			return
		}
		for range 3 {
			_ = r.Time(func() error { _, err := call(c, "GET", s.api.Session(id), u.Token); return err })
		}
		_ = r.Time(func() error { _, err := call(c, "PUT", s.api.End(id), u.Token); return err })
	}, done
}
