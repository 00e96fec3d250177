package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// KeyLimiter counts an API key's requests across every API process sharing
// it (in Redis), so a key limited to 50 requests a second gets 50 in total
// however many `serve` processes answer it.
type KeyLimiter interface {
	// Take spends one of key's requests (rate a second, burst at once). When
	// none is left it returns false and how long until one is.
	Take(ctx context.Context, key string, rate float64, burst int) (ok bool, wait time.Duration, err error)
}

// sharedLimit is the cluster-wide side of a rateLimiter.
type sharedLimit struct {
	limiter KeyLimiter
	log     *slog.Logger
	// failures counts requests let through because the shared count could
	// not be read: the API stays up when Redis is down, without the limit.
	failures prometheus.Counter
}

// share makes l count in shared rather than in this process (nil l or
// shared: no change).
func (l *rateLimiter) share(shared KeyLimiter, reg *prometheus.Registry, log *slog.Logger) {
	if l == nil || shared == nil {
		return
	}
	failures := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "countersign_api_rate_limit_unavailable_total",
		Help: "API requests let through unlimited because the shared rate limit (Redis) did not answer.",
	})
	reg.MustRegister(failures)
	l.shared = &sharedLimit{limiter: shared, log: log, failures: failures}
}

// takeShared spends one of key's requests, in the shared count when there is
// one. A shared count that does not answer lets the request through.
func (l *rateLimiter) takeShared(ctx context.Context, key string) (bool, time.Duration) {
	if l.shared == nil {
		return l.take(key)
	}
	ok, wait, err := l.shared.limiter.Take(ctx, key, l.rate, int(l.burst))
	if err != nil {
		l.shared.failures.Inc()
		l.shared.log.Warn("API rate limit unavailable; request let through", "err", err)
		return true, 0
	}
	return ok, wait
}
