package e2e

import (
	"context"
	"math"
	"net"
	"testing"
	"time"

	"github.com/countersign/countersign/storage/storagetest"
)

// TestGracefulShutdownUnderLoad sends SIGTERM to a worker, then to the API
// process, each in the middle of a load, and starts them again. Each exits
// with status 0 within its grace period, the worker leaves no task active in
// the queue (each in-flight attempt finished or went back), nothing is lost and
// no attempt is recorded twice.
func TestGracefulShutdownUnderLoad(t *testing.T) {
	c := newCluster(t, clusterConfig{env: []string{"COUNTERSIGN_SHUTDOWN_TIMEOUT=5s"}})
	api := c.serve("--no-worker")
	w := c.worker()
	// Attempts take 300 ms: SIGTERM always finds some in flight.
	eps := standardEndpoints(t, c, behaviour{delay: 300 * time.Millisecond})
	baseline := c.lastSeq()

	l := newLoad(c.api)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loaded := make(chan struct{})
	go func() { defer close(loaded); l.run(ctx, math.MaxInt32, 4, 20*time.Millisecond) }()

	l.waitDone(ctx, 20)
	waitAcked(ctx, eps[0].rcv, 10)
	stopGracefully(t, c, w)
	c.worker()

	l.waitDone(ctx, l.done.Load()+20)
	// A client connection that never sends a request must not hold the stop up.
	idle, err := net.Dial("tcp", c.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	stopGracefully(t, c, api)
	c.serve("--no-worker")
	l.waitDone(ctx, l.done.Load()+20)
	cancel()
	<-loaded
	_, why := l.failures()
	t.Logf("calls that failed around the API's restart: %s", why)
	if n := l.serverErrors(); n > 0 {
		t.Errorf("%d answers were 5xx (other than 503)", n)
	}
	rep := c.drain(t, eps, baseline, drainWithin)
	t.Logf("SIGTERM worker and API under load: %s", rep)
	noDuplicates(t, rep)
}

// TestShutdownHandsBackSlowAttempts stops a worker whose attempts outlast the
// shutdown grace period: the unfinished attempts are not recorded, their tasks
// go back to the queue (none is left active) and the next worker makes them.
func TestShutdownHandsBackSlowAttempts(t *testing.T) {
	c := newCluster(t, clusterConfig{env: []string{"COUNTERSIGN_SHUTDOWN_TIMEOUT=1s"}})
	c.serve("--no-worker")
	w := c.worker()
	slow := newReceiver(t, "slow", behaviour{delay: 3 * time.Second})
	eps := []*endpoint{c.addEndpoint(slow, 10, "transaction.lifecycle.completed")}
	baseline := c.lastSeq()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := newLoad(c.api)
	l.run(ctx, 8, 4, 0)
	for {
		slow.mu.Lock()
		inFlight := slow.total
		slow.mu.Unlock()
		if inFlight >= 8 || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopGracefully(t, c, w)
	if n := slow.ackedCount(); n != 0 {
		t.Errorf("%d slow attempts were acknowledged before the worker stopped", n)
	}
	var recorded int
	if err := storagetest.Get(ctx, c.db, &recorded, "SELECT COUNT(*) FROM delivery_attempts WHERE workspace_id = ?", c.workspace); err != nil {
		t.Fatal(err)
	}
	if recorded != 0 {
		t.Errorf("%d interrupted attempts were recorded", recorded)
	}
	c.worker()
	rep := c.drain(t, eps, baseline, drainWithin)
	t.Logf("SIGTERM with attempts longer than the grace period: %s", rep)
	noDuplicates(t, rep)
}

// stopGracefully sends SIGTERM to p and checks that it exits with status 0
// and, when it ran a worker, left no task active in the queue.
func stopGracefully(t *testing.T, c *cluster, p *proc) {
	t.Helper()
	start := time.Now()
	if err := p.Term(30 * time.Second); err != nil {
		t.Errorf("%s after SIGTERM: %v", p.Name(), err)
	}
	t.Logf("%s stopped %s after SIGTERM", p.Name(), time.Since(start).Round(time.Millisecond))
	if p.Name() != "worker" {
		return
	}
	active, err := c.queueTasks("active")
	if err != nil {
		t.Fatal(err)
	}
	if active != 0 {
		t.Errorf("%d tasks are still active in the queue after the only worker stopped", active)
	}
}
