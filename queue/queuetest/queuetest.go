// Package queuetest gives each test a database of its own on the real test
// Redis (127.0.0.1:6379, or COUNTERSIGN_TEST_REDIS_ADDR). asynq has no key
// prefix, so isolation is by database number; the numbers are leased, not
// picked by hand: see lease.go.
package queuetest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/countersign/countersign/internal/redistest"
)

// Addr is the test Redis server; override with COUNTERSIGN_TEST_REDIS_ADDR.
func Addr() string { return redistest.Addr() }

// URL leases a free database of the test Redis for tb, flushes it and
// returns its URL; when tb ends the database is flushed again and released.
// Without a reachable server the test is skipped, except in CI (CI=true),
// where it fails.
func URL(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	locks := redis.NewClient(&redis.Options{Addr: Addr(), DB: lockDB})
	if err := locks.Ping(ctx).Err(); err != nil {
		locks.Close()
		if os.Getenv("CI") != "" {
			tb.Fatalf("redis at %s is not reachable: %v", Addr(), err)
		}
		tb.Skipf("redis at %s is not reachable: %v", Addr(), err)
	}
	l, err := acquire(context.Background(), locks)
	if err != nil {
		locks.Close()
		tb.Fatalf("lease a redis database: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: Addr(), DB: l.db})
	if err := c.FlushDB(ctx).Err(); err != nil {
		l.release()
		c.Close()
		locks.Close()
		tb.Fatalf("flush redis db %d: %v", l.db, err)
	}
	tb.Cleanup(func() {
		c.FlushDB(context.Background())
		c.Close()
		l.release()
		locks.Close()
	})
	return fmt.Sprintf("redis://%s/%d", Addr(), l.db)
}

// Client returns a client of the Redis database at url, closed when tb ends.
func Client(tb testing.TB, url string) *redis.Client {
	tb.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("redis url %q: %v", url, err)
	}
	c := redis.NewClient(opt)
	tb.Cleanup(func() { c.Close() })
	return c
}

// Inspector returns an asynq inspector of the Redis database at url, closed
// when tb ends.
func Inspector(tb testing.TB, url string) *asynq.Inspector {
	tb.Helper()
	opt, err := asynq.ParseRedisURI(url)
	if err != nil {
		tb.Fatalf("redis url %q: %v", url, err)
	}
	i := asynq.NewInspector(opt)
	tb.Cleanup(func() { i.Close() })
	return i
}
