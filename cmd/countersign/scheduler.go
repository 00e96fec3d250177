package main

import (
	"context"
	"log/slog"
	"time"
)

// dueBatch is how many processes (and registrations) one ApplyDue call handles.
const dueBatch = 200

// applyDueFunc applies the deadlines reached at now to at most limit
// processes and registrations and returns how many it changed
// (storage.Processes.ApplyDue).
type applyDueFunc func(ctx context.Context, now time.Time, limit int) (int, error)

// scheduleLoop applies due deadlines (waiting periods, step due dates, process
// expiry, registration expiry) every `every` until ctx ends. A full batch is
// followed at once by another, so a backlog drains without waiting a tick.
// The due times live in the database, so nothing is lost across restarts, and
// several worker processes may run the loop at once.
func scheduleLoop(ctx context.Context, apply applyDueFunc, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			n, err := apply(ctx, time.Now(), dueBatch)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("applying due deadlines failed; retrying next tick", "applied", n, "err", err)
				}
				break
			}
			if n > 0 {
				log.Debug("applied due deadlines", "count", n)
			}
			if n < dueBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
