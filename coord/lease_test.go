package coord_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign/coord"
)

// TestLeaseHandover runs two holders of one lease: the first is killed (its
// Redis connection closes, so it neither renews nor releases); the second
// takes over once the lease runs out. At no time do both run the duty.
func TestLeaseHandover(t *testing.T) {
	for _, tp := range topologies {
		t.Run(tp.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			ca, cb := tp.open(t), tp.open(t)
			p := prefix(t, cb)
			const ttl = 1500 * time.Millisecond
			var active, most atomic.Int32
			var ran [2]atomic.Int32
			startedB := make(chan time.Time, 1)
			duty := func(who int) func(ctx context.Context) {
				return func(ctx context.Context) {
					n := active.Add(1)
					defer active.Add(-1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					if ran[who].Add(1) == 1 && who == 1 {
						startedB <- time.Now()
					}
					<-ctx.Done()
				}
			}
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); coord.NewLease(ca, p, "duty", ttl, log).Run(ctx, duty(0)) }()
			waitFor(t, func() bool { return ran[0].Load() == 1 }, "the first holder to start")
			go func() { defer wg.Done(); coord.NewLease(cb, p, "duty", ttl, log).Run(ctx, duty(1)) }()
			time.Sleep(2 * ttl) // b keeps trying; a keeps renewing
			if ran[1].Load() != 0 {
				t.Fatal("the second holder ran while the first renewed")
			}
			killed := time.Now()
			ca.Close()
			select {
			case at := <-startedB:
				t.Logf("taken over %s after the holder died (ttl %s)", at.Sub(killed).Round(time.Millisecond), ttl)
			case <-time.After(20 * ttl):
				t.Fatal("the second holder never took over")
			}
			cancel()
			wg.Wait()
			if most.Load() != 1 {
				t.Fatalf("%d holders ran the duty at once", most.Load())
			}
		})
	}
}

// TestLeaseReleasedOnStop: a holder that stops gives the lease up at once.
func TestLeaseReleasedOnStop(t *testing.T) {
	c := topologies[0].open(t)
	p := prefix(t, c)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctxA, stopA := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		coord.NewLease(c, p, "duty", time.Minute, log).Run(ctxA, func(ctx context.Context) { close(started); <-ctx.Done() })
	}()
	<-started
	stopA()
	<-done
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	ok := make(chan struct{})
	go coord.NewLease(c, p, "duty", time.Minute, log).Run(ctxB, func(ctx context.Context) { close(ok); <-ctx.Done() })
	select {
	case <-ok:
	case <-time.After(10 * time.Second): // far below the minute the lease would otherwise last
		t.Fatal("the lease was not released on stop")
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for range 200 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
