package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/webhook"
)

// retentionEvery is how often a worker process applies the event retention.
const retentionEvery = 10 * time.Minute

// expungeLoop applies the event retention now and then every `every` until ctx
// ends: the body and response body of events older than retention are set to
// NULL (the rows stay). Retention 0 keeps events forever. Several workers may
// run it at once; each event is expunged once.
func expungeLoop(ctx context.Context, db *storage.DB, retention, every time.Duration, log *slog.Logger) {
	if retention <= 0 {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		before := db.Now().Add(-retention)
		n, err := db.Events().ExpungeEvents(ctx, before, storage.DefaultExpungeBatch)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("event retention failed; retrying later", "expunged", n, "err", err)
		case n > 0:
			log.Info("event retention", "expunged", n, "created_before", before.Format(time.RFC3339))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// retentionProblem says why a retention is too short for the retry schedule
// ("" when it is not): an event expunged while its deliveries are still being
// retried could no longer be sent. The bound is the schedule's span with its
// jitter, plus an hour (the longest Retry-After honoured).
func retentionProblem(retention time.Duration, schedule webhook.Schedule) string {
	if retention == 0 {
		return ""
	}
	var span time.Duration
	for _, d := range schedule {
		span += d
	}
	span = (time.Duration(float64(span)*(1+webhook.Jitter)) + webhook.MaxRetryAfter + time.Hour - 1).Truncate(time.Hour)
	if retention < span {
		return fmt.Sprintf("shorter than %s, the span of the retry schedule: events would be expunged before their last delivery attempt", span)
	}
	return ""
}
