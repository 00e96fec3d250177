package queuetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestClusterURLLeasesTheCluster: while a test holds the cluster its lease
// key is set; when it ends the product's keys it left are gone and other
// tests' keys are still there.
func TestClusterURLLeasesTheCluster(t *testing.T) {
	ctx := context.Background()
	other := "test-queuetest-" + time.Now().Format("150405.000000") + ":keep"
	var c *redis.ClusterClient
	t.Run("holder", func(t *testing.T) {
		url := ClusterURL(t)
		if !strings.HasPrefix(url, "redis-cluster://") {
			t.Fatalf("ClusterURL = %q", url)
		}
		c = redis.NewClusterClient(&redis.ClusterOptions{Addrs: ClusterAddrs()})
		if n, err := c.Exists(ctx, clusterLeaseKey).Result(); err != nil || n != 1 {
			t.Fatalf("the lease key while held: exists %d, %v", n, err)
		}
		for _, k := range []string{"asynq:{queuetest}:probe", "countersign:{queuetest}:probe", other} {
			if err := c.Set(ctx, k, "1", time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if c == nil {
		return // skipped: no cluster
	}
	defer c.Close()
	defer c.Del(ctx, other)
	for k, want := range map[string]int64{"asynq:{queuetest}:probe": 0, "countersign:{queuetest}:probe": 0, other: 1} {
		if n, err := c.Exists(ctx, k).Result(); err != nil || n != want {
			t.Errorf("after the holder ended, %s exists %d (%v), want %d", k, n, err, want)
		}
	}
}
