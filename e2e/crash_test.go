package e2e

import (
	"context"
	"math"
	"testing"
	"time"
)

// drainWithin bounds every drain of the CI tests. An attempt that was in
// flight in a process killed with -9 stays active in asynq until its lease
// (30 s) has expired and a worker's recoverer (every minute) hands it back:
// about a minute, which this bound leaves room for.
const drainWithin = 3 * time.Minute

// standardEndpoints registers M = 3 endpoints, each with its own receiver:
// everything, the transaction.* prefix and one exact type.
func standardEndpoints(t testing.TB, c *cluster, b behaviour) []*endpoint {
	t.Helper()
	return []*endpoint{
		c.addEndpoint(newReceiver(t, "all", b), 5, "*"),
		c.addEndpoint(newReceiver(t, "transactions", b), 5, "transaction.*"),
		c.addEndpoint(newReceiver(t, "closed", b), 5, "action.closed"),
	}
}

// TestWorkerKilledMidLoad kills a separate worker process with SIGKILL in the
// middle of a load (the API runs in `serve --no-worker`), starts a new one,
// and checks that every event reaches every matching endpoint.
func TestWorkerKilledMidLoad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCluster(t, clusterConfig{postgres: tc.postgres})
			c.serve("--no-worker")
			w := c.worker()
			eps := standardEndpoints(t, c, behaviour{delay: 20 * time.Millisecond})
			baseline := c.lastSeq()

			l := newLoad(c.api)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			loaded := make(chan struct{})
			go func() { defer close(loaded); l.run(ctx, math.MaxInt32, 6, 10*time.Millisecond) }()

			l.waitDone(ctx, 25)
			waitAcked(ctx, eps[0].rcv, 20) // attempts are in flight
			w.Kill()
			t.Logf("worker killed after %d processes, %d deliveries acknowledged by %s",
				l.done.Load(), eps[0].rcv.ackedCount(), eps[0].rcv.name)
			l.waitDone(ctx, l.done.Load()+25) // events pile up with no worker
			c.worker()
			l.waitDone(ctx, l.done.Load()+25)
			cancel()
			<-loaded
			if n, why := l.failures(); n > 0 || l.transport.Load() > 0 {
				t.Errorf("the API failed %d calls while only the worker was killed: %s", n, why)
			}
			rep := c.drain(t, eps, baseline, drainWithin)
			t.Logf("kill -9 worker: %s", rep)
		})
	}
}

// TestServerKilledMidLoad kills `serve` (API and worker in one process) with
// SIGKILL in the middle of a load and starts it again. Calls in flight when it
// died fail at the client; only what the database committed must arrive.
func TestServerKilledMidLoad(t *testing.T) {
	t.Parallel()
	c := newCluster(t, clusterConfig{})
	s := c.serve()
	eps := standardEndpoints(t, c, behaviour{delay: 20 * time.Millisecond})
	baseline := c.lastSeq()

	l := newLoad(c.api)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	loaded := make(chan struct{})
	go func() { defer close(loaded); l.run(ctx, math.MaxInt32, 6, 10*time.Millisecond) }()

	l.waitDone(ctx, 25)
	waitAcked(ctx, eps[0].rcv, 20)
	s.Kill()
	t.Logf("serve killed after %d processes", l.done.Load())
	time.Sleep(500 * time.Millisecond) // the load meets a dead server
	c.serve()
	l.waitDone(ctx, l.done.Load()+25)
	cancel()
	<-loaded
	_, why := l.failures()
	t.Logf("calls that failed around the kill: %s", why)
	if n := l.serverErrors(); n > 0 {
		t.Errorf("%d answers were 5xx (other than 503)", n)
	}
	rep := c.drain(t, eps, baseline, drainWithin)
	t.Logf("kill -9 serve: %s", rep)
}

// waitAcked waits until r has acknowledged n requests or ctx ends.
func waitAcked(ctx context.Context, r *receiver, n int) {
	for r.ackedCount() < n && ctx.Err() == nil {
		sleepCtx(ctx, 10*time.Millisecond)
	}
}
