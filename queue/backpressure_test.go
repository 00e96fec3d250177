package queue_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/queue/queuetest"
	"github.com/countersign/countersign/webhook"
)

// TestBackpressureSlowsDispatch: with first attempts backed up past the
// limit and no worker taking them, a dispatch waits, and the metrics say so.
func TestBackpressureSlowsDispatch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	rds, err := queue.Open(ctx, queuetest.URL(t), log)
	if err != nil {
		t.Fatal(err)
	}
	defer rds.Close()
	enq := queue.NewEnqueuer(rds, log, 1)
	defer enq.Close()
	reg := prometheus.NewRegistry()
	enq.EnableBackpressure(ctx, rds, queue.BackpressureConfig{Limit: 2, MaxWait: 20 * time.Millisecond, Every: 10 * time.Millisecond}, reg)

	task := func(i int) webhook.Task {
		return webhook.Task{DeliveryID: "dlv_" + string(rune('a'+i)), WorkspaceID: "wsp_1", EndpointID: "ep_1",
			EventID: "evt_" + string(rune('a'+i)), Attempt: 1}
	}
	enq.Dispatch([]webhook.Task{task(0)})
	if n := metric(t, reg, "countersign_api_backpressure_waits_total"); n != 0 {
		t.Fatalf("%v waits under the limit, want 0", n)
	}
	var batch []webhook.Task
	for i := 1; i < 8; i++ {
		batch = append(batch, task(i))
	}
	if _, err := enq.Enqueue(ctx, batch); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for metric(t, reg, "countersign_queue_first_attempt_backlog") < 8 {
		if time.Now().After(deadline) {
			t.Fatal("the backlog gauge never saw the 8 queued batches")
		}
		time.Sleep(10 * time.Millisecond)
	}
	enq.Dispatch([]webhook.Task{task(9)})
	if n := metric(t, reg, "countersign_api_backpressure_waits_total"); n != 1 {
		t.Fatalf("%v waits past the limit, want 1", n)
	}
	if s := metric(t, reg, "countersign_api_backpressure_seconds_total"); s <= 0 {
		t.Fatalf("backpressure seconds %v, want > 0", s)
	}
}

// metric reads a counter's or gauge's value from reg.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			return m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}
