// Package redistest connects tests to the real test Redis (127.0.0.1:6379, or
// COUNTERSIGN_TEST_REDIS_ADDR) for tests that keep apart by key prefix; tests
// that need a database of their own lease one from queue/queuetest.
package redistest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Addr is the test Redis server; override with COUNTERSIGN_TEST_REDIS_ADDR.
func Addr() string {
	if a := os.Getenv("COUNTERSIGN_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// Client is a client of its own to the test Redis, as another process would
// have, closed when tb ends. Without a reachable server tb is skipped,
// except in CI (CI=true), where it fails.
func Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: Addr()})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		if os.Getenv("CI") == "true" {
			tb.Fatalf("redis at %s: %v", Addr(), err)
		}
		tb.Skipf("redis at %s is not reachable: %v", Addr(), err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}
