package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/kit"
	"github.com/countersign/countersign/queue/queuetest"
)

// The limits the multi-process run checks across processes.
const (
	// limitedRate is the rate_limit of the limited endpoint (requests a second).
	limitedRate = 50
	// rateTolerance is what docs/deploy.md allows a receiver to see above an
	// endpoint's rate_limit in a window of its own clock, for several
	// processes on a loaded machine: what a stall of 300 ms on the way
	// bunches into one window at 50/s.
	rateTolerance = 15
	// keyRate is COUNTERSIGN_API_RATE_LIMIT; a key's burst is twice it.
	keyRate  = 50
	keyBurst = 2 * keyRate
)

// multiEndpoint is one endpoint of the multi-process run: its subscription,
// its options in the API's names, and what is checked of what its receiver
// got beyond the delivery promise (every endpoint gets that). An endpoint
// option that promises something of the order or timing of deliveries comes
// with a check over the receiver's arrival log.
type multiEndpoint struct {
	name     string
	patterns []string
	options  map[string]any
	check    func(t *testing.T, c *cluster, ep *endpoint)
}

// multiEndpoints are the endpoints of the multi-process run.
func multiEndpoints() []multiEndpoint {
	return []multiEndpoint{
		{name: "all", patterns: []string{"*"}},
		{name: "transactions", patterns: []string{"transaction.*"}},
		{name: "closed", patterns: []string{"action.closed"}},
		{name: "limited", patterns: []string{"*"}, options: map[string]any{"rate_limit": limitedRate}, check: checkRateWindows},
		{name: "ordered", patterns: []string{"transaction.*", "action.*"}, options: map[string]any{"ordering": "process"}, check: checkProcessOrder},
	}
}

// TestMultiProcess runs Countersign as it runs on several machines: one
// PostgreSQL, a 3-master Redis Cluster, 2 `serve --no-worker` and 3 `worker`
// processes. Six clients, three on each API process, create, start and sign
// processes; mid-load a worker and an API process are killed with SIGKILL and
// started again. At the end every (event, endpoint) pair the database
// committed reached its receiver (duplicates are counted and logged), the
// endpoint limited to 50/s never saw more than the documented tolerance above
// that in any one second, the endpoint ordered by process received each
// process's events in commit order and one at a time (a repeat of an event
// already received allowed), the duties of the killed worker moved to another,
// and an API key limited to 50/s was answered 429 beyond its rate summed over
// both API processes.
func TestMultiProcess(t *testing.T) {
	t.Parallel()
	redisURL := queuetest.ClusterURL(t)
	c := newCluster(t, clusterConfig{postgres: true, redisURL: redisURL, env: []string{
		fmt.Sprintf("COUNTERSIGN_API_RATE_LIMIT=%d", keyRate),
		"COUNTERSIGN_WORKER_CONCURRENCY=16",
	}})
	start := time.Now()
	addrB := freeAddr(t)
	c.serve("--no-worker")
	c.serveAt(addrB)
	workers := []*proc{c.worker(), c.worker(), c.worker()}
	bases := []string{"http://" + c.addr, "http://" + addrB}

	specs := multiEndpoints()
	eps := make([]*endpoint, len(specs))
	for i, s := range specs {
		eps[i] = c.addEndpointWith(newReceiver(t, s.name, behaviour{delay: 20 * time.Millisecond}), 5, s.patterns, s.options)
	}
	baseline := c.lastSeq() // the keys' creation events below must be delivered too
	// Each load client has a key of its own, kept under the key limit by a
	// pause between processes; the probe of the key limit has another.
	const clients, perClient = 6, 50
	loads := make([]*load, clients)
	for i := range loads {
		loads[i] = newLoad(kit.NewClient(bases[i%2], c.apiKey(fmt.Sprintf("load-%d", i)), 8, 20*time.Second))
	}
	probeKey := c.apiKey("probe")
	t.Logf("5 processes up and endpoints registered in %s", time.Since(start).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var loaded sync.WaitGroup
	for _, l := range loads {
		loaded.Add(1)
		go func() { defer loaded.Done(); l.run(ctx, perClient, 1, 100*time.Millisecond) }()
	}
	done := func() (n int64) {
		for _, l := range loads {
			n += l.done.Load()
		}
		return n
	}
	waitTotal := func(n int64) {
		for done() < n && ctx.Err() == nil {
			sleepCtx(ctx, 20*time.Millisecond)
		}
	}

	waitTotal(40)
	waitAcked(ctx, eps[0].rcv, 20) // attempts are in flight
	killed := workers[0]
	workerKilledAt := time.Now()
	killed.Kill()
	t.Logf("worker killed after %d processes; a new one started", done())
	workers[0] = c.worker()

	waitTotal(120)
	c.serveB(addrB).Kill()
	t.Logf("serve %s killed after %d processes", addrB, done())
	time.Sleep(500 * time.Millisecond) // its clients meet a dead server
	c.serveAt(addrB)
	loaded.Wait()
	if ctx.Err() != nil {
		t.Errorf("the load did not finish within a minute: %d of %d processes", done(), clients*perClient)
	}
	cancel()
	var serverErrors int
	for i, l := range loads {
		serverErrors += l.serverErrors()
		if n, why := l.failures(); n > 0 || l.transport.Load() > 0 {
			t.Logf("load client %d (%s): failed calls around the kill: %s", i, bases[i%2], why)
		}
	}
	if serverErrors > 0 {
		t.Errorf("%d answers were 5xx (other than 503)", serverErrors)
	}

	checkKeyLimit(t, bases, probeKey)

	rep := c.drain(t, eps, baseline, 75*time.Second)
	t.Logf("2 serve + 3 worker on PostgreSQL and a Redis Cluster: %s; all delivered %s after the worker was killed",
		rep, time.Since(workerKilledAt).Round(100*time.Millisecond))
	for i, s := range specs {
		if s.check != nil {
			s.check(t, c, eps[i])
		}
	}
	checkDutiesHandedOver(t, killed, workers, workerKilledAt)
}

// serveAt starts `serve --no-worker` listening on addr and waits until it answers.
func (c *cluster) serveAt(addr string) *proc {
	c.t.Helper()
	p := c.startWith("serve_b", []string{"COUNTERSIGN_ADDR=" + addr}, "serve", "--no-worker")
	if err := kit.WaitReady(context.Background(), "http://"+addr+"/healthz", p.Done(), 30*time.Second); err != nil {
		c.t.Fatalf("%s: %v (exit %v)", p.Name(), err, p.Err())
	}
	return p
}

// serveB returns the last process started by serveAt that still runs.
func (c *cluster) serveB(addr string) *proc {
	c.t.Helper()
	for i := len(c.procs) - 1; i >= 0; i-- {
		if p := c.procs[i]; p.Name() == "serve_b" && p.Running() {
			return p
		}
	}
	c.t.Fatalf("no serve on %s runs", addr)
	return nil
}

// apiKey creates an admin API key named name and returns its secret.
func (c *cluster) apiKey(name string) string {
	c.t.Helper()
	var out struct {
		Secret string `json:"secret"`
	}
	if err := c.api.Must(context.Background(), http.StatusCreated, "POST", "/v1/api-keys",
		map[string]any{"name": name, "role": "admin"}, &out); err != nil {
		c.t.Fatal(err)
	}
	return out.Secret
}
