package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/countersign/countersign/webhook"
)

// TypeDeliver is the task type of one delivery attempt.
const TypeDeliver = "delivery:attempt"

// The delivery queues, by priority: first attempts are never starved by retries, and
// replays go last so a bulk replay cannot hold back live traffic.
const (
	Deliveries = "deliveries"
	Retries    = "retries"
	Replays    = "replays"
)

// queueWeights are asynq's weighted priorities of the queues.
var queueWeights = map[string]int{Deliveries: 6, Mail: 3, Retries: 3, Replays: 1}

// Queues lists the delivery queues.
var Queues = []string{Deliveries, Retries, Replays}

// encodeTask packs a task in a few bytes of text (ids hold no '|'): Redis
// holds one per queued attempt, so a large backlog stays small. The ninth
// field, the order key, is left out when empty, as tasks had it before.
func encodeTask(t webhook.Task) []byte {
	replay := "0"
	if t.Replay {
		replay = "1"
	}
	notBefore := "0"
	if !t.NotBefore.IsZero() {
		notBefore = strconv.FormatInt(t.NotBefore.UnixMilli(), 10)
	}
	ran := "0"
	if t.MayHaveRun {
		ran = "1"
	}
	f := []string{t.DeliveryID, t.WorkspaceID, t.EndpointID, t.EventID, strconv.Itoa(t.Attempt), replay, notBefore, ran}
	if t.OrderKey != "" {
		f = append(f, t.OrderKey)
	}
	return []byte(strings.Join(f, "|"))
}

// decodeTask unpacks encodeTask's payload.
func decodeTask(p []byte) (webhook.Task, error) {
	f := strings.Split(string(p), "|")
	if len(f) != 8 && len(f) != 9 {
		return webhook.Task{}, fmt.Errorf("delivery task payload %q: want 8 or 9 fields", p)
	}
	n, err := strconv.Atoi(f[4])
	if err != nil || n < 1 {
		return webhook.Task{}, fmt.Errorf("delivery task payload %q: bad attempt", p)
	}
	ms, err := strconv.ParseInt(f[6], 10, 64)
	if err != nil {
		return webhook.Task{}, fmt.Errorf("delivery task payload %q: bad not-before time", p)
	}
	t := webhook.Task{DeliveryID: f[0], WorkspaceID: f[1], EndpointID: f[2], EventID: f[3], Attempt: n,
		Replay: f[5] == "1", MayHaveRun: f[7] == "1"}
	if len(f) == 9 {
		t.OrderKey = f[8]
	}
	if ms > 0 {
		t.NotBefore = time.UnixMilli(ms)
	}
	return t, nil
}

// queueOf picks the queue of a task.
func queueOf(t webhook.Task) string {
	switch {
	case t.Replay:
		return Replays
	case t.Attempt > 1:
		return Retries
	default:
		return Deliveries
	}
}

// newTask builds the asynq task; its id makes a duplicate enqueue harmless.
func newTask(t webhook.Task, opts ...asynq.Option) *asynq.Task {
	opts = append(opts, asynq.TaskID(t.TaskID()), asynq.Queue(queueOf(t)),
		// asynq retries only throttled or interrupted runs; the delivery's own
		// retries are new tasks scheduled by the deliverer.
		asynq.MaxRetry(1000), asynq.Timeout(2*time.Minute))
	return asynq.NewTask(TypeDeliver, encodeTask(t), opts...)
}

// Enqueuer puts delivery tasks on the queue.
type Enqueuer struct {
	client  *asynq.Client
	log     *slog.Logger
	batches chan []webhook.Task
	wg      sync.WaitGroup
	closed  chan struct{}
	bp      atomic.Pointer[backpressure]
}

// NewEnqueuer starts workers goroutines that enqueue dispatched tasks.
func NewEnqueuer(r *Redis, log *slog.Logger, workers int) *Enqueuer {
	e := &Enqueuer{client: asynq.NewClientFromRedisClient(r.Client), log: log,
		batches: make(chan []webhook.Task, 4096), closed: make(chan struct{})}
	for range max(1, workers) {
		e.wg.Add(1)
		go e.run()
	}
	return e
}

func (e *Enqueuer) run() {
	defer e.wg.Done()
	for batch := range e.batches {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if _, err := e.Enqueue(ctx, batch); err != nil {
			e.log.Warn("could not queue new deliveries; the reconciler will", "count", len(batch), "err", err)
		}
		cancel()
	}
}

