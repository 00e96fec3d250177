package e2e

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRedisFlushedMidLoad runs FLUSHALL on the queue's Redis twice in the
// middle of a load: the queued tasks are gone, the reconciler queues the due
// deliveries again from the database.
func TestRedisFlushedMidLoad(t *testing.T) {
	t.Parallel()
	rd := startPrivateRedis(t)
	c := newCluster(t, clusterConfig{redisURL: rd.url()})
	c.serve()
	eps := standardEndpoints(t, c, behaviour{delay: 20 * time.Millisecond})
	baseline := c.lastSeq()

	const processes = 60
	l := newLoad(c.api)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	loaded := make(chan struct{})
	go func() { defer close(loaded); l.run(ctx, processes, 4, 0) }()
	for _, at := range []int64{processes / 3, 2 * processes / 3} {
		l.waitDone(ctx, at)
		if err := rd.flushAll(); err != nil {
			t.Fatalf("FLUSHALL: %v", err)
		}
		t.Logf("FLUSHALL after %d processes", l.done.Load())
	}
	<-loaded
	if n, why := l.failures(); n > 0 || l.transport.Load() > 0 {
		t.Errorf("the API failed %d calls around FLUSHALL: %s", n, why)
	}
	rep := c.drain(t, eps, baseline, drainWithin)
	t.Logf("FLUSHALL ×2: %s", rep)
}

// redisOutage is how long TestRedisDownAndBackEmpty keeps Redis away.
const redisOutage = 8 * time.Second

// TestRedisDownAndBackEmpty stops the queue's Redis in the middle of a load,
// keeps it away for a while and starts an empty one on the same port. The API
// keeps answering 2xx and committing events while Redis is away, and every
// event is delivered once it is back.
func TestRedisDownAndBackEmpty(t *testing.T) {
	t.Parallel()
	rd := startPrivateRedis(t)
	c := newCluster(t, clusterConfig{redisURL: rd.url()})
	c.serve("--no-worker")
	c.worker()
	eps := standardEndpoints(t, c, behaviour{delay: 10 * time.Millisecond})
	baseline := c.lastSeq()

	l := newLoad(c.api)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loaded := make(chan struct{})
	go func() { defer close(loaded); l.run(ctx, math.MaxInt32, 4, 50*time.Millisecond) }()
	l.waitDone(ctx, 20)
	waitAcked(ctx, eps[0].rcv, 20)

	rd.stop()
	down := time.Now()
	before := l.done.Load()
	seqBefore := c.lastSeq()
	time.Sleep(redisOutage / 2)
	status, body, err := c.api.Call(ctx, "GET", "/readyz", nil)
	if err != nil || status != http.StatusServiceUnavailable || !strings.Contains(string(body), "redis") {
		t.Errorf("/readyz with Redis down: %d %s %v, want 503 naming redis", status, body, err)
	}
	time.Sleep(redisOutage - time.Since(down))
	during, committed := l.done.Load()-before, c.lastSeq()-seqBefore
	rd.start()
	t.Logf("Redis away for %s: %d processes done, %d events committed meanwhile", time.Since(down).Round(time.Millisecond), during, committed)
	if during == 0 || committed == 0 {
		t.Errorf("the API committed nothing while Redis was away")
	}
	l.waitDone(ctx, l.done.Load()+20) // and goes on after
	cancel()
	<-loaded
	if n, why := l.failures(); n > 0 || l.transport.Load() > 0 {
		t.Errorf("the API failed %d calls while Redis was away: %s", n, why)
	}
	rep := c.drain(t, eps, baseline, drainWithin)
	t.Logf("Redis down %s and back empty: %s", redisOutage, rep)
}
