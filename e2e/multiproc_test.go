package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
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
	// processes on a loaded machine.
	rateTolerance = 10
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
	}
}

// TestMultiProcess runs Countersign as it runs on several machines: one
// PostgreSQL, a 3-master Redis Cluster, 2 `serve --no-worker` and 3 `worker`
// processes. Six clients, three on each API process, create, start and sign
// processes; mid-load a worker and an API process are killed with SIGKILL and
// started again. At the end every (event, endpoint) pair the database
// committed reached its receiver (duplicates are counted and logged), the
// endpoint limited to 50/s never saw more than the documented tolerance above
// that in any one second, the duties of the killed worker moved to another,
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

// checkRateWindows fails t when the endpoint's receiver saw more than its
// rate_limit plus the tolerance in any one-second window, or more than five
// times it plus the tolerance in any five seconds: the limiter admits
// attempts one interval apart, and what a receiver sees above that in one
// second comes from delays that bunch requests on their way, which a longer
// window averages out.
func checkRateWindows(t *testing.T, _ *cluster, ep *endpoint) {
	t.Helper()
	log := ep.rcv.arrivalLog()
	if len(log) == 0 {
		t.Errorf("receiver %s got nothing", ep.rcv.name)
		return
	}
	times := make([]time.Time, len(log))
	for i, a := range log {
		times[i] = a.at
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	span := times[len(times)-1].Sub(times[0])
	t.Logf("receiver %s (rate_limit %d): %d requests over %s (%.1f/s)", ep.rcv.name, limitedRate, len(times),
		span.Round(time.Millisecond), float64(len(times))/max(span.Seconds(), 1))
	for _, window := range []time.Duration{time.Second, 5 * time.Second} {
		most, at := mostInWindow(times, window)
		limit := int(window/time.Second)*limitedRate + rateTolerance
		t.Logf("receiver %s: at most %d requests in %s (from %s; limit %d)", ep.rcv.name, most, window, at.Format("15:04:05.000"), limit)
		if window == time.Second && (most > limit || testing.Verbose()) {
			t.Logf("receiver %s, requests per 100 ms of that second: %v", ep.rcv.name, perTenth(times, at))
		}
		if most > limit {
			t.Errorf("receiver %s saw %d requests in %s; the limit is %d a second (+%d tolerance) across all workers",
				ep.rcv.name, most, window, limitedRate, rateTolerance)
		}
	}
}

// mostInWindow returns the most times (sorted) that fall in one window of
// length d, and where that window starts.
func mostInWindow(times []time.Time, d time.Duration) (int, time.Time) {
	most, at := 0, times[0]
	for i, j := 0, 0; i < len(times); i++ {
		for times[i].Sub(times[j]) >= d {
			j++
		}
		if n := i - j + 1; n > most {
			most, at = n, times[j]
		}
	}
	return most, at
}

// checkKeyLimit sends requests with one key to both API processes until
// some have been refused, and fails t when more passed than the key's rate
// allows in total (its burst plus the rate over the time taken), or when an
// answer was neither 200 nor 429.
func checkKeyLimit(t *testing.T, bases []string, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ok, limited atomic.Int64
	var mu sync.Mutex
	perServe := map[string]map[int]int{}
	other := map[string]int{}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 8 {
		base := bases[i%2]
		api := kit.NewClient(base, key, 2, 5*time.Second)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && (limited.Load() < 50 || time.Since(start) < 2*time.Second) {
				status, data, err := api.Call(ctx, "GET", "/v1/processes?limit=1", nil)
				if err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						other["no answer: "+err.Error()]++
						mu.Unlock()
					}
					continue
				}
				switch status {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
				default:
					mu.Lock()
					other[fmt.Sprintf("%d %s", status, errorCode(data))]++
					mu.Unlock()
				}
				mu.Lock()
				if perServe[base] == nil {
					perServe[base] = map[int]int{}
				}
				perServe[base][status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	allowed := keyBurst + int(elapsed.Seconds()*keyRate) + 1
	t.Logf("one key at %d/s (burst %d) on both API processes for %s: %d answered 200, %d answered 429 (at most %d allowed); by process %v",
		keyRate, keyBurst, elapsed.Round(time.Millisecond), ok.Load(), limited.Load(), allowed, perServe)
	if int(ok.Load()) > allowed {
		t.Errorf("%d requests of one key passed in %s; its limit allows %d across both API processes", ok.Load(), elapsed, allowed)
	}
	if limited.Load() == 0 {
		t.Errorf("no request of the key was refused in %s", elapsed)
	}
	if len(other) > 0 {
		t.Errorf("answers other than 200 and 429: %v", other)
	}
}

// checkDutiesHandedOver fails t when a duty the killed worker held was not
// taken by another worker after the kill, and logs how long each took.
func checkDutiesHandedOver(t *testing.T, killed *proc, others []*proc, killedAt time.Time) {
	t.Helper()
	held := map[string]bool{}
	for _, e := range killed.logLines() {
		if e["msg"] == leaseTaken {
			if duty, _ := e["lease"].(string); duty != "" {
				held[duty] = true
			}
		}
	}
	if len(held) == 0 {
		t.Logf("the killed worker held no duty")
		return
	}
	for duty := range held {
		var first time.Time
		var by string
		for _, p := range others {
			for _, e := range p.logLines() {
				if e["msg"] != leaseTaken || e["lease"] != duty {
					continue
				}
				at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(e["time"]))
				if err != nil || at.Before(killedAt) {
					continue
				}
				if first.IsZero() || at.Before(first) {
					first, by = at, p.Name()
				}
			}
		}
		if first.IsZero() {
			t.Errorf("duty %s of the killed worker was not taken over", duty)
			continue
		}
		t.Logf("duty %s: taken over by %s %s after the kill", duty, by, first.Sub(killedAt).Round(10*time.Millisecond))
	}
}

// leaseTaken is what a process logs when it takes a duty's lease.
const leaseTaken = "lease taken: running the duty here"

// perTenth counts the times in each tenth of the second that starts at from.
func perTenth(times []time.Time, from time.Time) [10]int {
	var out [10]int
	for _, at := range times {
		if d := at.Sub(from); d >= 0 && d < time.Second {
			out[d/(100*time.Millisecond)]++
		}
	}
	return out
}
