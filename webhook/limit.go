package webhook

import (
	"context"
	"fmt"
	"time"
)

// Limiter enforces an endpoint's rate limit and concurrency cap across every
// worker process, so three workers send an endpoint limited to 50 requests
// a second no more than 50 a second in total. Without one, each process
// counts on its own.
type Limiter interface {
	// Admit takes one of the endpoint's concurrency slots (at most slots at
	// once) and, when rate > 0, one of its requests (rate a second, burst at
	// once), both or neither. Admitted, it returns the function that gives
	// the slot back. Not admitted, release is nil and wait is how long until
	// the rate allows the next request, or 0 when every slot is taken. Admit
	// may wait a moment for the endpoint's turn rather than refuse.
	Admit(ctx context.Context, endpointID string, rate, burst, slots int) (release func(), wait time.Duration, err error)
}

// admit applies the endpoint's limits to one attempt: it returns the function
// that ends the attempt's hold on the endpoint, or a *Throttled saying when to
// try again, or an error when the shared limits cannot be read (the task then
// waits and runs again: without Redis there is no queue either).
func (d *Deliverer) admit(ctx context.Context, endpointID string, ce *cachedEndpoint) (func(), error) {
	if d.cfg.Limiter == nil {
		if wait := ce.reserve(d.cfg.Now()); wait > 0 {
			d.cfg.Metrics.throttled.Inc()
			return nil, &Throttled{Delay: wait}
		}
		if !ce.acquire(ctx, slotWait) {
			d.cfg.Metrics.throttled.Inc()
			return nil, &Throttled{Delay: d.slotRetry()}
		}
		return ce.release, nil
	}
	// Cluster-wide, the rate allows no burst: at most rate+1 requests are
	// admitted in any one-second window.
	release, wait, err := d.cfg.Limiter.Admit(ctx, endpointID, ce.ep.RateLimit, 1, d.cfg.MaxInFlightPerEndpoint)
	switch {
	case err != nil:
		return nil, fmt.Errorf("endpoint %s limits: %w", endpointID, err)
	case release != nil:
		return release, nil
	}
	d.cfg.Metrics.throttled.Inc()
	if wait > 0 {
		return nil, &Throttled{Delay: wait}
	}
	return nil, &Throttled{Delay: d.slotRetry()}
}

// slotRetry is when an attempt that found every slot taken tries again:
// soon, spread out so the waiting attempts do not all come back at once.
func (d *Deliverer) slotRetry() time.Duration {
	return 20*time.Millisecond + time.Duration(d.rnd()*float64(30*time.Millisecond))
}
