package queue_test

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/webhook"
)

func TestParseRedisURL(t *testing.T) {
	ok := []struct {
		raw  string
		want queue.RedisURL
	}{
		{"redis://127.0.0.1:6379", queue.RedisURL{Topology: queue.Standalone, Addrs: []string{"127.0.0.1:6379"}}},
		{"redis://:s3cret@r.internal:6380/2", queue.RedisURL{Topology: queue.Standalone, Addrs: []string{"r.internal:6380"}, Password: "s3cret", DB: 2}},
		{"rediss://app:pw@r:6380", queue.RedisURL{Topology: queue.Standalone, Addrs: []string{"r:6380"}, Username: "app", Password: "pw", TLS: true}},
		{"redis-sentinel://:pw@s1:26379,s2:26379/1?master=mymaster", queue.RedisURL{Topology: queue.Sentinel,
			Addrs: []string{"s1:26379", "s2:26379"}, Password: "pw", DB: 1, Master: "mymaster"}},
		{"rediss-sentinel://s1:26379?master=m&sentinel_password=x", queue.RedisURL{Topology: queue.Sentinel,
			Addrs: []string{"s1:26379"}, Master: "m", SentinelPassword: "x", TLS: true}},
		{"redis-cluster://h1:7000,h2:7001,h3:7002", queue.RedisURL{Topology: queue.Cluster, Addrs: []string{"h1:7000", "h2:7001", "h3:7002"}}},
		{"rediss-cluster://:pw@h1:7000/0", queue.RedisURL{Topology: queue.Cluster, Addrs: []string{"h1:7000"}, Password: "pw", TLS: true}},
	}
	for _, tc := range ok {
		got, err := queue.ParseRedisURL(tc.raw)
		if err != nil {
			t.Errorf("%s: %v", tc.raw, err)
			continue
		}
		if got.Topology != tc.want.Topology || !slices.Equal(got.Addrs, tc.want.Addrs) || got.Username != tc.want.Username ||
			got.Password != tc.want.Password || got.DB != tc.want.DB || got.Master != tc.want.Master ||
			got.SentinelPassword != tc.want.SentinelPassword || got.TLS != tc.want.TLS {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.raw, got, tc.want)
		}
		if got.ConnOpt() == nil {
			t.Errorf("%s: no connection options", tc.raw)
		}
	}
	bad := []struct{ raw, why string }{
		{"http://h:1", "scheme"},
		{"redis://", "no host"},
		{"redis://h", "HOST:PORT"},
		{"redis://h1:1,h2:2", "several hosts"},
		{"redis://h:1/x", "database"},
		{"redis-cluster://h:1/3", "only database 0"},
		{"redis-sentinel://s:26379/0", "master name"},
		{"redis-sentinel://s:26379?master=m&pool=3", "unknown parameter"},
		{"redis://h:1?master=m", "redis-sentinel:// only"},
		{"redis-cluster://:pw@[::1]:1,[::1]:2", "not a URL"},
	}
	for _, tc := range bad {
		_, err := queue.ParseRedisURL(tc.raw)
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: error %v, want one saying %q", tc.raw, err, tc.why)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: the error shows the password: %v", tc.raw, err)
		}
	}
}

// clusterAddrs is the test Redis Cluster's seed nodes; the test is skipped
// when it does not answer, unless CI is set.
func clusterAddrs(t *testing.T) string {
	t.Helper()
	addrs := os.Getenv("COUNTERSIGN_TEST_REDIS_CLUSTER")
	if addrs == "" {
		addrs = "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003"
	}
	return addrs
}

func TestOpenCluster(t *testing.T) {
	ctx := context.Background()
	r, err := queue.Open(ctx, "redis-cluster://"+clusterAddrs(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Ping(ctx); err != nil {
		if os.Getenv("CI") != "true" {
			t.Skipf("no Redis Cluster (scripts/services.sh starts one): %v", err)
		}
		t.Fatal(err)
	}
	if r.Topology != queue.Cluster {
		t.Fatalf("topology %s, want cluster", r.Topology)
	}
	// A task is queued once: the id check and the write share a slot
	// (asynq's keys carry the queue name as a hash tag).
	enq := queue.NewEnqueuer(r, slog.New(slog.DiscardHandler), 1)
	defer enq.Close()
	task := webhook.Task{DeliveryID: countersign.NewID(countersign.PrefixDelivery, time.Now()), WorkspaceID: "wsp_1",
		EndpointID: "ep_1", EventID: "evt_1", Attempt: 1}
	defer asynq.NewInspectorFromRedisClient(r.Client).DeleteTask(queue.Deliveries, webhook.Batch{EventID: task.EventID}.TaskID())
	for i, want := range []int{1, 0} {
		n, err := enq.Enqueue(ctx, []webhook.Task{task})
		if err != nil || n != want {
			t.Fatalf("enqueue #%d: %d new, %v; want %d", i+1, n, err, want)
		}
	}
}

// TestOpenSentinel runs when COUNTERSIGN_TEST_REDIS_SENTINEL names Sentinels
// (host:port,…) watching a primary called COUNTERSIGN_TEST_REDIS_SENTINEL_MASTER
// (default mymaster); scripts/services.sh does not start any.
func TestOpenSentinel(t *testing.T) {
	addrs := os.Getenv("COUNTERSIGN_TEST_REDIS_SENTINEL")
	if addrs == "" {
		t.Skip("COUNTERSIGN_TEST_REDIS_SENTINEL is not set")
	}
	master := os.Getenv("COUNTERSIGN_TEST_REDIS_SENTINEL_MASTER")
	if master == "" {
		master = "mymaster"
	}
	ctx := context.Background()
	r, err := queue.Open(ctx, "redis-sentinel://"+addrs+"/0?master="+master, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Topology != queue.Sentinel {
		t.Fatalf("topology %s, want sentinel", r.Topology)
	}
	key := "test-" + countersign.NewID("t", time.Now())
	if err := r.Client.Set(ctx, key, "1", time.Minute).Err(); err != nil {
		t.Fatalf("write through the primary Sentinel names: %v", err)
	}
	r.Client.Del(ctx, key)
}
