package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/countersign/countersign"
)

// Store is what delivery needs of the database.
type Store interface {
	// Endpoint returns an endpoint (a not-found error once it is deleted).
	Endpoint(ctx context.Context, workspaceID, id string) (Endpoint, error)
	// EventBody returns the stored envelope of an event, nil once retention expunged it.
	EventBody(ctx context.Context, workspaceID, eventID string) ([]byte, error)
	// RecordAttempt writes an attempt and the delivery's new state together.
	RecordAttempt(ctx context.Context, rec AttemptRecord) (RecordOutcome, error)
	// AttemptDue reports whether attempt t.Attempt of t's delivery is still
	// to be made: the delivery is pending after t.Attempt-1 attempts.
	AttemptDue(ctx context.Context, t Task) (bool, error)
	// OrderedTurn reports whether ordered task t may be attempted now: no
	// earlier delivery of its endpoint and process (t.OrderKey) is pending.
	// When one is, t's delivery is held, to be queued when that one finishes.
	OrderedTurn(ctx context.Context, t Task) (bool, error)
}

// Enqueuer hands tasks to the queue.
type Enqueuer interface {
	// EnqueueIn queues t to run after delay.
	EnqueueIn(ctx context.Context, t Task, delay time.Duration) error
}

// slotWait is how long an attempt waits for a free concurrency slot of its
// endpoint before it goes back to the queue.
const slotWait = 100 * time.Millisecond

// Throttled is returned by Deliver when the endpoint's rate limit or
// concurrency cap says "not now": the task should run again after Delay
// without it counting as an attempt.
type Throttled struct{ Delay time.Duration }

// Error implements error.
func (t *Throttled) Error() string { return fmt.Sprintf("endpoint throttled; retry in %s", t.Delay) }

// DelivererConfig assembles a Deliverer.
type DelivererConfig struct {
	Store    Store
	Queue    Enqueuer
	Sender   *Sender
	Schedule Schedule
	// DisableAfter is how long an endpoint may fail continuously before it is
	// disabled (DefaultDisableAfter when zero).
	DisableAfter time.Duration
	// MaxInFlightPerEndpoint caps concurrent attempts to one endpoint so one
	// slow receiver cannot hold every worker (default 16).
	MaxInFlightPerEndpoint int
	Metrics                *Metrics
	Logger                 *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Limiter holds the rate limit and the in-flight cap across all worker
	// processes; nil counts them in this process only.
	Limiter Limiter
}

// Deliverer makes delivery attempts: sign, POST, classify, record, schedule
// the next attempt.
type Deliverer struct {
	cfg       DelivererConfig
	endpoints *endpointCache
	bodies    *bodyCache
	rnd       func() float64
}

