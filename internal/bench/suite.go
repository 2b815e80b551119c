package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/token"
)

// Config is how a run is shaped.
type Config struct {
	ServerBin string // the users-server binary under test
	// BaselineServer, when set, is a users-server binary of an earlier
	// commit, measured beside ServerBin in lifecycle.
	BaselineServer string
	SelfBin        string        // the load generator itself, which also serves the HTTP baseline
	Dir            string        // scratch directory: databases, logs
	Conns          int           // concurrent connections of poll and lifecycle
	Duration       time.Duration // measured time of poll and lifecycle
	Warmup         time.Duration // unrecorded run before each measurement
	ListConns      int           // concurrent connections of list
	ListDuration   time.Duration // measured time of each list run
	Rounds         int           // slices each measurement is cut into, alternating between subjects
	Scenarios      map[string]bool
	ServerEnv      []string // extra KEY=VALUE environment of the server, for what-if runs (GOGC=200)
	Progress       io.Writer
}

// Suite runs the scenarios on one backend after another, collecting one Report.
type Suite struct {
	Config
	Report    Report
	partnerID string
	api       API
	loc       *coord.Location
	secret    string
	tokens    *token.Tokens
	began     time.Time // for the progress lines' timestamps
}

// pollLocation is where every benchmark session is: an app-controlled
// location of the demo catalog whose system only asks for a plate and an email.
const pollLocation = "downtown-garage"

// NewSuite prepares a run against the demo catalog the server loads by default.
func NewSuite(cfg Config) (*Suite, error) {
	cat := catalog.Demo()
	loc, ok := cat.Location(pollLocation)
	if !ok || loc.Price == nil || loc.AccessType != coord.AccessLicensePlate {
		return nil, fmt.Errorf("the demo catalog has no app-controlled location %q", pollLocation)
	}
	partner := cat.Partners[0]
	// The server and the load generator share a fresh signing key, so that
	// seeded users get their tokens without a round trip each.
	secret := rand.Text() + rand.Text()
	tokens, err := token.New([]byte(secret), 2*time.Hour, nil)
	if err != nil {
		return nil, err
	}
	return &Suite{Config: cfg, partnerID: partner.ID, loc: loc, secret: secret, tokens: tokens,
		api: API{AccessKey: partner.AccessKeys[0], Location: loc.ID}, began: time.Now()}, nil
}

func (s *Suite) logf(format string, args ...any) {
	if s.Progress != nil {
		// Each line starts with the time since the suite began, so that
		// a run shows where its time went.
		fmt.Fprintf(s.Progress, "[%4.0fs] "+format+"\n", append([]any{time.Since(s.began).Seconds()}, args...)...)
	}
}

// Backend is a database a server runs on.
type Backend struct {
	Name string // sqlite, postgres
	DB   string // the server's --db: a file path or a DSN
	// Seed writes users and sessions straight into the database.
	Seed func(ctx context.Context, partnerID string, loc *coord.Location, users []SeedUser) (map[string]int64, error)
	// Raw opens the raw-store baseline on the same database.
	Raw func(ctx context.Context, loc *coord.Location) (RawStore, error)
}

// SQLiteBackend is a fresh SQLite file in dir.
func SQLiteBackend(dir, name string) Backend {
	path := filepath.Join(dir, name)
	return Backend{
		Name: "sqlite", DB: path,
		Seed: func(ctx context.Context, partnerID string, loc *coord.Location, users []SeedUser) (map[string]int64, error) {
			return SeedSQLite(ctx, path, partnerID, loc, users)
		},
		Raw: func(_ context.Context, loc *coord.Location) (RawStore, error) { return OpenRawSQLite(path, loc) },
	}
}

// PostgresBackend is the schema dsn names.
func PostgresBackend(dsn string) Backend {
	return Backend{
		Name: "postgres", DB: dsn,
		Seed: func(ctx context.Context, partnerID string, loc *coord.Location, users []SeedUser) (map[string]int64, error) {
			return SeedPostgres(ctx, dsn, partnerID, loc, users)
		},
		Raw: func(ctx context.Context, loc *coord.Location) (RawStore, error) {
			return OpenRawPostgres(ctx, dsn, loc)
		},
	}
}

// startServer runs users-server on the backend's database with the shared
// signing key and its default settings otherwise (logs at info, as in
// production, into a file in the scratch directory).
func (s *Suite) startServer(b Backend, label string, args ...string) (*Process, error) {
	return StartProcess(s.ServerBin, append([]string{"--db", b.DB}, args...), append([]string{"COORD_JWT_SECRET=" + s.secret}, s.ServerEnv...),
		filepath.Join(s.Dir, "users-server-"+label+".log"), "/readyz")
}

// subject is one thing a scenario measures: a step driving it, and the
// child process serving it (nil for in-process subjects like the raw store).
type subject struct {
	proc *Process
	step func(worker int, r *Recorder)
}

// compare measures the subjects with the same load, each for d in total,
// in Rounds alternating slices: background load on a shared machine then
// falls on all of them alike, and their ratios stay meaningful. Each is
// warmed up first. Rows carry each child's CPU use and peak RSS.
func (s *Suite) compare(conns int, d time.Duration, subjects ...subject) []Row {
	for _, sub := range subjects {
		if s.Warmup > 0 {
			run(conns, s.Warmup, sub.step)
		}
	}
	rounds := max(s.Rounds, 1)
	recs := make([][]*Recorder, len(subjects))
	elapsed := make([]time.Duration, len(subjects))
	cpu := make([]time.Duration, len(subjects))
	for range rounds {
		for i, sub := range subjects {
			before := sub.proc.cpuTime()
			r, e := run(conns, d/time.Duration(rounds), sub.step)
			recs[i], elapsed[i] = append(recs[i], r...), elapsed[i]+e
			cpu[i] += sub.proc.cpuTime() - before
		}
	}
	rows := make([]Row, len(subjects))
	for i, sub := range subjects {
		rows[i].Result = summarize(recs[i], elapsed[i])
		if sub.proc != nil {
			rows[i].CPU = cpu[i].Seconds() / elapsed[i].Seconds()
			if rows[i].Requests > 0 {
				rows[i].CPUReq = cpu[i] / time.Duration(rows[i].Requests)
			}
			rows[i].PeakRSS, _ = sub.proc.PeakRSS()
		}
	}
	return rows
}

// add appends a row, printing it as progress.
func (s *Suite) add(r Row) {
	s.Report.Rows = append(s.Report.Rows, r)
	s.logf("  %-9s %-8s %-46s %9.0f/s  p50 %-8v p99 %-8v errors %d", r.Scenario, r.Backend, r.Subject,
		r.Rate(), r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Errors)
	if r.FirstErr != "" {
		s.logf("    first error: %s", r.FirstErr)
	}
}

func (s *Suite) check(c Check) { s.Report.Checks = append(s.Report.Checks, c) }

// conns opens one connection per worker, closed by the returned function.
func conns(addr string, n int) ([]*Conn, func()) {
	cs := make([]*Conn, n)
	for i := range cs {
		cs[i] = NewConn(addr)
	}
	return cs, func() {
		for _, c := range cs {
			c.Close()
		}
	}
}
