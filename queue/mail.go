package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/countersign/countersign/notify"
)

// TypeMail is the task type of one attempt at a notification email.
const TypeMail = "mail:attempt"

// Mail is the queue of notification emails: their own, so a backlog of
// webhook retries never holds back an invitation, nor mail a delivery.
const Mail = "mail"

// encodeMail packs a mail task (ids hold no '|').
func encodeMail(t notify.Task) []byte {
	return []byte(strings.Join([]string{t.MessageID, t.WorkspaceID, strconv.Itoa(t.Attempt)}, "|"))
}

// decodeMail unpacks encodeMail's payload.
func decodeMail(p []byte) (notify.Task, error) {
	f := strings.Split(string(p), "|")
	if len(f) != 3 {
		return notify.Task{}, fmt.Errorf("mail task payload %q: want 3 fields", p)
	}
	n, err := strconv.Atoi(f[2])
	if err != nil || n < 1 {
		return notify.Task{}, fmt.Errorf("mail task payload %q: bad attempt", p)
	}
	return notify.Task{MessageID: f[0], WorkspaceID: f[1], Attempt: n}, nil
}

// newMailTask builds the asynq task; its id makes a duplicate enqueue harmless.
func newMailTask(t notify.Task, opts ...asynq.Option) *asynq.Task {
	opts = append(opts, asynq.TaskID(t.TaskID()), asynq.Queue(Mail),
		// asynq retries only throttled or interrupted runs; the message's own
		// retries are new tasks scheduled by the mailer.
		asynq.MaxRetry(1000), asynq.Timeout(2*time.Minute))
	return asynq.NewTask(TypeMail, encodeMail(t), opts...)
}

// MailQueue puts mail tasks on the queue, through an Enqueuer's client.
type MailQueue struct{ e *Enqueuer }

var (
	_ notify.Enqueuer      = (*MailQueue)(nil)
	_ notify.BatchEnqueuer = (*MailQueue)(nil)
)

// Mail returns the mail side of the enqueuer.
func (e *Enqueuer) Mail() *MailQueue { return &MailQueue{e: e} }

// Dispatch queues the tasks of newly committed messages in the background;
// when Redis is down they are left to the reconciler, which finds them in
// the database.
func (q *MailQueue) Dispatch(tasks []notify.Task) {
	select {
	case <-q.e.closed:
		return
	default:
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := q.EnqueueMail(ctx, tasks); err != nil {
			q.e.log.Warn("could not queue new messages; the reconciler will", "count", len(tasks), "err", err)
		}
	}()
}

// EnqueueMail queues tasks now and returns how many were new.
func (q *MailQueue) EnqueueMail(ctx context.Context, tasks []notify.Task) (int, error) {
	n := 0
	for _, t := range tasks {
		_, err := q.e.client.EnqueueContext(ctx, newMailTask(t))
		switch {
		case err == nil:
			n++
		case errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask):
		default:
			return n, fmt.Errorf("enqueue %s: %w", t.TaskID(), err)
		}
	}
	return n, nil
}

// EnqueueIn queues t to run after delay.
func (q *MailQueue) EnqueueIn(ctx context.Context, t notify.Task, delay time.Duration) error {
	var opts []asynq.Option
	if delay > 0 {
		opts = append(opts, asynq.ProcessIn(delay))
	}
	_, err := q.e.client.EnqueueContext(ctx, newMailTask(t, opts...))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		return fmt.Errorf("enqueue %s: %w", t.TaskID(), err)
	}
	return nil
}

// HandleMail registers the mail handler on the worker.
func (w *Worker) HandleMail(m *notify.Mailer) {
	w.mux.HandleFunc(TypeMail, func(ctx context.Context, t *asynq.Task) error {
		task, err := decodeMail(t.Payload())
		if err != nil {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		return m.Send(ctx, task)
	})
}