// NewDeliverer returns a Deliverer for cfg.
func NewDeliverer(cfg DelivererConfig) *Deliverer {
	if cfg.Schedule == nil {
		cfg.Schedule = DefaultSchedule
	}
	if cfg.DisableAfter <= 0 {
		cfg.DisableAfter = DefaultDisableAfter
	}
	if cfg.MaxInFlightPerEndpoint <= 0 {
		cfg.MaxInFlightPerEndpoint = 16
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	return &Deliverer{
		cfg:       cfg,
		endpoints: newEndpointCache(cfg.Store, 2*time.Second, cfg.MaxInFlightPerEndpoint, cfg.Now),
		bodies:    newBodyCache(cfg.Store, 4096),
		rnd:       rand.Float64,
	}
}

// Deliver makes attempt t.Attempt of a delivery. It returns nil once the
// outcome is recorded; an error means nothing was recorded and the task
// should run again (a *Throttled says when).
func (d *Deliverer) Deliver(ctx context.Context, t Task) error {
	if early := t.NotBefore.Sub(d.cfg.Now()); early > 0 {
		return &Throttled{Delay: early}
	}
	// A task can arrive for an attempt that is recorded already: the
	// reconciler re-queued it as it finished, or the queue ran it again. It
	// would only send a duplicate, which the record would then ignore.
	if t.MayHaveRun {
		if due, err := d.cfg.Store.AttemptDue(ctx, t); err != nil {
			return fmt.Errorf("check delivery %s: %w", t.DeliveryID, err)
		} else if !due {
			d.cfg.Metrics.deliveries.WithLabelValues("duplicate_skipped").Inc()
			return nil
		}
	}
	if ok, err := d.inTurn(ctx, t); err != nil || !ok {
		return err
	}
	ce, err := d.endpoints.get(ctx, t.WorkspaceID, t.EndpointID)
	if countersign.ErrorCode(err) == countersign.ENOTFOUND {
		return d.skip(ctx, t, "endpoint deleted")
	}
	if err != nil {
		return fmt.Errorf("load endpoint %s: %w", t.EndpointID, err)
	}
	if !ce.ep.Enabled {
		return d.skip(ctx, t, "endpoint disabled")
	}
	release, err := d.admit(ctx, t.EndpointID, ce)
	if err != nil {
		return err
	}
	defer release()
	body, err := d.bodies.get(ctx, t.WorkspaceID, t.EventID)
	if err != nil {
		return fmt.Errorf("load event %s: %w", t.EventID, err)
	}
	if body == nil {
		return d.skip(ctx, t, "event body expunged by retention")
	}
	now := d.cfg.Now()
	res := d.cfg.Sender.Send(ctx, Request{
		URL: ce.ep.URL, MsgID: t.EventID, Timestamp: now, Body: body,
		Signature: string(ce.signer.AppendHeader(make([]byte, 0, 192), t.EventID, now, body)), Headers: ce.ep.Headers, Timeout: ce.ep.Timeout(),
	})
	if ctx.Err() != nil { // stopping: the attempt does not count; the task goes back
		return fmt.Errorf("attempt interrupted: %w", ctx.Err())
	}
	rec := d.outcome(t, now, res)
	out, err := d.cfg.Store.RecordAttempt(ctx, rec)
	if err != nil {
		return fmt.Errorf("record attempt: %w", err)
	}
	d.cfg.Metrics.observe(rec, res)
	d.queueNext(ctx, out)
	if out.EndpointDisabled {
		d.endpoints.invalidate(t.EndpointID)
	}
	if out.Applied && rec.Status == StatusPending {
		next := t
		next.Attempt++
		next.Replay = false
		next.NotBefore = *rec.NextAttemptAt
		if err := d.cfg.Queue.EnqueueIn(ctx, next, rec.NextAttemptAt.Sub(d.cfg.Now())); err != nil {
			// The delivery is due in the database; the reconciler will queue it.
			d.cfg.Logger.Warn("could not queue retry; the reconciler will", "delivery_id", t.DeliveryID, "err", err)
		}
	}
	return nil
}

// outcome decides the delivery's new state from an attempt's result.
func (d *Deliverer) outcome(t Task, started time.Time, res Result) AttemptRecord {
	rec := AttemptRecord{Task: t, Attempt: Attempt{
		ID: countersign.NewID(countersign.PrefixAttempt, started), DeliveryID: t.DeliveryID, EndpointID: t.EndpointID,
		Number: t.Attempt, StartedAt: started, Latency: res.Latency, ErrorClass: res.ErrorClass, Error: res.Error,
		ResponseHeaders: res.ResponseHeaders, ResponseBody: string(res.ResponseBody), Truncated: res.Truncated,
	}}
	if res.StatusCode != 0 {
		code := res.StatusCode
		rec.Attempt.StatusCode = &code
	}
	switch {
	case res.OK():
		rec.Status = StatusDelivered
		return rec
	case res.Gone():
		rec.Status, rec.Failed = StatusFailed, true
		rec.DisableEndpoint = "the endpoint answered 410 Gone"
		return rec
	}
	rec.Failed = true
	rec.FailingCutoff = started.Add(-d.cfg.DisableAfter)
	if delay, ok := d.cfg.Schedule.Next(t.Attempt+1, res.StatusCode, res.RetryAfter, started, d.rnd); ok {
		next := started.Add(res.Latency + delay)
		rec.Status, rec.NextAttemptAt = StatusPending, &next
	} else {
		rec.Status = StatusFailed
	}
	return rec
}

// skip fails a delivery without making a request.
func (d *Deliverer) skip(ctx context.Context, t Task, why string) error {
	now := d.cfg.Now()
	rec := AttemptRecord{Task: t, Status: StatusFailed, Skipped: true,
		Attempt: Attempt{DeliveryID: t.DeliveryID, EndpointID: t.EndpointID, Number: t.Attempt, StartedAt: now, Error: why}}
	out, err := d.cfg.Store.RecordAttempt(ctx, rec)
	if err != nil {
		return fmt.Errorf("record skipped delivery: %w", err)
	}
	d.cfg.Metrics.deliveries.WithLabelValues("skipped").Inc()
	d.queueNext(ctx, out)
	return nil
}

// IsThrottled reports whether err asks for a later run without counting an attempt.
func IsThrottled(err error) (time.Duration, bool) {
	var t *Throttled
	if errors.As(err, &t) {
		return t.Delay, true
	}
	return 0, false
}
