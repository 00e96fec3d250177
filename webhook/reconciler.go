package webhook

import (
	"context"
	"log/slog"
	"time"
)

// DueSource lists pending deliveries that are due, in due order, resuming
// from a cursor; the zero cursor starts over.
type DueSource interface {
	DueDeliveries(ctx context.Context, dueBefore time.Time, after DueCursor, limit int) ([]Task, DueCursor, error)
}

// DueCursor is where a scan of due deliveries stands: after the delivery ID
// due at At (Unix microseconds). The zero DueCursor is the start, and the end.
type DueCursor struct {
	At int64
	ID string
}

// HeldReleaser is what a DueSource also offers when it holds ordered
// deliveries back: it makes due, and returns, held deliveries that nothing
// is waiting for any more (the earlier delivery finished without letting
// them go: a worker stopped between the two, say).
type HeldReleaser interface {
	ReleaseHeld(ctx context.Context, limit int) ([]Task, error)
}

// BatchEnqueuer queues tasks now; tasks already queued are skipped.
type BatchEnqueuer interface {
	Enqueue(ctx context.Context, tasks []Task) (int, error)
}

// Reconciler keeps the queue honest: the database says which deliveries are
// due, and whatever the queue lost (Redis flushed, restarted or down, a
// process killed between commit and enqueue) is queued again. Task ids are
// delivery id + attempt, and for first attempts the event's batch id (see
// Batch), so re-queueing a task that is still queued is a no-op.
type Reconciler struct {
	Source DueSource
	Queue  BatchEnqueuer
	// Grace is how overdue a delivery must be before it counts as lost, so
	// deliveries on their way through the queue are left alone.
	Grace time.Duration
	// Batch is how many deliveries one pass looks at.
	Batch  int
	Logger *slog.Logger
	Now    func() time.Time
	cursor DueCursor
}

// RunOnce looks at one batch of overdue deliveries and queues them again. It
// returns how many were missing from the queue.
func (r *Reconciler) RunOnce(ctx context.Context) (int, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	batch := r.Batch
	if batch <= 0 {
		batch = 1000
	}
	var released []Task
	if rel, ok := r.Source.(HeldReleaser); ok && r.cursor == (DueCursor{}) {
		var err error
		if released, err = rel.ReleaseHeld(ctx, batch); err != nil {
			return 0, err
		}
	}
	tasks, next, err := r.Source.DueDeliveries(ctx, now().Add(-r.Grace), r.cursor, batch)
	if err != nil {
		return 0, err
	}
	tasks = append(tasks, released...)
	r.cursor = next
	if len(tasks) == 0 {
		return 0, nil
	}
	return r.Queue.Enqueue(ctx, tasks)
}

// Run calls RunOnce every interval until ctx ends; a full batch is followed
// shortly by the next one, so a large loss is repaired quickly.
func (r *Reconciler) Run(ctx context.Context, interval time.Duration) {
	RunPasses(ctx, interval, r.Logger, "reconciler", func(ctx context.Context) (int, bool, error) {
		n, err := r.RunOnce(ctx)
		return n, r.cursor != (DueCursor{}), err
	})
}
