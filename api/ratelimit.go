package api

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
)

// rateLimiter is a token bucket per API key: a key may make rate requests a
// second on average and burst at once. A bucket idle long enough to have
// refilled is the same as a new one, so such buckets are dropped: memory
// follows the keys in use, not every key ever seen.
type rateLimiter struct {
	rate, burst float64
	// refill is how long an empty bucket takes to fill up again.
	refill time.Duration
	now    func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
	// shared, when set, counts across processes instead of buckets.
	shared *sharedLimit
}

// bucket is one key's tokens as of at.
type bucket struct {
	tokens float64
	at     time.Time
}

// newRateLimiter returns a limiter of rate requests a second per key with
// bursts of burst (twice the rate, at least 1, when burst is 0); nil when
// rate is 0 or less, which means no limit.
func newRateLimiter(rate float64, burst int, now func() time.Time) *rateLimiter {
	if rate <= 0 {
		return nil
	}
	b := float64(burst)
	if burst <= 0 {
		b = math.Max(1, math.Ceil(2*rate))
	}
	return &rateLimiter{rate: rate, burst: b, refill: time.Duration(b / rate * float64(time.Second)), now: now,
		buckets: map[string]*bucket{}}
}

// take spends one of key's tokens. When none is left it returns false and
// how long until one is.
func (l *rateLimiter) take(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	} else if elapsed := now.Sub(b.at); elapsed > 0 { // a clock stepping back adds nothing
		b.tokens, b.at = math.Min(l.burst, b.tokens+elapsed.Seconds()*l.rate), now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// sweep drops, at most once per refill period, the buckets that have been
// idle for one: they are full again.
func (l *rateLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.refill {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if now.Sub(b.at) >= l.refill {
			delete(l.buckets, k)
		}
	}
}

// size is the number of buckets held.
func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// limitRate answers 429 with Retry-After (whole seconds, at least 1) once the
// caller's key has used up its requests. It runs after authentication, so
// it counts per key; without a limit it only passes the request on.
func (s *Server) limitRate(c *fiber.Ctx) error {
	if s.limiter == nil {
		return c.Next()
	}
	ok, wait := s.limiter.takeShared(c.UserContext(), actor(c).APIKeyID)
	if ok {
		return c.Next()
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return countersign.Errorf(countersign.ERATELIMIT,
		"this API key made too many requests (at most %g a second, in bursts of %g); retry in %d s", s.limiter.rate, s.limiter.burst, secs)
}
