package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/countersign/countersign/webhook"
)

// WorkerConfig tunes a worker process.
type WorkerConfig struct {
	// Concurrency is the number of tasks processed at once.
	Concurrency int
	// ShutdownTimeout is how long in-flight tasks may run after a stop before
	// they are handed back to the queue.
	ShutdownTimeout time.Duration
}

// Worker processes queued tasks with the handlers registered on its mux.
type Worker struct {
	srv   *asynq.Server
	mux   *asynq.ServeMux
	grace time.Duration
}

// handBackMargin is how long Shutdown waits, after the grace period, for
// asynq to put the unfinished tasks back on the queue.
const handBackMargin = 5 * time.Second

// NewWorker builds a worker on r. Handlers are added to Mux before Start.
func NewWorker(r *Redis, cfg WorkerConfig, log *slog.Logger) *Worker {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 8 * time.Second // asynq's default
	}
	srv := asynq.NewServer(r.Opt, asynq.Config{
		Concurrency:     cfg.Concurrency,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          slogAdapter{log.With("component", "asynq")},
		LogLevel:        asynq.WarnLevel,
		// The processor sleeps this long whenever its queues are empty: it is
		// the floor of first-attempt latency at low load (asynq's default is 1s).
		TaskCheckInterval: 10 * time.Millisecond,
		// How often scheduled retries are moved to pending (default 5s).
		DelayedTaskCheckInterval: 500 * time.Millisecond,
		Queues:                   queueWeights,
		RetryDelayFunc:           retryDelay,
		IsFailure:                isFailure,
		ErrorHandler:             taskErrorLogger(log),
	})
	return &Worker{srv: srv, mux: asynq.NewServeMux(), grace: cfg.ShutdownTimeout}
}

// Start begins processing in the background.
func (w *Worker) Start() error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	return nil
}

// Shutdown stops fetching new tasks, waits for in-flight ones up to the
// configured timeout and hands the rest back to the queue. It returns once
// asynq is done, even when ctx ends first (up to handBackMargin after the
// grace period): a process that exits while asynq is still handing tasks back
// strands them as active in Redis until their lease expires and another
// worker's recoverer finds them, a minute or two later.
func (w *Worker) Shutdown(ctx context.Context) {
	start := time.Now()
	done := make(chan struct{})
	go func() { w.srv.Shutdown(); close(done) }()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	wait := time.Until(start.Add(w.grace)) + handBackMargin
	select {
	case <-done:
	case <-time.After(wait):
	}
}

// taskErrorLogger logs the tasks that failed and will run again (the
// database refused the attempt's record, say); throttled tasks are routine
// and not logged.
func taskErrorLogger(log *slog.Logger) asynq.ErrorHandler {
	return asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
		if _, throttled := webhook.IsThrottled(err); throttled {
			return
		}
		id, _ := asynq.GetTaskID(ctx)
		if errors.Is(err, asynq.SkipRetry) {
			log.Error("delivery task dropped", "task_id", id, "err", err)
			return
		}
		n, _ := asynq.GetRetryCount(ctx)
		log.Warn("delivery task failed; it will run again", "task_id", id, "retried", n, "err", err)
	})
}

// slogAdapter lets asynq log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a slogAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
