package webhook

import (
	"context"
	"log/slog"
	"time"
)

// RunPasses calls pass every interval until ctx ends, logging what each pass
// queued and any error under name. A pass that reports more waiting is
// followed shortly by the next one, so a large loss is repaired quickly. The
// delivery and mail reconcilers both run this way.
func RunPasses(ctx context.Context, interval time.Duration, log *slog.Logger, name string,
	pass func(context.Context) (queued int, more bool, err error)) {
	if log == nil {
		log = slog.Default()
	}
	for {
		n, more, err := pass(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn(name+" pass failed", "err", err)
		case n > 0:
			log.Info(name+" queued lost work", "count", n)
		}
		wait := interval
		if err == nil && more {
			wait = min(interval, 100*time.Millisecond)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
