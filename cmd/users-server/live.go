package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/live"
)

// pruneEvery is how often events past --event-retention are deleted.
const pruneEvery = time.Hour

// startLive feeds the store's committed changes into the hub, which wakes
// held requests, and prunes events past their retention, until ctx is done.
func startLive(ctx context.Context, wg *sync.WaitGroup, store coord.EventStore, hub *live.Hub, retention time.Duration, log *slog.Logger) {
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := hub.Follow(ctx, store); err != nil && ctx.Err() == nil {
			// Held requests still answer on their safety re-check.
			log.Error("following committed changes stopped", "error", err)
		}
	}()
	go func() {
		defer wg.Done()
		t := time.NewTicker(pruneEvery)
		defer t.Stop()
		for {
			if n, err := store.PruneEvents(ctx, time.Now().Add(-retention)); err != nil && ctx.Err() == nil {
				log.Warn("pruning events failed", "error", err)
			} else if n > 0 {
				log.Info("pruned events", "count", n, "retention", retention.String())
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}
