package coord

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// renewScript extends a lease if the caller still holds it.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// releaseScript ends a lease if the caller still holds it.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Lease lets one process at a time run a duty among all those sharing a
// Redis. The holder renews it every third of its TTL; a holder that is
// killed stops renewing, and another process takes it over once the TTL has
// run out. A holder that cannot renew stops its duty at once, before the
// lease can pass to another, so two never act together (as long as one step
// of the duty takes less than two thirds of the TTL).
type Lease struct {
	client redis.UniversalClient
	key    string
	ttl    time.Duration
	log    *slog.Logger
}

// DefaultLeaseTTL is how long a lease lasts without renewal: the longest a
// duty waits for a new holder after its holder dies.
const DefaultLeaseTTL = 10 * time.Second

// NewLease returns the lease named name on client (key prefix
// "countersign:" when prefix is empty; ttl DefaultLeaseTTL when 0).
func NewLease(client redis.UniversalClient, prefix, name string, ttl time.Duration, log *slog.Logger) *Lease {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	if log == nil {
		log = slog.Default()
	}
	return &Lease{client: client, key: prefix + "lease:{" + name + "}", ttl: ttl, log: log.With("lease", name)}
}

// Run runs duty whenever this process holds the lease, until ctx ends: it
// tries to take the lease every third of the TTL; once taken it starts duty
// and renews; when a renewal fails it cancels duty, waits for it to return,
// and goes back to trying. When ctx ends it stops duty and releases the
// lease, so another process takes over at once.
func (l *Lease) Run(ctx context.Context, duty func(ctx context.Context)) {
	every := l.ttl / 3
	for {
		token := newToken()
		ok, err := l.client.SetNX(ctx, l.key, token, l.ttl).Result()
		if err != nil && ctx.Err() == nil {
			l.log.Warn("cannot take the lease; retrying", "err", err)
		}
		if ok {
			l.hold(ctx, token, every, duty)
		}
		if ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// hold runs duty while the lease with token is renewed.
func (l *Lease) hold(ctx context.Context, token string, every time.Duration, duty func(ctx context.Context)) {
	l.log.Info("lease taken: running the duty here")
	dctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); duty(dctx) }()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-done:
			cancel()
			l.release(token)
			return
		case <-ctx.Done():
			cancel()
			<-done
			l.release(token)
			return
		case <-tick.C:
		}
		if err := l.renew(ctx, token, every); err != nil {
			cancel()
			<-done
			if ctx.Err() == nil {
				l.log.Warn("lease lost: the duty stopped here", "err", err)
			}
			return
		}
	}
}

// renew extends the lease; an error means it may be held elsewhere by now.
func (l *Lease) renew(ctx context.Context, token string, timeout time.Duration) error {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	n, err := renewScript.Run(rctx, l.client, []string{l.key}, token, l.ttl.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("renew lease: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("renew lease: held by another process")
	}
	return nil
}

// release gives the lease up so another process takes over without waiting
// for the TTL.
func (l *Lease) release(token string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := releaseScript.Run(ctx, l.client, []string{l.key}, token).Err(); err != nil {
		l.log.Warn("cannot release the lease; it runs out instead", "err", err)
	}
}
