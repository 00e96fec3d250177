package queue

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// pendingKey is the Redis list asynq keeps a queue's pending tasks in.
func pendingKey(queue string) string { return "asynq:{" + queue + "}:pending" }

// backpressure slows the API down when first attempts queue up faster than
// the workers take them: flat out, the API of a process would otherwise
// commit events faster than the worker sharing its CPUs delivers them, and
// starve it. It watches the first-attempt queue's pending tasks (plus the
// enqueuer's own buffer); past Limit, each dispatch waits, longer the deeper
// the backlog, up to MaxWait.
type backpressure struct {
	limit   int64
	maxWait time.Duration
	backlog atomic.Int64
	waited  prometheus.Counter
	waits   prometheus.Counter
	depth   prometheus.GaugeFunc
}

// BackpressureConfig tunes the API's backpressure.
type BackpressureConfig struct {
	// Limit is the backlog of first-attempt tasks (one per event) past which
	// the API slows down (default 512).
	Limit int
	// MaxWait is the longest an API call waits for the queue (default 1s).
	MaxWait time.Duration
	// Every is how often the backlog is read from Redis (default 100ms).
	Every time.Duration
}

// EnableBackpressure makes Dispatch slow its caller (the API call that
// committed) while the first-attempt backlog is past cfg.Limit, until ctx
// ends. Its metrics go to reg: countersign_api_backpressure_seconds_total,
// countersign_api_backpressure_waits_total and countersign_queue_first_attempt_backlog.
func (e *Enqueuer) EnableBackpressure(ctx context.Context, r *Redis, cfg BackpressureConfig, reg prometheus.Registerer) {
	if cfg.Limit <= 0 {
		cfg.Limit = 512
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = time.Second
	}
	if cfg.Every <= 0 {
		cfg.Every = 100 * time.Millisecond
	}
	bp := &backpressure{limit: int64(cfg.Limit), maxWait: cfg.MaxWait,
		waited: prometheus.NewCounter(prometheus.CounterOpts{Name: "countersign_api_backpressure_seconds_total",
			Help: "Time API calls waited for the delivery queue to catch up (backpressure)."}),
		waits: prometheus.NewCounter(prometheus.CounterOpts{Name: "countersign_api_backpressure_waits_total",
			Help: "API calls slowed down because first attempts were queued faster than delivered."}),
	}
	bp.depth = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "countersign_queue_first_attempt_backlog",
		Help: "First-attempt tasks waiting in Redis and in the enqueuer, as backpressure sees them."},
		func() float64 { return float64(bp.backlog.Load()) })
	if reg != nil {
		reg.MustRegister(bp.waited, bp.waits, bp.depth)
	}
	e.bp.Store(bp)
	go func() {
		t := time.NewTicker(cfg.Every)
		defer t.Stop()
		key := pendingKey(Deliveries)
		for {
			select {
			case <-ctx.Done():
				e.bp.Store(nil)
				return
			case <-t.C:
			}
			n, err := r.Client.LLen(ctx, key).Result()
			if err != nil {
				n = 0 // Redis down: the API never waits for it
			}
			bp.backlog.Store(n + int64(len(e.batches)))
		}
	}()
}

// wait holds the caller for as long as the backlog asks.
func (bp *backpressure) wait(closed <-chan struct{}) {
	over := bp.backlog.Load() - bp.limit
	if over <= 0 {
		return
	}
	d := min(bp.maxWait, time.Duration(float64(bp.maxWait)*float64(over)/float64(bp.limit)))
	if d <= 0 {
		return
	}
	bp.waits.Inc()
	bp.waited.Add(d.Seconds())
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-closed:
	case <-t.C:
	}
}
