package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/coordapi/coord/catalog"
)

// Webhook targets (issue 14).
const (
	WebhookMinRate   = 1000.0      // deliveries per second to one local receiver
	WebhookMaxLagP99 = time.Second // commit to receiver, under lifecycle load
	WebhookMinRatio  = 0.8         // lifecycle with one endpoint vs without
)

// Webhooks measures delivery on one backend, in four phases on one
// database, one server at a time:
//  1. lifecycle without endpoints (the demo catalog);
//  2. lifecycle with one endpoint that answers 410 Gone: it is disabled
//     at once and the deliveries of every later event wait — a backlog;
//  3. the endpoint's URL changes in the catalog (which re-enables it) and
//     a new server drains the backlog: deliveries per second;
//  4. lifecycle on that server with the endpoint accepting: the rate
//     against phase 1, and the commit-to-receiver lag.
//
// The phases run one after the other, not in alternating slices, so the
// ratio is more exposed to background load than the other scenarios'.
func (s *Suite) Webhooks(ctx context.Context, b Backend) error {
	seeded := NewSeedUsers(s.Conns, 0, false)
	s.logf("%s: webhooks, seeding %d users", b.Name, len(seeded))
	active, err := b.Seed(ctx, s.partnerID, s.loc, seeded)
	if err != nil {
		return fmt.Errorf("%s: seed: %w", b.Name, err)
	}
	users, err := Users(s.tokens, s.partnerID, seeded, active)
	if err != nil {
		return err
	}
	recv, err := newHookReceiver()
	if err != nil {
		return err
	}
	defer recv.Close()

	lifecycle := func(srv *Process) Row {
		step, done := s.lifecycleStep(srv.Addr, users)
		defer done()
		return s.compare(s.Conns, s.Duration, subject{srv, step})[0]
	}
	serve := func(label, catalogPath string) (*Process, error) {
		args := []string{"--db", b.DB}
		if catalogPath != "" {
			args = append(args, "--catalog", catalogPath)
		}
		return StartProcess(s.ServerBin, args, append([]string{"COORD_JWT_SECRET=" + s.secret}, s.ServerEnv...),
			filepath.Join(s.Dir, "users-server-"+b.Name+"-webhooks-"+label+".log"), "/readyz")
	}

	// 1. Without.
	srv, err := serve("without", "")
	if err != nil {
		return err
	}
	without := lifecycle(srv)
	srv.Stop()
	without.Scenario, without.Backend, without.Subject = "webhooks", b.Name, "lifecycle, no webhook endpoint"
	s.add(without)

	// 2. A backlog behind a 410.
	gone, err := s.hookCatalog(recv, "/gone")
	if err != nil {
		return err
	}
	recv.gone.Store(true)
	if srv, err = serve("backlog", gone); err != nil {
		return err
	}
	step, done := s.lifecycleStep(srv.Addr, users)
	run(s.Conns, s.Duration, step)
	done()
	srv.Stop()
	recv.gone.Store(false)

	// 3. The drain.
	fixed, err := s.hookCatalog(recv, "/hook")
	if err != nil {
		return err
	}
	if srv, err = serve("with", fixed); err != nil {
		return err
	}
	defer srv.Stop()
	n, span := recv.settle(time.Second, 5*time.Minute)
	drain := Row{Scenario: "webhooks", Backend: b.Name, Subject: fmt.Sprintf("deliveries, draining a backlog of %d", n),
		Result: Result{Requests: n, Elapsed: span}}
	s.add(drain)
	s.check(Check{What: "webhooks " + b.Name + ": deliveries per second (backlog drain)", Value: fmt.Sprintf("%.0f/s", drain.Rate()),
		Target: fmt.Sprintf("≥ %.0f/s", WebhookMinRate), Met: drain.Rate() >= WebhookMinRate})

	// 4. With the endpoint accepting.
	recv.reset()
	with := lifecycle(srv)
	with.Scenario, with.Backend, with.Subject = "webhooks", b.Name, "lifecycle, one webhook endpoint"
	with.Ratio = with.Rate() / without.Rate()
	s.add(with)
	delivered, _ := recv.settle(time.Second, time.Minute)
	p50, p99, lagged, invalid := recv.lagQuantiles()
	lag := Row{Scenario: "webhooks", Backend: b.Name, Subject: "deliveries during lifecycle (latency: commit to receiver)",
		Result: Result{Requests: delivered, Elapsed: with.Elapsed, P50: p50, P99: p99, Errors: invalid}}
	s.add(lag)
	s.check(Check{What: "webhooks " + b.Name + ": commit-to-receiver lag p99", Value: p99.Round(time.Millisecond).String(),
		Target: "≤ " + WebhookMaxLagP99.String(), Met: lagged > 0 && p99 <= WebhookMaxLagP99 && invalid == 0})
	s.check(Check{What: "webhooks " + b.Name + ": lifecycle with one endpoint vs without", Value: fmt.Sprintf("%.3g×", with.Ratio),
		Target: fmt.Sprintf("≥ %.1f×", WebhookMinRatio), Met: with.Ratio >= WebhookMinRatio && with.Errors == 0})
	return nil
}

// hookCatalog writes the demo catalog with one endpoint of the demo
// partner at the receiver's path, and returns the file's path.
func (s *Suite) hookCatalog(recv *hookReceiver, path string) (string, error) {
	hook := fmt.Sprintf("    webhooks:\n      - {id: bench, url: %q, secrets: [%s]}\n", recv.URL+path, recv.secret)
	src := catalog.DemoSource()
	at := bytes.Index(src, []byte("    redirect_uri_prefixes:"))
	if at < 0 {
		return "", fmt.Errorf("the demo catalog has no redirect_uri_prefixes to put a webhook before")
	}
	doc := append(append(append([]byte{}, src[:at]...), hook...), src[at:]...)
	file := filepath.Join(s.Dir, "catalog-webhook"+filepath.Base(path)+".yaml")
	return file, os.WriteFile(file, doc, 0o600)
}
