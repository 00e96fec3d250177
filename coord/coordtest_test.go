package coord_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// topology is a Redis the tests run against.
type topology struct {
	name string
	// open returns a new client, closed when tb ends; it skips tb when that
	// Redis does not answer (fails it when CI=true).
	open func(tb testing.TB) redis.UniversalClient
}

// topologies are the standalone test server (COUNTERSIGN_TEST_REDIS_ADDR)
// and the test Redis Cluster (COUNTERSIGN_TEST_REDIS_CLUSTER, seed nodes).
var topologies = []topology{
	{"standalone", func(tb testing.TB) redis.UniversalClient {
		addr := os.Getenv("COUNTERSIGN_TEST_REDIS_ADDR")
		if addr == "" {
			addr = "127.0.0.1:6379"
		}
		return reachable(tb, redis.NewClient(&redis.Options{Addr: addr}))
	}},
	{"cluster", func(tb testing.TB) redis.UniversalClient {
		addrs := os.Getenv("COUNTERSIGN_TEST_REDIS_CLUSTER")
		if addrs == "" {
			addrs = "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003"
		}
		return reachable(tb, redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")}))
	}},
}

func reachable(tb testing.TB, c redis.UniversalClient) redis.UniversalClient {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		if os.Getenv("CI") == "true" {
			tb.Fatalf("redis not reachable: %v", err)
		}
		tb.Skipf("redis not reachable (scripts/services.sh starts it): %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// prefix returns a key prefix of the test's own and deletes its keys when tb
// ends (a cluster has no database numbers to flush).
func prefix(tb testing.TB, c redis.UniversalClient) string {
	tb.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := "test-" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		del := func(ctx context.Context, node *redis.Client) error {
			keys, err := node.Keys(ctx, p+"*").Result()
			if err != nil || len(keys) == 0 {
				return err
			}
			for _, k := range keys { // one at a time: keys of different slots
				node.Del(ctx, k)
			}
			return nil
		}
		switch c := c.(type) {
		case *redis.ClusterClient:
			_ = c.ForEachMaster(ctx, del)
		case *redis.Client:
			_ = del(ctx, c)
		}
	})
	return p
}
