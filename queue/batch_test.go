package queue_test

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/queue/queuetest"
	"github.com/countersign/countersign/webhook"
)

// TestBatchSlowEndpointHoldsBackNoOther: an event's first attempts travel in
// one task, yet the deliveries to fast endpoints are recorded while the slow
// endpoint's request is still open.
func TestBatchSlowEndpointHoldsBackNoOther(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	release := make(chan struct{})
	var ended atomic.Bool
	slow := newReceiver(t, nil)
	slow.respond = func(n int, w http.ResponseWriter) {
		if n == 1 {
			<-release
			ended.Store(true)
		}
		w.WriteHeader(http.StatusNoContent)
	}
	slowEP := e.endpoint(slow.URL, []string{"apikey.created"})
	fast := make([]*receiver, 3)
	for i := range fast {
		fast[i] = newReceiver(t, nil)
		e.endpoint(fast[i].URL, []string{"apikey.created"})
	}
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", countersign.RoleMember); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		delivered := 0
		for _, d := range e.deliveries() {
			if d.EndpointID != slowEP.ID && d.Status == webhook.StatusDelivered {
				delivered++
			}
		}
		if delivered == len(fast) && len(slow.received()) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d fast deliveries recorded, %d slow requests, while the slow endpoint holds its request", delivered, len(fast), len(slow.received()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ended.Load() {
		t.Fatal("the slow request ended before the fast deliveries were recorded")
	}
	close(release)
	for _, d := range e.waitSettled(len(fast) + 1) {
		if d.Status != webhook.StatusDelivered || d.Attempts != 1 {
			t.Fatalf("delivery %+v, want delivered on its first attempt", d)
		}
	}
	info, err := queuetest.Inspector(t, e.redis).GetQueueInfo(queue.Deliveries)
	if err != nil || info.Processed != 1 {
		t.Fatalf("deliveries queue: %+v, %v; want the event's four first attempts carried by one task", info, err)
	}
}

// TestBatchRunAgainSendsNothingRecorded: a batch handed out again (as after a
// crash, or re-queued by the reconciler) sends no recorded member again.
func TestBatchRunAgainSendsNothingRecorded(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	rs := make([]*receiver, 3)
	for i := range rs {
		rs[i] = newReceiver(t, nil)
		e.endpoint(rs[i].URL, []string{"apikey.created"})
	}
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", countersign.RoleMember); err != nil {
		t.Fatal(err)
	}
	ds := e.waitSettled(len(rs))
	tasks := make([]webhook.Task, len(ds))
	for i, d := range ds {
		tasks[i] = webhook.Task{DeliveryID: d.ID, WorkspaceID: e.ws.WorkspaceID, EndpointID: d.EndpointID, EventID: d.EventID, Attempt: 1, MayHaveRun: true}
	}
	enq := queue.NewEnqueuer(e.rds, slog.New(slog.DiscardHandler), 1)
	defer enq.Close()
	if n, err := enq.Enqueue(context.Background(), tasks); err != nil || n != len(tasks) {
		t.Fatalf("re-enqueue: %d, %v", n, err)
	}
	waitProcessed(t, e, 2)
	for i, r := range rs {
		if n := len(r.received()); n != 1 {
			t.Fatalf("receiver %d got %d requests, want 1", i, n)
		}
	}
}

// TestReconcilerRequeuesLostBatch: first attempts whose batch never reached
// Redis are queued again by the reconciler, as one batch per event, and each
// arrives once.
func TestReconcilerRequeuesLostBatch(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}, reconcile: true})
	e.db.SetDispatcher(func([]webhook.Task) {}) // the enqueue is lost
	rs := make([]*receiver, 3)
	for i := range rs {
		rs[i] = newReceiver(t, nil)
		e.endpoint(rs[i].URL, []string{"apikey.*"})
	}
	e.makeKeyEvents()
	e.waitSettled(3 * len(rs))
	for i, r := range rs {
		got := r.received()
		seen := map[string]bool{}
		for _, g := range got {
			if seen[g.ID] {
				t.Fatalf("receiver %d got event %s twice", i, g.ID)
			}
			seen[g.ID] = true
		}
		if len(seen) != 3 {
			t.Fatalf("receiver %d got %d events, want 3", i, len(seen))
		}
	}
	waitProcessed(t, e, 3)
}

// waitProcessed waits until the deliveries queue is idle with at least n
// tasks processed.
func waitProcessed(t *testing.T, e *engine, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		info, err := queuetest.Inspector(t, e.redis).GetQueueInfo(queue.Deliveries)
		if err == nil && info.Pending == 0 && info.Active == 0 && info.Processed >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queued tasks did not run: %+v, %v", info, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
