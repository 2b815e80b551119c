package bench

import (
	"context"
	"fmt"
	"time"
)

// RSSMaxBytes is the RSS target: the server's peak RSS after serving a
// database of RSSSessions sessions.
const RSSMaxBytes = 150 << 20

// RSS scenario shape: RSSUsers users with RSSSessions/RSSUsers past sessions
// each; PollUsers of them also have an active session.
const (
	RSSSessions = 1_000_000
	RSSUsers    = 10_000
)

// RSS seeds a SQLite file with RSSSessions sessions, starts the server on it,
// polls and lists for a while (every list a full page of 100 from a
// different user) and reports the server's peak RSS.
func (s *Suite) RSS(ctx context.Context, b Backend) error {
	seeded := NewSeedUsers(RSSUsers, RSSSessions/RSSUsers, false)
	for i := range PollUsers {
		seeded[i].Active = true
	}
	s.logf("rss: seeding %d sessions into %s", RSSSessions, b.Name)
	start := time.Now()
	active, err := b.Seed(ctx, s.partnerID, s.loc, seeded)
	if err != nil {
		return fmt.Errorf("rss: seed: %w", err)
	}
	s.logf("rss: seeded in %v", time.Since(start).Round(time.Millisecond))
	users, err := Users(s.tokens, s.partnerID, seeded, active)
	if err != nil {
		return err
	}
	srv, err := s.startServer(b, "rss")
	if err != nil {
		return err
	}
	defer srv.Stop()

	pollStep, pollDone := s.pollStep(srv.Addr, users[:PollUsers])
	defer pollDone()
	cs, listDone := conns(srv.Addr, s.Conns)
	defer listDone()
	next := make([]int, s.Conns)
	listStep := func(w int, r *Recorder) {
		u := users[(next[w]*s.Conns+w)%len(users)]
		next[w]++
		_ = r.Time(func() error { _, err := call(cs[w], "GET", s.api.List(100), u.Token); return err })
	}
	rows := s.compare(s.Conns, s.Duration, subject{srv, pollStep}, subject{srv, listStep})
	poll, list := rows[0], rows[1]
	poll.Scenario, poll.Backend, poll.Subject = "rss", b.Name, fmt.Sprintf("poll, %d sessions stored", RSSSessions)
	list.Scenario, list.Backend, list.Subject = "rss", b.Name, "list, 100 per page, every user"
	s.add(poll)
	s.add(list)

	s.check(Check{What: fmt.Sprintf("rss %s: server peak RSS, %d sessions", b.Name, RSSSessions),
		Value: mib(list.PeakRSS), Target: "≤ " + mib(RSSMaxBytes), Met: list.PeakRSS > 0 && list.PeakRSS <= RSSMaxBytes})
	s.check(Check{What: "rss " + b.Name + ": errors", Value: fmt.Sprint(poll.Errors + list.Errors),
		Target: "0", Met: poll.Errors+list.Errors == 0})
	return nil
}

// mib formats bytes in MiB.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
