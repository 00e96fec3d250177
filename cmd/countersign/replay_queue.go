package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/webhook"
)

// reconcilerBound is how long a due delivery that no one queued may wait for
// a running worker's reconciler (startWorker in serve.go): the 10 s of grace it
// leaves deliveries on their way through the queue, plus the 5 s between two
// of its passes.
const reconcilerBound = 10*time.Second + 5*time.Second

// replayQueue queues the deliveries a replay command makes. The command works
// on the database; without the workers' Redis it cannot queue, so a running
// worker's reconciler finds the new deliveries up to reconcilerBound later.
// With COUNTERSIGN_REDIS_URL (or --redis-url) set, it queues them itself once
// they are committed, and a worker sends them at once. A nil replayQueue
// queues nothing.
type replayQueue struct {
	rds   *queue.Redis
	log   *slog.Logger
	tasks []webhook.Task
}

// openReplayQueue connects to the Redis at url; an empty url is no queue.
func openReplayQueue(ctx context.Context, url string, log *slog.Logger) (*replayQueue, error) {
	if url == "" {
		return nil, nil
	}
	rds, err := queue.Open(ctx, url, log)
	if err != nil {
		return nil, err
	}
	return &replayQueue{rds: rds, log: log}, nil
}

// dispatch is what the database calls after commit: it keeps the tasks for
// send. It is nil for a nil queue, so the database queues nothing.
func (q *replayQueue) dispatch() func([]webhook.Task) {
	if q == nil {
		return nil
	}
	return func(tasks []webhook.Task) { q.tasks = append(q.tasks, tasks...) }
}

// send queues the committed tasks and returns what the command tells the
// user about when they go out; what names them ("it", "them").
func (q *replayQueue) send(ctx context.Context, what string) string {
	later := fmt.Sprintf("due now: the reconciler of a running serve or worker process queues %s within %d seconds "+
		"(set COUNTERSIGN_REDIS_URL to the workers' Redis to queue %s at once)", what, int(reconcilerBound.Seconds()), what)
	if q == nil || len(q.tasks) == 0 {
		return later
	}
	enq := queue.NewEnqueuer(q.rds, q.log, 1)
	defer enq.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := enq.Enqueue(ctx, q.tasks); err != nil {
		q.log.Warn("could not queue the replay", "err", err)
		return later
	}
	return fmt.Sprintf("queued now: a running worker sends %s at once", what)
}

// close closes the Redis connection.
func (q *replayQueue) close() {
	if q != nil {
		q.rds.Close()
	}
}
