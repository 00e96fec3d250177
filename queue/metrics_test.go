package queue_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/queue/queuetest"
)

// TestDepthCollectorListsTheMailQueue: a queued notification email shows in
// the queue-depth metric under the mail queue, beside the delivery queues.
func TestDepthCollectorListsTheMailQueue(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	rds, err := queue.Open(ctx, queuetest.URL(t), log)
	if err != nil {
		t.Fatal(err)
	}
	defer rds.Close()
	enq := queue.NewEnqueuer(rds, log, 1)
	defer enq.Close()
	if n, err := enq.Mail().EnqueueMail(ctx, []notify.Task{{MessageID: "msg_1", WorkspaceID: "wsp_1", Attempt: 1}}); err != nil || n != 1 {
		t.Fatalf("enqueue mail: %d, %v", n, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(queue.NewDepthCollector(rds))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "countersign_queue_tasks" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[labels["queue"]+"/"+labels["state"]] = m.GetGauge().GetValue()
		}
	}
	if v, ok := got[queue.Mail+"/pending"]; !ok || v != 1 {
		t.Fatalf("mail/pending = %v (listed %v), want 1; metric: %v", v, ok, got)
	}
}
