// Package queuetest gives tests their own database of the real Redis at Addr
// ($COUNTERSIGN_TEST_REDIS_ADDR, 127.0.0.1:6379 when unset). asynq has no key
// prefix, so isolation is by database number: each test package uses its own
// numbers (see the table in docs/delivery.md), flushed before and after each
// test.
package queuetest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Addr is the test Redis server; override with COUNTERSIGN_TEST_REDIS_ADDR.
func Addr() string {
	if a := os.Getenv("COUNTERSIGN_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// URL returns the URL of Redis database db, empty and flushed, and flushes it
// again when tb ends. Without a reachable server the test is skipped, except
// in CI (CI=true), where it fails.
func URL(tb testing.TB, db int) string {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: Addr(), DB: db})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		if os.Getenv("CI") != "" {
			tb.Fatalf("redis at %s is not reachable: %v", Addr(), err)
		}
		tb.Skipf("redis at %s is not reachable: %v", Addr(), err)
	}
	if err := c.FlushDB(ctx).Err(); err != nil {
		tb.Fatalf("flush redis db %d: %v", db, err)
	}
	tb.Cleanup(func() {
		c.FlushDB(context.Background())
		c.Close()
	})
	return fmt.Sprintf("redis://%s/%d", Addr(), db)
}

// Client returns a client of Redis database db, closed when tb ends.
func Client(tb testing.TB, db int) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: Addr(), DB: db})
	tb.Cleanup(func() { c.Close() })
	return c
}

// Inspector returns an asynq inspector of Redis database db, closed when tb ends.
func Inspector(tb testing.TB, db int) *asynq.Inspector {
	tb.Helper()
	i := asynq.NewInspector(asynq.RedisClientOpt{Addr: Addr(), DB: db})
	tb.Cleanup(func() { i.Close() })
	return i
}
