// Command loadgen is the load generator behind `make bench`: it seeds a
// database, starts users-server on it as a child process, measures the
// poll, lifecycle, list and webhooks scenarios against their baselines and prints
// the figures as Markdown tables. See BENCHMARKS.md.
//
//	loadgen -server bin/users-server [-postgres DSN] [-rss]
//
// `loadgen baseline-http --body FILE --host H --port P` is the bare
// net/http baseline server it starts as its own child process, and
// `loadgen floor --backend B --db DB --audience P --access-key K` (signing
// key in $COORD_JWT_SECRET) the floor: a plain handler doing only the
// checks and the read a poll cannot skip.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/coordapi/coord/internal/bench"
	"github.com/coordapi/coord/internal/pgtest"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "baseline-http" {
		if err := serveBaseline(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen baseline-http:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		if err := serveFloor(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen floor:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		server      = flag.String("server", "", "users-server binary (default: build ./cmd/users-server into the scratch directory)")
		pgDSN       = flag.String("postgres", os.Getenv("COORD_TEST_POSTGRES"), "PostgreSQL DSN; each run makes and drops its own schema (default $COORD_TEST_POSTGRES; empty: SQLite only)")
		backends    = flag.String("backends", "sqlite,postgres", "backends to measure")
		scenarios   = flag.String("scenarios", "poll,lifecycle,list,watch,replicas,webhooks", "scenarios to run: poll, lifecycle, list and webhooks on each backend, watch on SQLite, replicas on PostgreSQL")
		baseline    = flag.String("baseline-server", "", "users-server binary of an earlier commit, measured beside -server in lifecycle (ratio target ≥ 0.9)")
		watchers    = flag.Int("watchers", 10000, "concurrent long-poll watchers of watch")
		watchRate   = flag.Int("watch-rate", bench.WatchRate, "session changes per second during watch's measured phases")
		watchPhase  = flag.Duration("watch-phase", 10*time.Second, "length of each measured phase of watch")
		watchNoPoll = flag.Bool("watch-no-poll", false, "skip watch's polling comparison")
		replicaN    = flag.Int("replica-watchers", 200, "watchers of replicas, on the second replica")
		replicaHz   = flag.Int("replica-rate", 20, "changes per second of replicas, on the first replica")
		rss         = flag.Bool("rss", false, "run only the RSS scenario: the server on a SQLite file of 1,000,000 sessions")
		connsN      = flag.Int("conns", 32, "connections of poll and lifecycle")
		duration    = flag.Duration("duration", 8*time.Second, "measured time of poll and lifecycle")
		warmup      = flag.Duration("warmup", time.Second, "unrecorded run before each measurement")
		listConns   = flag.Int("list-conns", 8, "connections of list")
		listDur     = flag.Duration("list-duration", 3*time.Second, "measured time of each list subject")
		rounds      = flag.Int("rounds", 5, "slices each measurement is cut into, alternating between the subject and its baseline")
		keep        = flag.Bool("keep", false, "keep the scratch directory (databases, server logs)")
		cpuprofile  = flag.String("cpuprofile", "", "write the load generator's CPU profile (raw-store baseline included) to this file")
	)
	var serverEnv envList
	flag.Var(&serverEnv, "server-env", "KEY=VALUE added to the server's environment, for what-if runs (repeatable): -server-env GOGC=200")
	flag.Parse()

	dir, err := os.MkdirTemp("", "coord-bench-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "scratch directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if *server == "" {
		*server = filepath.Join(dir, "users-server")
		build := exec.Command("go", "build", "-o", *server, "github.com/coordapi/coord/cmd/users-server")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build users-server: %w", err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	cfg := bench.Config{ServerBin: *server, BaselineServer: *baseline, SelfBin: self, Dir: dir, Conns: *connsN, Duration: *duration,
		Warmup: *warmup, ListConns: *listConns, ListDuration: *listDur, Rounds: *rounds, Scenarios: set(*scenarios), ServerEnv: serverEnv, Progress: os.Stderr}
	suite, err := bench.NewSuite(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	started := time.Now()
	if *rss {
		err = suite.RSS(ctx, bench.SQLiteBackend(dir, "rss.db"))
	} else {
		err = runBackends(ctx, suite, dir, set(*backends), *pgDSN)
	}
	if err == nil && set(*scenarios)["watch"] && set(*backends)["sqlite"] {
		err = suite.Watch(ctx, bench.SQLiteBackend(dir, "watch.db"), bench.WatchConfig{Watchers: *watchers, Rate: *watchRate, Phase: *watchPhase, NoPoll: *watchNoPoll})
	}
	if err == nil && set(*scenarios)["webhooks"] && !*rss {
		err = runWebhooks(ctx, suite, dir, set(*backends), *pgDSN)
	}
	if err == nil && set(*scenarios)["replicas"] && set(*backends)["postgres"] && *pgDSN != "" {
		err = withSchema(ctx, *pgDSN, func(dsn string) error {
			return suite.Replicas(ctx, bench.PostgresBackend(dsn), *replicaN, *replicaHz, *watchPhase)
		})
	}
	if err != nil {
		return err
	}
	fmt.Printf("Machine: %s\n\n", bench.Machine())
	suite.Report.Print(os.Stdout)
	fmt.Printf("\nTotal time %v.\n", time.Since(started).Round(time.Second))
	return nil
}

func runBackends(ctx context.Context, suite *bench.Suite, dir string, backends map[string]bool, pgDSN string) error {
	if backends["sqlite"] {
		if err := suite.Run(ctx, bench.SQLiteBackend(dir, "coord.db")); err != nil {
			return err
		}
	}
	if !backends["postgres"] {
		return nil
	}
	if pgDSN == "" {
		suite.Report.Notes = append(suite.Report.Notes,
			"PostgreSQL skipped: set COORD_TEST_POSTGRES or -postgres to a DSN to measure it.")
		return nil
	}
	return withSchema(ctx, pgDSN, func(dsn string) error { return suite.Run(ctx, bench.PostgresBackend(dsn)) })
}

// runWebhooks runs the webhooks scenario on each backend, on databases of its own.
func runWebhooks(ctx context.Context, suite *bench.Suite, dir string, backends map[string]bool, pgDSN string) error {
	if backends["sqlite"] {
		if err := suite.Webhooks(ctx, bench.SQLiteBackend(dir, "webhooks.db"), bench.SQLiteBackend(dir, "webhooks-bare.db")); err != nil {
			return err
		}
	}
	if !backends["postgres"] || pgDSN == "" {
		return nil
	}
	return withSchema(ctx, pgDSN, func(dsn string) error {
		return withSchema(ctx, pgDSN, func(bare string) error {
			return suite.Webhooks(ctx, bench.PostgresBackend(dsn), bench.PostgresBackend(bare))
		})
	})
}

// withSchema runs fn on a fresh schema of the database pgDSN names, dropped after.
func withSchema(ctx context.Context, pgDSN string, fn func(dsn string) error) error {
	schemaDSN, drop, err := pgtest.NewSchema(ctx, pgDSN)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer func() {
		if err := drop(); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
		}
	}()
	return fn(schemaDSN)
}

// envList collects repeated -server-env flags.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(kv string) error {
	if !strings.Contains(kv, "=") {
		return fmt.Errorf("want KEY=VALUE, got %q", kv)
	}
	*e = append(*e, kv)
	return nil
}

func set(list string) map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			m[s] = true
		}
	}
	return m
}

