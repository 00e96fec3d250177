package queue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
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
	srv *asynq.Server
	mux *asynq.ServeMux
}

// NewWorker builds a worker on r. Handlers are added to Mux before Start.
func NewWorker(r *Redis, cfg WorkerConfig, log *slog.Logger) *Worker {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
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
	})
	return &Worker{srv: srv, mux: asynq.NewServeMux()}
}

// Mux is where task handlers are registered.
func (w *Worker) Mux() *asynq.ServeMux { return w.mux }

// Start begins processing in the background.
func (w *Worker) Start() error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	return nil
}

// Shutdown stops fetching new tasks, waits for in-flight ones up to the
// configured timeout and hands the rest back to the queue.
func (w *Worker) Shutdown(ctx context.Context) {
	done := make(chan struct{})
	go func() { w.srv.Shutdown(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// slogAdapter lets asynq log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a slogAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
