package main

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/jessevdk/go-flags"

	"github.com/coordapi/coord/restapi"
	"github.com/coordapi/coord/restapi/operations"
)

// envPrefix namespaces every flag's environment variable: --db is COORD_DB,
// the generated server's --port is COORD_PORT, --read-timeout COORD_READ_TIMEOUT.
const envPrefix = "COORD"

// options are the application's flags, in groups for --help; the generated
// server adds its own (listeners, timeouts, TLS).
type options struct {
	Data struct {
		DB      string `long:"db" env:"DB" default:"coord.db" description:"SQLite file path, or a postgres:// DSN to share one database between replicas"`
		Catalog string `long:"catalog" env:"CATALOG" description:"catalog YAML file with partners, systems, locations and prices (default: the embedded demo catalog)"`
		// The demo catalog publishes a server token that mints real users.
		AllowDemoCatalog bool `long:"allow-demo-catalog" env:"ALLOW_DEMO_CATALOG" description:"serve the demo catalog, whose credentials are public, on a non-loopback address"`
	} `group:"Data"`
	Sessions struct {
		JWTSecret      string        `long:"jwt-secret" env:"JWT_SECRET" description:"HMAC key for user JWTs, at least 32 bytes (default: generated once and kept in the database)"`
		JWTLifetime    time.Duration `long:"jwt-lifetime" env:"JWT_LIFETIME" default:"1h" description:"lifetime of minted user JWTs"`
		PendingTTL     time.Duration `long:"pending-ttl" env:"PENDING_TTL" default:"30m" description:"how long a gate session may wait for its entry scan before it is cancelled"`
		SettleInterval time.Duration `long:"settle-interval" env:"SETTLE_INTERVAL" default:"1s" description:"how often due gate exits and expired pending sessions are settled (with their events) in the background; reads settle a due session at once anyway"`
	} `group:"Tokens and sessions"`
	Live struct {
		MaxWaiters     int           `long:"max-waiters" env:"MAX_WAITERS" default:"15000" description:"long-poll requests (wait) held at once; past it they answer at once, as without wait; below --listen-limit"`
		EventRetention time.Duration `long:"event-retention" env:"EVENT_RETENTION" default:"720h" description:"how long events are kept for list_events; older cursors get 410 cursor_expired"`
	} `group:"Live state and events"`
	Webhooks struct {
		Timeout       time.Duration `long:"webhook-timeout" env:"WEBHOOK_TIMEOUT" default:"15s" description:"per-attempt timeout of a webhook delivery, from dialling to the answer"`
		Concurrency   int           `long:"webhook-concurrency" env:"WEBHOOK_CONCURRENCY" default:"128" description:"webhook attempts in flight at once, per replica"`
		PerEndpoint   int           `long:"webhook-per-endpoint" env:"WEBHOOK_PER_ENDPOINT" default:"0" description:"webhook attempts in flight at once to any one endpoint, per replica, so that a slow endpoint does not delay the others; 0: the store's (16 on SQLite, 40 on PostgreSQL)"`
		Lease         time.Duration `long:"webhook-lease" env:"WEBHOOK_LEASE" description:"how long a replica holds a claimed delivery before another may take it over, if the first died (default: twice --webhook-timeout plus 30s)"`
		ScheduleScale float64       `long:"webhook-schedule-scale" env:"WEBHOOK_SCHEDULE_SCALE" default:"1" description:"multiplies the retry schedule (5s, 5m, 30m, 2h, 5h, 10h, 14h, 20h, 24h); 0.001 for tests"`
	} `group:"Webhooks"`
	HTTP struct {
		MaxBodyBytes      int64         `long:"max-body-bytes" env:"MAX_BODY_BYTES" default:"65536" description:"largest request body accepted; larger ones get 413 payload_too_large"`
		ReadHeaderTimeout time.Duration `long:"read-header-timeout" env:"READ_HEADER_TIMEOUT" default:"5s" description:"how long a client may take to send a request's headers; slower ones are disconnected"`
		ShutdownDelay     time.Duration `long:"shutdown-delay" env:"SHUTDOWN_DELAY" default:"0s" description:"on SIGTERM, keep serving this long with /readyz failing so load balancers stop routing here, then drain (within --graceful-timeout)"`
	} `group:"HTTP"`
	Log struct {
		Level  string `long:"log-level" env:"LOG_LEVEL" default:"info" choice:"debug" choice:"info" choice:"warn" choice:"error" description:"log level"`
		Format string `long:"log-format" env:"LOG_FORMAT" default:"json" choice:"json" choice:"text" description:"log format: json for machines, text for a terminal"`
	} `group:"Logging"`
	Version bool `long:"version" description:"print the version and exit"`
}

// errHelp is returned after --help was printed.
var errHelp = errors.New("help requested")

