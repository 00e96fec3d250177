package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/countersign/countersign/webhook"
)

// DueSource lists pending messages whose next attempt is due.
type DueSource interface {
	// DueMessages returns up to limit tasks of messages due before dueBefore,
	// after the message id after ("" from the start), in id order.
	DueMessages(ctx context.Context, dueBefore time.Time, after string, limit int) ([]Task, error)
}

// BatchEnqueuer queues tasks now; tasks already queued are skipped.
type BatchEnqueuer interface {
	EnqueueMail(ctx context.Context, tasks []Task) (int, error)
}

// Reconciler is the mail twin of webhook.Reconciler: the database says which
// messages are due, and whatever the queue lost (Redis flushed or down, a
// process killed between commit and enqueue) is queued again. Task ids are
// message id + attempt, so re-queueing a task still queued is a no-op.
type Reconciler struct {
	Source DueSource
	Queue  BatchEnqueuer
	// Grace is how overdue a message must be before it counts as lost.
	Grace time.Duration
	// Batch is how many messages one pass looks at (default 500).
	Batch  int
	Logger *slog.Logger
	Now    func() time.Time
	cursor string
}

// RunOnce queues one batch of overdue messages again and returns how many
// were missing from the queue.
func (r *Reconciler) RunOnce(ctx context.Context) (int, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	batch := r.Batch
	if batch <= 0 {
		batch = 500
	}
	tasks, err := r.Source.DueMessages(ctx, now().Add(-r.Grace), r.cursor, batch)
	if err != nil {
		return 0, err
	}
	r.cursor = ""
	if len(tasks) == batch {
		r.cursor = tasks[len(tasks)-1].MessageID
	}
	if len(tasks) == 0 {
		return 0, nil
	}
	return r.Queue.EnqueueMail(ctx, tasks)
}

// Run calls RunOnce every interval until ctx ends.
func (r *Reconciler) Run(ctx context.Context, interval time.Duration) {
	webhook.RunPasses(ctx, interval, r.Logger, "mail reconciler", func(ctx context.Context) (int, bool, error) {
		n, err := r.RunOnce(ctx)
		return n, r.cursor != "", err
	})
}
