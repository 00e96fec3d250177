package e2e

import (
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// soakSchedule leaves room for the soak's receiver outages: ten attempts
// over about four minutes.
const soakSchedule = "0s,1s,2s,5s,10s,20s,30s,60s,60s,60s"

// Soak timings.
const (
	soakFaultEvery     = 40 * time.Second
	soakRedisOutage    = 30 * time.Second
	soakReceiverOutage = 15 * time.Second
	soakDrainWithin    = 10 * time.Minute
)

// soakEnabled reports whether the soak test was asked for.
func soakEnabled() bool { return *soakFlag || os.Getenv("COUNTERSIGN_SOAK") == "1" }

// soakLength is how long the soak loads and injects faults.
func soakLength(t *testing.T) time.Duration {
	if *soakDuration > 0 {
		return *soakDuration
	}
	if v := os.Getenv("COUNTERSIGN_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("COUNTERSIGN_SOAK_DURATION: %v", err)
		}
		return d
	}
	return 10 * time.Minute
}

// soak is the state of a soak run: the processes it restarts and what it did.
type soak struct {
	t       *testing.T
	c       *cluster
	rd      *privateRedis
	api     *proc
	workers []*proc
	eps     []*endpoint
	faults  map[string]int
	next    int
}

// TestSoak puts a steady load through an API process and two workers for
// -soak-duration (10 minutes by default) while faults are injected in turn
// every 40 s: kill -9 of a worker, Redis stopped for 30 s and restarted
// empty, a receiver refusing connections for 15 s, a receiver answering 500
// for 15 s, kill -9 of the API process, SIGTERM of a worker, FLUSHALL. Then it
// drains and checks every delivery, and prints the figures. Skipped unless
// -soak or COUNTERSIGN_SOAK=1.
func TestSoak(t *testing.T) {
	if !soakEnabled() {
		t.Skip("the soak test runs with -soak or COUNTERSIGN_SOAK=1 (see docs/reliability.md)")
	}
	length := soakLength(t)
	rd := startPrivateRedis(t)
	c := newCluster(t, clusterConfig{redisURL: rd.url(), schedule: soakSchedule})
	s := &soak{t: t, c: c, rd: rd, faults: map[string]int{}}
	s.api = c.serve("--no-worker")
	s.workers = []*proc{c.worker(), c.worker()}
	b := behaviour{delay: 10 * time.Millisecond}
	s.eps = []*endpoint{
		c.addEndpoint(newReceiver(t, "all", b), 5, "*"),
		c.addEndpoint(newReceiver(t, "transactions", b), 5, "transaction.*"),
		c.addEndpoint(newReceiver(t, "actions", b), 5, "action.*"),
		c.addEndpoint(newReceiver(t, "completed", b), 5, "transaction.lifecycle.completed"),
	}
	baseline := c.lastSeq()

	l := newLoad(c.api)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loaded := make(chan struct{})
	go func() { defer close(loaded); l.run(ctx, math.MaxInt32, 4, 150*time.Millisecond) }()

	start := time.Now()
	var lastFault time.Time
	for time.Since(start)+soakFaultEvery < length {
		time.Sleep(soakFaultEvery)
		s.inject()
		lastFault = time.Now()
		t.Logf("%s: %d processes so far, faults %v", time.Since(start).Round(time.Second), l.done.Load(), s.faults)
	}
	time.Sleep(max(0, length-time.Since(start)))
	cancel()
	<-loaded
	loadEnd := time.Now()

	rep := c.drain(t, s.eps, baseline, soakDrainWithin)
	drained := time.Now()
	non2xx, why := l.failures()
	if n := l.serverErrors(); n > 0 {
		t.Errorf("%d answers were 5xx (other than 503)", n)
	}
	var kinds []string
	total := 0
	for k, n := range s.faults {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		total += n
	}
	sort.Strings(kinds)
	var requests int
	for _, ep := range s.eps {
		ep.rcv.mu.Lock()
		requests += ep.rcv.total
		ep.rcv.mu.Unlock()
	}
	figures := strings.Join([]string{
		fmt.Sprintf("duration of load:            %s", loadEnd.Sub(start).Round(time.Second)),
		fmt.Sprintf("processes driven:            %d (%d API calls)", l.done.Load(), l.calls.Load()),
		fmt.Sprintf("events committed:            %d", rep.events),
		fmt.Sprintf("faults injected:             %d (%s)", total, strings.Join(kinds, ", ")),
		fmt.Sprintf("deliveries checked:          %d (every one delivered, nothing pending)", rep.pairs),
		fmt.Sprintf("receiver requests:           %d", requests),
		fmt.Sprintf("duplicates:                  %d (each with the event's webhook-id)", rep.duplicates),
		fmt.Sprintf("API calls not 2xx:           %d (%s)", non2xx, why),
		fmt.Sprintf("last fault ended:            %s before the load ended", loadEnd.Sub(lastFault).Round(100*time.Millisecond)),
		fmt.Sprintf("drain after the load ended:  %s (%s after the last fault)", drained.Sub(loadEnd).Round(100*time.Millisecond),
			drained.Sub(lastFault).Round(100*time.Millisecond)),
	}, "\n")
	t.Logf("soak figures:\n%s", figures)
	fmt.Printf("\n=== soak figures ===\n%s\n", figures)
}

// inject runs the next fault in turn.
func (s *soak) inject() {
	kinds := []func() string{
		s.killWorker, s.redisOutage, s.receiverDown, s.receiverFailing, s.killAPI, s.termWorker, s.flushRedis,
	}
	kind := kinds[s.next%len(kinds)]()
	s.next++
	s.faults[kind]++
}

func (s *soak) killWorker() string {
	i := s.next % len(s.workers)
	s.workers[i].Kill()
	time.Sleep(2 * time.Second)
	s.workers[i] = s.c.worker()
	return "worker kill -9"
}

func (s *soak) termWorker() string {
	i := s.next % len(s.workers)
	if err := s.workers[i].Term(time.Minute); err != nil {
		s.t.Errorf("worker after SIGTERM: %v", err)
	}
	s.workers[i] = s.c.worker()
	return "worker SIGTERM"
}

func (s *soak) killAPI() string {
	s.api.Kill()
	time.Sleep(time.Second)
	s.api = s.c.serve("--no-worker")
	return "API kill -9"
}

func (s *soak) redisOutage() string {
	s.rd.stop()
	time.Sleep(soakRedisOutage)
	s.rd.start()
	return "Redis down 30s, back empty"
}

func (s *soak) flushRedis() string {
	if err := s.rd.flushAll(); err != nil {
		s.t.Errorf("FLUSHALL: %v", err)
	}
	return "Redis FLUSHALL"
}

func (s *soak) receiverDown() string {
	r := s.eps[s.next%len(s.eps)].rcv
	r.down()
	time.Sleep(soakReceiverOutage)
	r.up(s.t)
	return "receiver refusing 15s"
}

func (s *soak) receiverFailing() string {
	r := s.eps[s.next%len(s.eps)].rcv
	r.failing.Store(true)
	time.Sleep(soakReceiverOutage)
	r.failing.Store(false)
	return "receiver 500s for 15s"
}
