package queuetest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterLeaseKey is the one lease of the whole test Redis Cluster. It lives
// on the cluster itself, so every test process that uses the cluster, from
// whichever worktree or package, waits on the same key.
const clusterLeaseKey = "countersign-test:lease:{cluster}"

// productKeys are the key patterns the product writes: asynq's fixed names
// and Countersign's own (coord). A test that runs the product on the cluster
// starts and ends with none of them; other tests' keys (each under a prefix
// of its own) and the lease are left alone.
var productKeys = []string{"asynq:*", "countersign:*"}

// ClusterAddrs are the test Redis Cluster's seed nodes:
// COUNTERSIGN_TEST_REDIS_CLUSTER (comma-separated), by default
// 127.0.0.1:7001-7003 (scripts/services.sh starts it).
func ClusterAddrs() []string {
	if a := os.Getenv("COUNTERSIGN_TEST_REDIS_CLUSTER"); a != "" {
		return strings.Split(a, ",")
	}
	return []string{"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"}
}

// ClusterURL leases the whole test Redis Cluster for tb and returns its
// redis-cluster:// URL. asynq's keys have fixed names, so two tests that run
// the product on the cluster cannot share it: the lease lets one at a time
// do so (others wait). The product's keys are deleted on every master before
// the URL is handed out and again when tb ends. Without a reachable cluster
// the test is skipped, except in CI (CI=true), where it fails.
func ClusterURL(tb testing.TB) string {
	tb.Helper()
	addrs := ClusterAddrs()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := clusterUp(ctx, c); err != nil {
		c.Close()
		if os.Getenv("CI") != "" {
			tb.Fatalf("redis cluster at %s: %v", strings.Join(addrs, ","), err)
		}
		tb.Skipf("redis cluster at %s: %v (scripts/services.sh starts it)", strings.Join(addrs, ","), err)
	}
	l, err := acquireKey(context.Background(), c, clusterLeaseKey)
	if err != nil {
		c.Close()
		tb.Fatalf("lease the redis cluster: %v", err)
	}
	if err := deleteProductKeys(context.Background(), c); err != nil {
		l.release()
		c.Close()
		tb.Fatalf("empty the redis cluster: %v", err)
	}
	tb.Cleanup(func() {
		if err := deleteProductKeys(context.Background(), c); err != nil {
			tb.Errorf("empty the redis cluster after the test: %v", err)
		}
		l.release()
		c.Close()
	})
	return "redis-cluster://" + strings.Join(addrs, ",")
}

// clusterUp checks that the cluster answers and has every slot served.
func clusterUp(ctx context.Context, c *redis.ClusterClient) error {
	info, err := c.ClusterInfo(ctx).Result()
	if err != nil {
		return err
	}
	if !strings.Contains(info, "cluster_state:ok") {
		return fmt.Errorf("cluster state is not ok")
	}
	return nil
}

// deleteProductKeys deletes the product's keys on every master, one key at a
// time (keys of different slots cannot go in one DEL).
func deleteProductKeys(ctx context.Context, c *redis.ClusterClient) error {
	return c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		for _, pattern := range productKeys {
			iter := node.Scan(ctx, 0, pattern, 1000).Iterator()
			pipe := node.Pipeline()
			for iter.Next(ctx) {
				pipe.Unlink(ctx, iter.Val())
			}
			if err := iter.Err(); err != nil {
				return fmt.Errorf("scan %s on %s: %w", pattern, node.Options().Addr, err)
			}
			if pipe.Len() > 0 {
				if _, err := pipe.Exec(ctx); err != nil {
					return fmt.Errorf("delete %s on %s: %w", pattern, node.Options().Addr, err)
				}
			}
		}
		return nil
	})
}

// acquireKey takes the lease key on client, waiting while another holds it.
func acquireKey(ctx context.Context, client redis.UniversalClient, key string) (*lease, error) {
	token := newLeaseToken()
	deadline := time.Now().Add(leaseWaitTimeout)
	for {
		ok, err := client.SetNX(ctx, key, token, leaseTTL).Result()
		if err != nil {
			return nil, fmt.Errorf("set %s: %w", key, err)
		}
		if ok {
			l := &lease{db: -1, key: key, token: token, locks: client, stop: make(chan struct{})}
			l.done.Add(1)
			go l.renew()
			return l, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s stayed leased for %s", key, leaseWaitTimeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
