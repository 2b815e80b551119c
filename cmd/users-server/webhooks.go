package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
)

// openWebhookQueue mirrors the catalog's endpoints into the store (events
// committed from then on get their deliveries) and returns its queue.
func openWebhookQueue(ctx context.Context, store coord.Store, cat *coord.Catalog, render delivery.Render) (delivery.StoreQueue, error) {
	qs, ok := store.(delivery.QueueStore)
	if !ok {
		return nil, fmt.Errorf("store %T keeps no webhook deliveries", store)
	}
	return qs.WebhookQueue(ctx, delivery.Endpoints(cat.Partners), render)
}

// newSender makes the sender of deliveries and pings.
func newSender(o *options, clock coord.Clock) *delivery.Sender {
	return delivery.NewSender(delivery.WithTimeout(o.Webhooks.Timeout),
		delivery.WithUserAgent(delivery.UserAgent(version)), delivery.WithClock(clock))
}

// startDispatcher runs this replica's dispatcher until ctx is done, woken
// by every commit (of any replica, on PostgreSQL) and polling besides.
// Without endpoints in the catalog there is nothing to run.
func startDispatcher(ctx context.Context, wg *sync.WaitGroup, store coord.EventStore, q delivery.Queue, sender *delivery.Sender,
	cat *coord.Catalog, o *options, m *delivery.Metrics, clock coord.Clock, log *slog.Logger) {
	endpoints := cat.Webhooks()
	if len(endpoints) == 0 {
		return
	}
	d := &delivery.Dispatcher{Queue: q, Sender: sender, Endpoints: endpoints,
		Schedule:    delivery.DefaultSchedule.Scale(o.Webhooks.ScheduleScale),
		Concurrency: o.Webhooks.Concurrency, PerEndpoint: o.Webhooks.PerEndpoint, Lease: o.Webhooks.Lease,
		Log: log, Clock: clock, OnOutcome: m.Observe}
	wg.Add(2)
	go func() {
		defer wg.Done()
		d.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		if err := store.ListenChanges(ctx, func(coord.Change) { d.Wake() }); err != nil && ctx.Err() == nil {
			log.Warn("webhook dispatcher: following commits stopped; polling only", "error", err)
		}
	}()
	log.Info("webhook dispatcher started", "endpoints", len(endpoints), "concurrency", o.Webhooks.Concurrency,
		"per_endpoint", d.PerEndpointLimit(), "timeout", o.Webhooks.Timeout.String())
}