// parseOptions reads the flags and COORD_* environment variables into the
// application's options and the options of a generated server for api.
// Errors are one line; --help prints to help and returns errHelp.
func parseOptions(api *operations.UsersAPI, args []string, help io.Writer) (*options, *restapi.Server, error) {
	var opts options
	// The generated server is built on the bare API so that its flags can be
	// parsed first; handlers are registered once the database is open.
	server := restapi.NewServer(api)
	server.Port = 8080

	// No flags.PrintErrors: main prints the one-line reason itself.
	parser := flags.NewParser(nil, flags.HelpFlag|flags.PassDoubleDash)
	parser.Name = "users-server"
	parser.ShortDescription = "Coord Users API server"
	parser.LongDescription = "Every option can also be set from the environment variable shown in brackets."
	app, err := parser.AddGroup("Application Options", "", &opts)
	if err != nil {
		return nil, nil, err
	}
	srv, err := parser.AddGroup("Server Options", "", server)
	if err != nil {
		return nil, nil, err
	}
	tidyServerOptions(parser)
	app.EnvNamespace, srv.EnvNamespace = envPrefix, envPrefix
	withEnv(srv)

	if _, err := parser.ParseArgs(args); err != nil {
		var ferr *flags.Error
		if errors.As(err, &ferr) && ferr.Type == flags.ErrHelp {
			fmt.Fprint(help, ferr.Message)
			return nil, nil, errHelp
		}
		return nil, nil, err
	}
	if err := opts.check(server); err != nil {
		return nil, nil, err
	}
	if len(server.EnabledListeners) == 0 {
		server.EnabledListeners = []string{"http"}
		if server.TLSCertificate != "" {
			server.EnabledListeners = append(server.EnabledListeners, "https")
		}
	}
	return &opts, server, nil
}

// withEnv names every option's environment variable after its long name
// (--read-timeout: READ_TIMEOUT, --tls-key: TLS_KEY), so that the
// generated server's flags, whose code is not ours to edit and which name a
// few otherwise (TLS_PRIVATE_KEY), follow the same rule as the application's.
func withEnv(g *flags.Group) {
	for _, o := range g.Options() {
		if o.LongName != "" {
			o.EnvDefaultKey = strings.ToUpper(strings.ReplaceAll(o.LongName, "-", "_"))
			if reflect.TypeOf(o.Value()).Kind() == reflect.Slice {
				o.EnvDefaultDelim = "," // --scheme is repeatable: COORD_SCHEME=http,https
			}
		}
	}
	for _, sub := range g.Groups() {
		withEnv(sub)
	}
}

// check rejects values the types allow but the server cannot use.
func (o *options) check(s *restapi.Server) error {
	switch {
	case o.HTTP.MaxBodyBytes <= 0:
		return errors.New("--max-body-bytes must be positive")
	case o.Live.MaxWaiters < 0:
		return errors.New("--max-waiters must not be negative")
	case o.Live.EventRetention <= 0:
		return errors.New("--event-retention must be positive")
	case o.Webhooks.Timeout <= 0 || o.Webhooks.Concurrency <= 0:
		return errors.New("--webhook-timeout and --webhook-concurrency must be positive")
	case o.Webhooks.PerEndpoint < 0:
		return errors.New("--webhook-per-endpoint must not be negative")
	case o.Webhooks.Lease != 0 && o.Webhooks.Lease <= o.Webhooks.Timeout:
		return errors.New("--webhook-lease must be longer than --webhook-timeout: a claim must outlast its attempt")
	case o.Webhooks.ScheduleScale <= 0 || o.Webhooks.ScheduleScale > 1:
		return errors.New("--webhook-schedule-scale must be above 0 and at most 1")
	case o.HTTP.ShutdownDelay < 0:
		return errors.New("--shutdown-delay must not be negative")
	case o.HTTP.ShutdownDelay >= s.GracefulTimeout:
		return fmt.Errorf("--shutdown-delay (%v) must be shorter than --graceful-timeout (%v), which bounds the whole shutdown", o.HTTP.ShutdownDelay, s.GracefulTimeout)
	case o.HTTP.ReadHeaderTimeout <= 0 || s.CleanupTimeout <= 0:
		return errors.New("--read-header-timeout and --cleanup-timeout must be positive: without them a slow or idle client holds a connection for the read timeout, or forever")
	case s.ListenLimit < 0 || s.TLSListenLimit < 0:
		return errors.New("--listen-limit must not be negative")
	case s.ListenLimit > 0 && o.Live.MaxWaiters >= s.ListenLimit:
		// Held long-polls at the cap would take every connection and lock
		// everyone else out.
		return fmt.Errorf("--max-waiters (%d) must be below --listen-limit (%d), or --listen-limit 0: every held long-poll keeps a connection open, and other requests need some too", o.Live.MaxWaiters, s.ListenLimit)
	case s.MaxHeaderSize < 1024:
		return errors.New("--max-header-size must be at least 1KiB")
	case s.ReadTimeout <= 0 || s.WriteTimeout <= 0:
		return errors.New("--read-timeout and --write-timeout must be positive: without them a slow client holds a connection forever")
	case o.Sessions.JWTSecret != "" && len(o.Sessions.JWTSecret) < 32:
		return errors.New("--jwt-secret needs at least 32 bytes")
	case o.Data.Catalog == "" && !o.Data.AllowDemoCatalog && !loopbackOnly(s):
		return errors.New("the demo catalog's credentials are public: give --catalog, listen on a loopback address (--host 127.0.0.1), or pass --allow-demo-catalog")
	case slices.Contains(s.EnabledListeners, "https") && (s.TLSCertificate == "" || s.TLSCertificateKey == ""):
		// The generated server would exit through its debug-level logger,
		// silently.
		return errors.New("--scheme https needs --tls-certificate and --tls-key")
	}
	return nil
}
