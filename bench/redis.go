package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/countersign/countersign/queue"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// redisConnOpt reads a Redis URL in any form the service takes (standalone,
// Sentinel or Cluster).
func redisConnOpt(url string) (asynq.RedisConnOpt, error) {
	u, err := queue.ParseRedisURL(url)
	if err != nil {
		return nil, err
	}
	return u.ConnOpt(), nil
}

// redisClient opens a plain client on a Redis URL.
func redisClient(url string) (redis.UniversalClient, error) {
	opt, err := redisConnOpt(url)
	if err != nil {
		return nil, fmt.Errorf("bench: redis url: %w", err)
	}
	c, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, fmt.Errorf("bench: redis url: unsupported connection type")
	}
	return c, nil
}

// flushRedis empties the Redis database of url (FLUSHDB: that database
// only); on a Cluster, every master's (a Cluster has database 0 alone).
func flushRedis(ctx context.Context, url string) error {
	c, err := redisClient(url)
	if err != nil {
		return err
	}
	defer c.Close()
	flush := func(ctx context.Context, node *redis.Client) error { return node.FlushDB(ctx).Err() }
	switch c := c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, flush)
	case *redis.Client:
		err = flush(ctx, c)
	default:
		err = c.FlushDB(ctx).Err()
	}
	if err != nil {
		return fmt.Errorf("bench: flush redis (the bench needs a real Redis): %w", err)
	}
	return nil
}

// redisSampler samples INFO memory: used_memory's peak over the run (the
// server-wide figure, so other databases on the same server count too) and
// its value at mark, the baseline.
type redisSampler struct {
	c        redis.UniversalClient
	mu       sync.Mutex
	peak     int64
	baseline int64
	now      int64
}

func newRedisSampler(url string) (*redisSampler, error) {
	c, err := redisClient(url)
	if err != nil {
		return nil, err
	}
	return &redisSampler{c: c}, nil
}

// usedMemory reads used_memory, in bytes: on a Cluster, the sum over its
// masters.
func (r *redisSampler) usedMemory(ctx context.Context) (int64, error) {
	cc, ok := r.c.(*redis.ClusterClient)
	if !ok {
		return nodeUsedMemory(ctx, r.c)
	}
	var mu sync.Mutex
	var sum int64
	err := cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		n, err := nodeUsedMemory(ctx, node)
		mu.Lock()
		sum += n
		mu.Unlock()
		return err
	})
	return sum, err
}

// nodeUsedMemory reads one server's used_memory, in bytes.
func nodeUsedMemory(ctx context.Context, c redis.Cmdable) (int64, error) {
	info, err := c.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("INFO memory without used_memory")
}

func (r *redisSampler) sample(ctx context.Context) {
	n, err := r.usedMemory(ctx)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.now, r.peak = n, max(r.peak, n)
	r.mu.Unlock()
}

// mark takes the baseline and restarts the peak.
func (r *redisSampler) mark() {
	if r == nil {
		return
	}
	n, _ := r.usedMemory(context.Background())
	r.mu.Lock()
	r.baseline, r.peak, r.now = n, n, n
	r.mu.Unlock()
}

// run samples every interval until ctx ends.
func (r *redisSampler) run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			r.sample(ctx)
		}
	}
}

// figures returns the peak, the baseline and the last reading, sampling once more.
func (r *redisSampler) figures() (peak, baseline, now int64) {
	r.sample(context.Background())
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peak, r.baseline, r.now
}

func (r *redisSampler) close() { r.c.Close() }
