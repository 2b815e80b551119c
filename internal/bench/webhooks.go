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

// Webhooks measures delivery on one backend, b, with bare (an empty
// database of the same backend) for the comparison without endpoints:
//  1. lifecycle with one endpoint that answers 410 Gone, on b: it is
//     disabled at once and the deliveries of every later event wait — a
//     backlog;
//  2. the endpoint's URL changes in the catalog (which re-enables it) and
//     a new server drains the backlog: deliveries per second;
//  3. lifecycle on that server with the endpoint accepting, in alternating
//     slices with lifecycle on a server of bare without endpoints (the demo
//     catalog), as the other scenarios compare: the rate against it, and
//     the commit-to-receiver lag. Both databases are seeded alike and
//     both had phase 1's lifecycle (bare's on a server of its own, without
//     the endpoint), so they hold the same history, and each server of
//     phase 3 was started after its database got it; b holds the
//     backlog's rows besides.
func (s *Suite) Webhooks(ctx context.Context, b, bare Backend) error {
	seeded := NewSeedUsers(s.Conns, 0, false)
	s.logf("%s: webhooks, seeding %d users (twice)", b.Name, len(seeded))
	active, err := b.Seed(ctx, s.partnerID, s.loc, seeded)
	if err != nil {
		return fmt.Errorf("%s: seed: %w", b.Name, err)
	}
	if _, err := bare.Seed(ctx, s.partnerID, s.loc, seeded); err != nil {
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

	serve := func(db Backend, label, catalogPath string) (*Process, error) {
		args := []string{"--db", db.DB}
		if catalogPath != "" {
			args = append(args, "--catalog", catalogPath)
		}
		return StartProcess(s.ServerBin, args, append([]string{"COORD_JWT_SECRET=" + s.secret}, s.ServerEnv...),
			filepath.Join(s.Dir, "users-server-"+b.Name+"-webhooks-"+label+".log"), "/readyz")
	}

	var srv *Process
	// 1. A backlog behind a 410.
	gone, err := s.hookCatalog(recv, "/gone")
	if err != nil {
		return err
	}
	recv.gone.Store(true)
	if srv, err = serve(b, "backlog", gone); err != nil {
		return err
	}
	step, done := s.lifecycleStep(srv.Addr, users)
	run(s.Conns, s.Duration, step)
	done()
	srv.Stop()
	recv.gone.Store(false)
	// The same history on bare, without endpoints: what phase 3 measures
	// is the endpoint, not tables grown by the backlog's lifecycle.
	hist, err := serve(bare, "history", "")
	if err != nil {
		return err
	}
	histStep, histDone := s.lifecycleStep(hist.Addr, users)
	run(s.Conns, s.Duration, histStep)
	histDone()
	hist.Stop()

	// 2. The drain.
	fixed, err := s.hookCatalog(recv, "/hook")
	if err != nil {
		return err
	}
	if srv, err = serve(b, "with", fixed); err != nil {
		return err
	}
	defer srv.Stop()
	n, span := recv.settle(time.Second, 5*time.Minute)
	drain := Row{Scenario: "webhooks", Backend: b.Name, Subject: fmt.Sprintf("deliveries, draining a backlog of %d", n),
		Result: Result{Requests: n, Elapsed: span}}
	s.add(drain)
	s.check(Check{What: "webhooks " + b.Name + ": deliveries per second (backlog drain)", Value: fmt.Sprintf("%.0f/s", drain.Rate()),
		Target: fmt.Sprintf("≥ %.0f/s", WebhookMinRate), Met: drain.Rate() >= WebhookMinRate})

	// 3. With the endpoint accepting, against without: a server started
	// after the drain, as the other was just before it.
	bareSrv, err := serve(bare, "without", "")
	if err != nil {
		return err
	}
	defer bareSrv.Stop()
	recv.reset()
	withStep, withDone := s.lifecycleStep(srv.Addr, users)
	bareStep, bareDone := s.lifecycleStep(bareSrv.Addr, users)
	rows := s.compare(s.Conns, s.Duration, subject{bareSrv, bareStep}, subject{srv, withStep})
	withDone()
	bareDone()
	without, with := rows[0], rows[1]
	without.Scenario, without.Backend, without.Subject = "webhooks", b.Name, "lifecycle, no webhook endpoint"
	s.add(without)
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
