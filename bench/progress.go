package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// phaseLabel is the phase the progress line names (drive, drain, fill…).
type phaseLabel struct{ v atomic.Value }

func (p *phaseLabel) Store(s string) { p.v.Store(s) }
func (p *phaseLabel) Load() string   { s, _ := p.v.Load().(string); return s }

// startProgress prints a progress line on stderr every second until the
// returned stop is called: elapsed time, phase, flows, API requests and
// deliveries a second over the last second, and the p99 latency so far.
func (b *bench) startProgress(ctx context.Context, phase string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	b.phase.Store(phase)
	go func() {
		defer close(done)
		start := time.Now()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var lastReq, lastDel int64
		last := start
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				req, del := b.drv.requests.Load(), b.recv.delivered.Load()
				dt := now.Sub(last).Seconds()
				fmt.Fprintf(b.stderr, "bench %5.0fs %-8s flows %d  API %.0f req/s  deliveries %.0f/s (%d)  p99 %.1f ms%s\n",
					now.Sub(start).Seconds(), b.phase.Load(), b.drv.flowsDone.Load(), float64(req-lastReq)/dt,
					float64(del-lastDel)/dt, del, b.recv.lat.quickP99(), b.progressExtra())
				lastReq, lastDel, last = req, del, now
			}
		}
	}()
	return func() { cancel(); <-done }
}

// progressExtra adds the failures so far to the progress line.
func (b *bench) progressExtra() string {
	s := ""
	if n := b.drv.flowsFailed.Load(); n > 0 {
		s += fmt.Sprintf("  failed flows %d", n)
	}
	if n := b.recv.verifyFailures.Load(); n > 0 {
		s += fmt.Sprintf("  BAD SIGNATURES %d", n)
	}
	if n := b.recv.duplicates.Load(); n > 0 {
		s += fmt.Sprintf("  duplicates %d", n)
	}
	return s
}
