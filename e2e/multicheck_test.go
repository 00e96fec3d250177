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
)

// The checks of TestMultiProcess beyond the delivery promise: the limits
// that must hold across processes and the handover of the duties.

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
