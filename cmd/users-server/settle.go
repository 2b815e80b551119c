package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/coordapi/coord"
)

// startSettler ends due simulated gate exits and cancels expired pending
// sessions in the background until ctx ends. Reads settle lazily too; this
// keeps lists and metrics current. Safe with several replicas running it.
func startSettler(ctx context.Context, store coord.SessionStore, every time.Duration, log *slog.Logger) *sync.WaitGroup {
	var wg sync.WaitGroup
	if every <= 0 {
		return &wg
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := store.SettleDue(ctx); err != nil && ctx.Err() == nil {
					log.Warn("settling due sessions failed", "error", err)
				} else if n > 0 {
					log.Debug("settled sessions", "count", n)
				}
			}
		}
	}()
	return &wg
}
