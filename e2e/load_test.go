package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// eventsPerProcess is how many events one process of the load commits:
// transaction.lifecycle.created, .started, action.opened, action.closed and
// transaction.lifecycle.completed.
const eventsPerProcess = 5

// processBody is a one-signer process in the process API's schema.
func processBody(i int) map[string]any {
	return map[string]any{
		"documentName": fmt.Sprintf("load-%d.pdf", i),
		"signingProcessSteps": []any{map[string]any{"processOrder": 0, "processStepSigners": []any{
			map[string]any{"signerName": "Signer", "signerRole": "SIGNER", "signerEmail": "signer@example.com"},
		}}},
	}
}

// load drives signing processes through the API: create, start, sign.
// Failed calls are counted and the process abandoned (its committed events
// still count); the load goes on with a new process after a short pause.
type load struct {
	api *client

	done       atomic.Int64 // processes that went through all three calls
	calls      atomic.Int64
	transport  atomic.Int64 // calls that got no answer
	mu         sync.Mutex
	statuses   map[int]int
	errorCodes map[string]int
}

func newLoad(api *client) *load {
	return &load{api: api, statuses: map[int]int{}, errorCodes: map[string]int{}}
}

// run runs workers goroutines until processes processes are done or ctx ends;
// pause is a wait between processes of one goroutine (0 for none).
func (l *load) run(ctx context.Context, processes, workers int, pause time.Duration) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && l.done.Load() < int64(processes) {
				if err := l.process(ctx, int(next.Add(1))); err != nil {
					sleepCtx(ctx, 50*time.Millisecond)
					continue
				}
				l.done.Add(1)
				if pause > 0 {
					sleepCtx(ctx, pause)
				}
			}
		}()
	}
	wg.Wait()
}

// process creates, starts and signs one process.
func (l *load) process(ctx context.Context, i int) error {
	var p struct {
		ID      string `json:"id"`
		Signers []struct {
			ID string `json:"id"`
		} `json:"signers"`
	}
	data, err := l.call(ctx, http.StatusCreated, "POST", "/v1/processes", processBody(i))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &p); err != nil || len(p.Signers) != 1 {
		return fmt.Errorf("createProcess answered %s", data)
	}
	if _, err := l.call(ctx, http.StatusOK, "POST", "/v1/processes/"+p.ID+"/start", nil); err != nil {
		return err
	}
	_, err = l.call(ctx, http.StatusOK, "POST", "/v1/processes/"+p.ID+"/signers/"+p.Signers[0].ID+"/sign", nil)
	return err
}

func (l *load) call(ctx context.Context, want int, method, path string, body any) ([]byte, error) {
	l.calls.Add(1)
	status, data, err := l.api.Call(ctx, method, path, body)
	if err != nil {
		if ctx.Err() == nil {
			l.transport.Add(1)
		}
		return nil, err
	}
	l.mu.Lock()
	l.statuses[status]++
	if status >= 400 {
		l.errorCodes[fmt.Sprintf("%d %s", status, errorCode(data))]++
	}
	l.mu.Unlock()
	if status != want {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, status, data)
	}
	return data, nil
}

// waitDone waits until n processes are done or ctx ends.
func (l *load) waitDone(ctx context.Context, n int64) {
	for l.done.Load() < n && ctx.Err() == nil {
		sleepCtx(ctx, 20*time.Millisecond)
	}
}

// failures returns the calls that did not answer 2xx: by status and code,
// plus the transport errors.
func (l *load) failures() (non2xx int, summary string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var parts []string
	for k, n := range l.errorCodes {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, n))
		non2xx += n
	}
	sort.Strings(parts)
	if t := l.transport.Load(); t > 0 {
		parts = append(parts, fmt.Sprintf("no answer ×%d", t))
	}
	return non2xx, strings.Join(parts, ", ")
}

// serverErrors counts the answers with a status of 500 or more, but 503.
func (l *load) serverErrors() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for st, c := range l.statuses {
		if st >= 500 && st != http.StatusServiceUnavailable {
			n += c
		}
	}
	return n
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
