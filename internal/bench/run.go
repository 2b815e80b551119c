package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// PollUsers is how many users poll their active session.
const PollUsers = 1000

// List history sizes: the user whose first page is measured, and the one
// it is compared with.
const (
	DeepHistory    = 10_000
	ShallowHistory = 10
)

// population is every user a backend run needs, seeded before the server starts.
type population struct {
	poll, life, raw, deep, shallow, lifeBase []SeedUser
}

func (s *Suite) population() population {
	return population{
		poll:    NewSeedUsers(PollUsers, 0, true),
		life:    NewSeedUsers(s.Conns, 0, false),
		raw:     NewSeedUsers(s.Conns, 0, false),
		deep:    NewSeedUsers(1, DeepHistory, false),
		shallow: NewSeedUsers(1, ShallowHistory, false),
		// The -baseline-server's lifecycle users; none without one.
		lifeBase: NewSeedUsers(min(len(s.BaselineServer), 1)*s.Conns, 0, false),
	}
}

// Run seeds the backend, starts a users-server on it and runs the
// configured scenarios with their baselines.
func (s *Suite) Run(ctx context.Context, b Backend) error {
	if !s.Scenarios["poll"] && !s.Scenarios["lifecycle"] && !s.Scenarios["list"] {
		return nil
	}
	pop := s.population()
	var all []SeedUser
	for _, g := range [][]SeedUser{pop.poll, pop.life, pop.raw, pop.deep, pop.shallow, pop.lifeBase} {
		all = append(all, g...)
	}
	s.logf("%s: seeding %d users", b.Name, len(all))
	active, err := b.Seed(ctx, s.partnerID, s.loc, all)
	if err != nil {
		return fmt.Errorf("%s: seed: %w", b.Name, err)
	}
	users, err := Users(s.tokens, s.partnerID, all, active)
	if err != nil {
		return err
	}
	take := func(n int) []User { u := users[:n]; users = users[n:]; return u }
	poll, life, _, deep, shallow := take(len(pop.poll)), take(len(pop.life)), take(len(pop.raw)), take(1), take(1)
	lifeBase := take(len(pop.lifeBase))

	srv, err := s.startServer(b, b.Name)
	if err != nil {
		return err
	}
	defer srv.Stop()
	s.logf("%s: users-server pid %d on %s", b.Name, srv.Pid(), srv.Addr)

	if s.Scenarios["poll"] {
		if err := s.poll(b, srv, poll); err != nil {
			return err
		}
	}
	if s.Scenarios["lifecycle"] {
		var base *Process
		if s.BaselineServer != "" {
			// The commit before, on the same database: only one of the two
			// serves at a time (alternating slices).
			if base, err = StartProcess(s.BaselineServer, []string{"--db", b.DB}, append([]string{"COORD_JWT_SECRET=" + s.secret}, s.ServerEnv...),
				filepath.Join(s.Dir, "users-server-"+b.Name+"-baseline.log"), "/readyz"); err != nil {
				return fmt.Errorf("baseline server: %w", err)
			}
			defer base.Stop()
		}
		if err := s.lifecycle(ctx, b, srv, life, pop.raw, base, lifeBase); err != nil {
			return err
		}
	}
	if s.Scenarios["list"] {
		s.list(b.Name, srv, deep[0], shallow[0])
	}
	return nil
}

// sessionJSON fetches one session as the server renders it, for the HTTP
// baseline to return, and stores it in the scratch directory.
func (s *Suite) sessionJSON(addr string, u User) (string, error) {
	c := NewConn(addr)
	defer c.Close()
	body, err := call(c, "GET", s.api.Session(u.Session), u.Token)
	if err != nil {
		return "", err
	}
	path := filepath.Join(s.Dir, "session.json")
	return path, os.WriteFile(path, body, 0o600)
}
