package bench

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/internal/kit"
	"github.com/countersign/countersign/webhook"
)

// flowBody is the createProcess body of a flow: one step, one SIGNER.
var flowBody = []byte(`{"documentName":"bench.pdf","documentType":"CONTRACT","signingProcessSteps":[{"processOrder":0,` +
	`"processStepSigners":[{"signerName":"Bench Signer","signerEmail":"signer@example.com","signerRole":"SIGNER"}]}]}`)

// mailFlowBody is flowBody with the signer's notification email on.
var mailFlowBody = []byte(`{"documentName":"bench.pdf","documentType":"CONTRACT","signingProcessSteps":[{"processOrder":0,` +
	`"processStepSigners":[{"signerName":"Bench Signer","signerEmail":"signer@example.com","signerRole":"SIGNER","signerNotification":true}]}]}`)

// flowOps are the calls of a flow and the events each commits (the model the
// bench checks against the events it receives).
var flowOps = []struct {
	name   string
	status int
	events []events.Type
}{
	{"createProcess", http.StatusCreated, []events.Type{events.TransactionCreated}},
	{"startProcess", http.StatusOK, []events.Type{events.TransactionStarted, events.ActionOpened}},
	{"signerSign", http.StatusOK, []events.Type{events.ActionClosed, events.TransactionCompleted}},
}

// driver drives "flows" through the API: createProcess → startProcess →
// signerSign, and counts every call and every answer that was not the
// expected one.
type driver struct {
	api                                          *kit.Client
	requests                                     atomic.Int64
	flowsStarted, flowsDone, flowsFailed, missed atomic.Int64
	opsOK                                        [3]atomic.Int64
	first                                        atomic.Int64 // unix nanos of the first request
	mu                                           sync.Mutex
	failures                                     map[string]int64 // "op: status code" → count
	// body is the createProcess body (flowBody when nil).
	body []byte
}

func newDriver(api *kit.Client) *driver { return &driver{api: api, failures: map[string]int64{}} }

// flow runs one flow and reports whether every call succeeded.
func (d *driver) flow(ctx context.Context) bool {
	d.flowsStarted.Add(1)
	var p struct {
		ID      string `json:"id"`
		Signers []struct {
			ID string `json:"id"`
		} `json:"signers"`
	}
	body := flowBody
	if d.body != nil {
		body = d.body
	}
	if !d.call(ctx, 0, "/v1/processes", body, &p) {
		return false
	}
	if len(p.Signers) != 1 {
		d.fail("createProcess", "answer without one signer")
		return false
	}
	if !d.call(ctx, 1, "/v1/processes/"+p.ID+"/start", nil, nil) ||
		!d.call(ctx, 2, "/v1/processes/"+p.ID+"/signers/"+p.Signers[0].ID+"/sign", nil, nil) {
		return false
	}
	d.flowsDone.Add(1)
	return true
}

// call POSTs one step of a flow and checks its status.
func (d *driver) call(ctx context.Context, op int, path string, body []byte, out any) bool {
	d.first.CompareAndSwap(0, time.Now().UnixNano())
	d.requests.Add(1)
	status, msg, err := call(ctx, d.api, http.MethodPost, path, body, out)
	switch {
	case err != nil:
		d.fail(flowOps[op].name, "transport: "+err.Error())
	case status != flowOps[op].status:
		d.fail(flowOps[op].name, fmt.Sprintf("status %d: %s", status, msg))
	default:
		d.opsOK[op].Add(1)
		return true
	}
	d.flowsFailed.Add(1)
	return false
}

func (d *driver) fail(op, what string) {
	key := op + ": " + what
	if len(key) > 200 {
		key = key[:200]
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.failures[key]++
}

// runFlat runs conc client goroutines, each looping flows until stop.
func (d *driver) runFlat(ctx context.Context, conc int, stop func() bool) {
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop() && ctx.Err() == nil {
				d.flow(ctx)
			}
		}()
	}
	wg.Wait()
}

// runPaced starts rate flows a second until deadline, open loop: a flow is
// started on schedule whether or not earlier ones have finished, up to
// inFlight at once; a flow that finds that cap full is not started and
// counted as missed (the bench could not keep up). A time.Ticker would drop
// late ticks silently; this loop counts them.
func (d *driver) runPaced(ctx context.Context, rate float64, inFlight int, deadline time.Time) {
	interval := time.Duration(float64(time.Second) / rate)
	slots := make(chan struct{}, inFlight)
	start := time.Now()
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if !at.Before(deadline) || ctx.Err() != nil {
			break
		}
		if wait := time.Until(at); wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
		select {
		case slots <- struct{}{}:
			go func() { defer func() { <-slots }(); d.flow(ctx) }()
		default:
			d.missed.Add(1)
		}
	}
	for range inFlight {
		slots <- struct{}{}
	}
}

// firstRequest is when the first request was sent (now if none was).
func (d *driver) firstRequest() time.Time {
	if n := d.first.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Now()
}

// modelDeliveries is the deliveries the successful calls should have caused
// on endpoints subscribed to patterns.
func (d *driver) modelDeliveries(patterns []string, endpoints int) int64 {
	var n int64
	for i, op := range flowOps {
		for _, t := range op.events {
			if webhook.Matches(patterns, t) {
				n += d.opsOK[i].Load()
			}
		}
	}
	return n * int64(endpoints)
}

// modelEventsPerFlow is the events a complete flow commits.
func modelEventsPerFlow() int {
	n := 0
	for _, op := range flowOps {
		n += len(op.events)
	}
	return n
}

// failureList returns the failures, most frequent first.
func (d *driver) failureList() []apiFailure {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]apiFailure, 0, len(d.failures))
	for k, n := range d.failures {
		out = append(out, apiFailure{What: k, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Count > out[j].Count || out[i].Count == out[j].Count && out[i].What < out[j].What
	})
	return out
}

// apiFailure is one kind of failed API call and how often it happened.
type apiFailure struct {
	What  string `json:"what"`
	Count int64  `json:"count"`
}
