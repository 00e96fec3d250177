package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/queue/queuetest"
)

// TestDutiesRunInOneWorker: of two workers sharing a database and Redis,
// the first to start runs the reconciler, replay runner, scheduler and
// retention; the second runs none until the first stops, then all four.
func TestDutiesRunInOneWorker(t *testing.T) {
	redisURL := queuetest.URL(t)
	withEnv(t, map[string]string{
		"COUNTERSIGN_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "cs.db"),
		"COUNTERSIGN_REDIS_URL":    redisURL,
	})
	type proc struct {
		stderr syncBuffer
		stop   context.CancelFunc
		exited chan struct{}
		err    error
	}
	start := func() *proc {
		p := &proc{exited: make(chan struct{})}
		ctx, stop := context.WithCancel(context.Background())
		p.stop = stop
		go func() {
			defer close(p.exited)
			var out syncBuffer
			p.err = run(ctx, []string{"worker"}, &out, &p.stderr)
		}()
		t.Cleanup(func() { stop(); <-p.exited })
		return p
	}
	taken := func(p *proc) int { return strings.Count(p.stderr.String(), "lease taken") }
	a := start()
	waitFor(t, func() string {
		if taken(a) == 4 {
			return "all four"
		}
		return ""
	})
	b := start()
	waitFor(t, func() string {
		if strings.Contains(b.stderr.String(), "worker started") {
			return "started"
		}
		return ""
	})
	time.Sleep(time.Second) // b tries the leases now and then; a renews them
	if n := taken(b); n != 0 {
		t.Fatalf("the second worker took %d leases while the first ran:\n%s", n, b.stderr.String())
	}
	a.stop()
	<-a.exited
	if a.err != nil {
		t.Fatalf("first worker: %v", a.err)
	}
	waitFor(t, func() string {
		if taken(b) == 4 {
			return "all four"
		}
		return ""
	})
}
