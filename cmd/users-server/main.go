// Command users-server serves the Coord Users API.
//
// With no flags it uses an embedded SQLite file (coord.db) and the demo
// catalog, and prints the demo access key.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sync/atomic"
	"time"
	_ "time/tzdata" // catalogs name IANA zones; do not depend on the host's zoneinfo

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/live"
	"github.com/coordapi/coord/token"
	"github.com/prometheus/client_golang/prometheus"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil && !errors.Is(err, errHelp) {
		fmt.Fprintln(os.Stderr, "users-server:", oneLine(err))
		os.Exit(1)
	}
}

// oneLine folds a multi-line error (a catalog's list of problems, YAML's
// errors) into the one line an operator sees in a crash-looping pod.
func oneLine(err error) string {
	s := regexp.MustCompile(`:\s*\n\s*`).ReplaceAllString(err.Error(), ": ")
	return regexp.MustCompile(`\s*\n\s*`).ReplaceAllString(s, "; ")
}

func run(args []string) error {
	api, err := httpapi.NewAPI()
	if err != nil {
		return err
	}
	opts, server, err := parseOptions(api, args, os.Stdout)
	if err != nil {
		return err
	}
	if opts.Version {
		fmt.Println("users-server", version)
		return nil
	}
	log, closeLog := newLogger(opts.Log.Level, opts.Log.Format)
	defer closeLog()

	ctx, stop := context.WithCancel(context.Background())
	defer stop()

	cat, err := catalog.Load(opts.Data.Catalog)
	if err != nil {
		return err
	}
	clock := coord.SystemClock{}
	store, backend, err := openStore(ctx, opts.Data.DB, coord.StoreConfig{Clock: clock, PendingTTL: opts.Sessions.PendingTTL}, log)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close() // early returns; the normal path closes it below

	key, err := signingKey(ctx, store, opts.Sessions.JWTSecret)
	if err != nil {
		return err
	}
	tokens, err := token.New(key, opts.Sessions.JWTLifetime, clock)
	if err != nil {
		return err
	}
	hub := live.New(opts.Live.MaxWaiters, live.DefaultRecheck, clock.Now)

	// On SIGTERM or SIGINT the generated server calls PreServerShutdown, then
	// stops accepting and drains in-flight requests within --graceful-timeout,
	// then ServerShutdown if all finished.
	var shuttingDown, drained atomic.Bool
	api.PreServerShutdown = func() {
		shuttingDown.Store(true)
		hub.Close() // held long-polls answer now, not at the end of their wait
		drain, cancel := context.WithTimeout(context.Background(), server.GracefulTimeout)
		_ = hub.Drain(drain)
		cancel()
		log.Info("shutting down", "delay", opts.HTTP.ShutdownDelay.String(), "graceful_timeout", server.GracefulTimeout.String())
		time.Sleep(opts.HTTP.ShutdownDelay) // still serving, /readyz failing
	}
	api.ServerShutdown = func() { drained.Store(true) }
	ready := func(ctx context.Context) error {
		if shuttingDown.Load() {
			return coord.Errorf(coord.EUnavailable, "shutting down")
		}
		return store.Ping(ctx)
	}
	svc := &coord.Service{Store: store, Catalog: cat, Tokens: tokens}
	queue, err := openWebhookQueue(ctx, store, cat, httpapi.EventJSON(svc))
	if err != nil {
		return fmt.Errorf("webhook deliveries: %w", err)
	}
	sender, webhookMetrics := newSender(opts, clock), delivery.NewMetrics()
	h, err := httpapi.New(api, httpapi.Deps{
		Service: svc,
		Catalog: cat, Tokens: tokens, Keys: store, OpenSessions: store, Ready: ready,
		Clock: clock, Logger: log, MaxBodyBytes: opts.HTTP.MaxBodyBytes, MaxHeaderBytes: int(server.MaxHeaderSize), Hub: hub,
		Webhooks:   httpapi.Webhooks{History: queue, Sender: sender},
		Collectors: []prometheus.Collector{webhookMetrics, delivery.DepthCollector(queue)},
	})
	if err != nil {
		return err
	}
	server.SetHandler(h)
	defer server.Shutdown()

	workers := startSettler(ctx, store, opts.Sessions.SettleInterval, log)
	startLive(ctx, workers, store, hub, opts.Live.EventRetention, log)
	startDispatcher(ctx, workers, store, queue, sender, cat, opts, webhookMetrics, clock, log)
	if err := server.Listen(); err != nil {
		return err
	}
	log.Info("listening", "address", listenAddress(server), "database", backend, "catalog", catalogName(opts.Data.Catalog), "version", version)
	if opts.Data.Catalog == "" {
		// The demo key is public by design: it only opens the demo catalog.
		log.Info("demo catalog loaded", "access_key", cat.Partners[0].AccessKeys[0])
	}
	// net/http reads twice the header limit before it answers 431 itself,
	// in plain text; up to there the handler answers in the Error shape.
	serveErr := serve(server, api, h,
		limits{readHeaderTimeout: opts.HTTP.ReadHeaderTimeout, headerBytes: 2 * int(server.MaxHeaderSize)}, log)

	if !drained.Load() && serveErr == nil {
		log.Warn("requests still in flight after --graceful-timeout; closing the database under them")
	}
	stop()
	workers.Wait()
	if err := store.Close(); err != nil {
		return errors.Join(serveErr, fmt.Errorf("close database: %w", err))
	}
	log.Info("stopped")
	return serveErr
}

// signingKey is the configured JWT key, or one generated once and shared
// through the database by every replica.
func signingKey(ctx context.Context, store coord.KeyStore, configured string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil // its length was checked with the other options
	}
	return coord.SharedKey(ctx, store, "jwt-hmac-key")
}

func catalogName(path string) string {
	if path == "" {
		return "demo"
	}
	return path
}