// Dispatch queues tasks in the background. With backpressure enabled it
// first holds its caller while first attempts are backed up. When the buffer is full (the
// API commits faster than Redis takes tasks) it waits up to dispatchWait, which
// slows the API down to what the queue can take; past that, or when Redis is
// down, the tasks are left to the reconciler, which finds them in the database.
// It never blocks for long: the API keeps answering without Redis.
func (e *Enqueuer) Dispatch(tasks []webhook.Task) {
	if bp := e.bp.Load(); bp != nil {
		bp.wait(e.closed)
	}
	select {
	case <-e.closed:
		return
	case e.batches <- tasks:
		return
	default:
	}
	t := time.NewTimer(dispatchWait)
	defer t.Stop()
	select {
	case <-e.closed:
	case e.batches <- tasks:
	case <-t.C:
		e.log.Warn("queue buffer full; the reconciler will queue these deliveries", "count", len(tasks))
	}
}

// dispatchWait bounds how long Dispatch waits for room in a full buffer.
const dispatchWait = 250 * time.Millisecond

// Enqueue queues tasks now and returns how many deliveries were new; tasks
// already in the queue are skipped without error. First attempts go as one
// batch task per event (see webhook.Batch), the rest one task each.
func (e *Enqueuer) Enqueue(ctx context.Context, tasks []webhook.Task) (int, error) {
	batches, single := webhook.Group(tasks)
	n := 0
	for _, b := range batches {
		ok, err := e.submit(ctx, newBatchTask(b))
		if err != nil {
			return n, fmt.Errorf("enqueue %s: %w", b.TaskID(), err)
		}
		if ok {
			n += len(b.Members)
		}
	}
	for _, t := range single {
		ok, err := e.submit(ctx, newTask(t))
		if err != nil {
			return n, fmt.Errorf("enqueue %s: %w", t.TaskID(), err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// submit queues one task; false when a task of the same id is queued already.
func (e *Enqueuer) submit(ctx context.Context, t *asynq.Task) (bool, error) {
	_, err := e.client.EnqueueContext(ctx, t)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask):
		return false, nil
	default:
		return false, err
	}
}

// EnqueueIn queues t to run after delay.
func (e *Enqueuer) EnqueueIn(ctx context.Context, t webhook.Task, delay time.Duration) error {
	var opts []asynq.Option
	if delay > 0 {
		opts = append(opts, asynq.ProcessIn(delay))
	}
	_, err := e.client.EnqueueContext(ctx, newTask(t, opts...))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		return fmt.Errorf("enqueue %s: %w", t.TaskID(), err)
	}
	return nil
}

// Close stops accepting dispatches and waits for queued batches to be sent.
func (e *Enqueuer) Close() {
	select {
	case <-e.closed:
		return
	default:
	}
	close(e.closed)
	close(e.batches)
	e.wg.Wait()
}

// HandleDeliveries registers the delivery handlers on the worker.
func (w *Worker) HandleDeliveries(d *webhook.Deliverer) {
	w.mux.HandleFunc(TypeBatch, handleBatch(d))
	w.mux.HandleFunc(TypeDeliver, func(ctx context.Context, t *asynq.Task) error {
		task, err := decodeTask(t.Payload())
		if err != nil {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		// A task handed out again (its worker died, its lease ran out, or its
		// record failed) may have been attempted and recorded already.
		// Throttled runs do not count as retries (see isFailure).
		if n, ok := asynq.GetRetryCount(ctx); ok && n > 0 {
			task.MayHaveRun = true
		}
		return d.Deliver(ctx, task)
	})
}

// retryDelay is asynq's delay before re-running a task that returned an
// error: a throttled one when the endpoint allows, anything else (database
// briefly unavailable, interrupted) after a short growing pause.
func retryDelay(n int, err error, _ *asynq.Task) time.Duration {
	if d, ok := webhook.IsThrottled(err); ok {
		return d
	}
	return min(time.Duration(n+1)*time.Second, 30*time.Second)
}

// isFailure keeps throttling out of asynq's failure statistics.
func isFailure(err error) bool {
	_, throttled := webhook.IsThrottled(err)
	return !throttled
}
