package webhook

import (
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// endpointCache keeps each endpoint's settings, signer, rate limiter and
// concurrency slots for a short time, so an attempt needs no endpoint read.
// Changes (a new secret, a disable) are seen within ttl. The signer, whose
// keys are parsed once, is kept for as long as the credentials are the same.
type endpointCache struct {
	store    Store
	ttl      time.Duration
	maxSlots int
	// now is the Deliverer's clock: it also decides when a rotation's grace
	// period has ended, so the previous credential stops signing.
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]*cachedEndpoint
}

// cachedEndpoint is an endpoint with what attempts to it share.
type cachedEndpoint struct {
	ep      Endpoint
	signer  HeaderSigner
	secrets []string
	limiter *rate.Limiter
	slots   chan struct{}
	fetched time.Time
}

func newEndpointCache(store Store, ttl time.Duration, maxSlots int, now func() time.Time) *endpointCache {
	return &endpointCache{store: store, ttl: ttl, maxSlots: maxSlots, now: now, entries: map[string]*cachedEndpoint{}}
}

// get returns the cached endpoint, refreshing it when older than the ttl.
func (c *endpointCache) get(ctx context.Context, workspaceID, id string) (*cachedEndpoint, error) {
	now := c.now()
	c.mu.Lock()
	ce := c.entries[id]
	c.mu.Unlock()
	if ce != nil && now.Sub(ce.fetched) < c.ttl {
		return ce, nil
	}
	ep, err := c.store.Endpoint(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	fresh := &cachedEndpoint{ep: ep, fetched: now, secrets: ep.Secrets(now)}
	if ce != nil && slices.Equal(ce.secrets, fresh.secrets) {
		fresh.signer = ce.signer
	} else if fresh.signer, err = NewHeaderSigner(fresh.secrets...); err != nil {
		return nil, err
	}
	if ce != nil {
		fresh.slots = ce.slots // in-flight attempts keep their slots
		if ce.ep.RateLimit == ep.RateLimit {
			fresh.limiter = ce.limiter
		}
	}
	if fresh.slots == nil {
		fresh.slots = make(chan struct{}, c.maxSlots)
	}
	if fresh.limiter == nil && ep.RateLimit > 0 {
		fresh.limiter = rate.NewLimiter(rate.Limit(ep.RateLimit), max(1, ep.RateLimit/10))
	}
	c.mu.Lock()
	c.entries[id] = fresh
	c.mu.Unlock()
	return fresh, nil
}

// invalidate drops an endpoint so the next attempt reads it again.
func (c *endpointCache) invalidate(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// reserve takes a token of the endpoint's rate limit, or says how long to wait.
func (ce *cachedEndpoint) reserve(now time.Time) time.Duration {
	if ce.limiter == nil {
		return 0
	}
	r := ce.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// acquire takes one of the endpoint's concurrency slots, waiting up to wait
// for one to free up: a short wait is far cheaper than sending the task back
// through the queue, and short enough that a slow endpoint cannot hold many
// workers.
func (ce *cachedEndpoint) acquire(ctx context.Context, wait time.Duration) bool {
	select {
	case ce.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case ce.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// release gives a slot back.
func (ce *cachedEndpoint) release() { <-ce.slots }

// bodyCache keeps recently read event bodies: an event fans out to several
// endpoints at about the same time, and each attempt needs the same bytes.
// Two generations approximate LRU without bookkeeping per read.
type bodyCache struct {
	store      Store
	size       int
	mu         sync.Mutex
	cur, older map[string][]byte
}

func newBodyCache(store Store, size int) *bodyCache {
	return &bodyCache{store: store, size: size, cur: map[string][]byte{}, older: map[string][]byte{}}
}

// get returns an event's body; nil when it was expunged (not cached).
func (c *bodyCache) get(ctx context.Context, workspaceID, eventID string) ([]byte, error) {
	c.mu.Lock()
	b, ok := c.cur[eventID]
	if !ok {
		b, ok = c.older[eventID]
	}
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := c.store.EventBody(ctx, workspaceID, eventID)
	if err != nil || b == nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.cur) >= c.size {
		c.older, c.cur = c.cur, make(map[string][]byte, c.size)
	}
	c.cur[eventID] = b
	c.mu.Unlock()
	return b, nil
}
