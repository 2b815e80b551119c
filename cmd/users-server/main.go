// Command users-server serves the Coord Users API.
//
// With no flags it uses an embedded SQLite file (coord.db) and the demo
// catalog, and prints the demo access key.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"
	_ "time/tzdata" // catalogs name IANA zones; do not depend on the host's zoneinfo

	"github.com/jessevdk/go-flags"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/restapi"
	"github.com/coordapi/coord/token"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(); err != nil {
		var flagsErr *flags.Error
		if errors.As(err, &flagsErr) && flagsErr.Type == flags.ErrHelp {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "users-server:", err)
		os.Exit(1)
	}
}

func run() error {
	var opts options
	api, err := httpapi.NewAPI()
	if err != nil {
		return err
	}
	// The generated server is built on the bare API so that its flags can be
	// parsed first; handlers are registered once the database is open.
	server := restapi.NewServer(api)
	server.Port = 8080
	parser := flags.NewParser(nil, flags.Default)
	parser.ShortDescription = "Coord Users API server"
	app, err := parser.AddGroup("Application Options", "", &opts)
	if err != nil {
		return err
	}
	app.EnvNamespace = "COORD"
	srv, err := parser.AddGroup("Server Options", "", server)
	if err != nil {
		return err
	}
	srv.EnvNamespace = "COORD"
	if _, err := parser.Parse(); err != nil {
		return err
	}
	if opts.Version {
		fmt.Println("users-server", version)
		return nil
	}
	if len(server.EnabledListeners) == 0 {
		server.EnabledListeners = []string{"http"}
		if server.TLSCertificate != "" {
			server.EnabledListeners = append(server.EnabledListeners, "https")
		}
	}
	log := newLogger(opts.LogLevel, opts.LogFormat)
	slog.SetDefault(log)

	ctx, stop := context.WithCancel(context.Background())
	defer stop()

	cat, err := catalog.Load(opts.Catalog)
	if err != nil {
		return err
	}
	store, backend, err := openStore(ctx, opts.DB)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()

	key, err := signingKey(ctx, store, opts.JWTSecret)
	if err != nil {
		return err
	}
	tokens, err := token.New(key, opts.JWTLifetime)
	if err != nil {
		return err
	}
	svc := &coord.Service{Store: store, Catalog: cat, Tokens: tokens, Now: time.Now, PendingTTL: opts.PendingTTL}
	deps := httpapi.Deps{Service: svc, Logger: log}
	if err := httpapi.Register(api, deps); err != nil {
		return err
	}

	var shuttingDown atomic.Bool
	api.PreServerShutdown = func() { shuttingDown.Store(true) }
	ready := func(ctx context.Context) error {
		if shuttingDown.Load() {
			return coord.Errorf(coord.EUnavailable, "shutting down")
		}
		return store.Ping(ctx)
	}
	server.SetHandler(httpapi.Handler(api, deps, ready))
	defer server.Shutdown()

	workers := startSettler(ctx, store, opts.SettleInterval, log)
	defer workers.Wait()
	defer stop()

	if err := server.Listen(); err != nil {
		return err
	}
	log.Info("listening", "address", listenAddress(server), "database", backend, "catalog", catalogName(opts.Catalog))
	if opts.Catalog == "" {
		// The demo key is public by design: it only opens the demo catalog.
		log.Info("demo catalog loaded", "access_key", cat.Partners[0].AccessKeys[0])
	}
	return server.Serve()
}

// signingKey is the configured JWT key, or one generated once and shared
// through the database by every replica.
func signingKey(ctx context.Context, store coord.KeyStore, configured string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 32 {
			return nil, errors.New("--jwt-secret needs at least 32 bytes")
		}
		return []byte(configured), nil
	}
	key, err := store.Secret(ctx, "jwt-hmac-key", func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("jwt signing key: %w", err)
	}
	return key, nil
}

func catalogName(path string) string {
	if path == "" {
		return "demo"
	}
	return path
}