// serveBaseline is the bare net/http server of the poll baseline.
func serveBaseline(args []string) error {
	fs := flag.NewFlagSet("baseline-http", flag.ContinueOnError)
	body := fs.String("body", "", "file holding the session JSON to answer with")
	host := fs.String("host", "127.0.0.1", "listen host")
	port := fs.Int("port", 0, "listen port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*body)
	if err != nil {
		return err
	}
	return bench.ServeBaseline(fmt.Sprintf("%s:%d", *host, *port), b)
}

// serveFloor is the plain net/http handler of the poll floor.
func serveFloor(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	backend := fs.String("backend", "sqlite", "sqlite or postgres")
	db := fs.String("db", "", "SQLite file or PostgreSQL DSN (already migrated)")
	audience := fs.String("audience", "", "the partner the tokens are for")
	accessKey := fs.String("access-key", "", "that partner's access key")
	host := fs.String("host", "127.0.0.1", "listen host")
	port := fs.Int("port", 0, "listen port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := os.Getenv("COORD_JWT_SECRET")
	if secret == "" || *db == "" || *audience == "" || *accessKey == "" {
		return fmt.Errorf("needs --db, --audience, --access-key and $COORD_JWT_SECRET")
	}
	var reader bench.FloorReader
	var err error
	switch *backend {
	case "sqlite":
		reader, err = bench.OpenFloorSQLite(*db)
	case "postgres":
		reader, err = bench.OpenFloorPostgres(context.Background(), *db)
	default:
		err = fmt.Errorf("unknown backend %q", *backend)
	}
	if err != nil {
		return err
	}
	defer reader.Close()
	cfg := bench.FloorConfig{Secret: []byte(secret), Audience: *audience, AccessKey: *accessKey}
	return bench.ServeFloor(fmt.Sprintf("%s:%d", *host, *port), cfg, reader)
}
