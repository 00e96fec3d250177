package queue_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/queue/queuetest"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/workflow"
)

// orderedRig is three worker processes' delivery engines (a Deliverer and an
// asynq worker each, their own Redis clients) sharing one database and one
// Redis, with the reconciler running in the first, as three `worker`
// processes run them.
type orderedRig struct {
	t  *testing.T
	db *storage.DB
	ws countersign.Actor
}

func startOrderedRig(t *testing.T, db *storage.DB, schedule webhook.Schedule) *orderedRig {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ws, _ := storagetest.Workspace(t, db, "A")
	redisURL := queuetest.URL(t)
	guard := webhook.Guard{AllowPrivate: true}
	for i := range 3 {
		rds, err := queue.Open(ctx, redisURL, log)
		if err != nil {
			t.Fatal(err)
		}
		enq := queue.NewEnqueuer(rds, log, 2)
		if i == 0 {
			db.SetDispatcher(enq.Dispatch)
		}
		worker := queue.NewWorker(rds, queue.WorkerConfig{Concurrency: 8, ShutdownTimeout: 5 * time.Second}, log)
		worker.HandleDeliveries(webhook.NewDeliverer(webhook.DelivererConfig{
			Store: db.Webhooks(), Queue: enq, Schedule: schedule, Logger: log,
			Sender: webhook.NewSender(webhook.SenderConfig{Version: "test", Guard: guard, Timeout: 2 * time.Second}),
		}))
		if err := worker.Start(); err != nil {
			t.Fatal(err)
		}
		loopCtx, stop := context.WithCancel(ctx)
		var loops sync.WaitGroup
		if i == 0 {
			rec := &webhook.Reconciler{Source: db.Webhooks(), Queue: enq, Grace: 300 * time.Millisecond, Logger: log}
			loops.Add(1)
			go func() { defer loops.Done(); rec.Run(loopCtx, 100*time.Millisecond) }()
		}
		t.Cleanup(func() {
			stop()
			loops.Wait()
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			worker.Shutdown(sctx)
			enq.Close()
			rds.Close()
		})
	}
	return &orderedRig{t: t, db: db, ws: ws}
}

// endpoint registers url for chat messages with ordering o.
func (r *orderedRig) endpoint(url string, o webhook.Ordering) webhook.Endpoint {
	r.t.Helper()
	in := webhook.EndpointInput{URL: &url, EventTypes: []string{"transaction.chat.message.received"}, Ordering: &o}
	ep, err := r.db.Webhooks().CreateEndpoint(context.Background(), r.ws, in)
	if err != nil {
		r.t.Fatal(err)
	}
	return ep
}

// process creates a signing process and returns its id and a signer's.
func (r *orderedRig) process() (id, signer string) {
	r.t.Helper()
	exp := time.Now().Add(30 * 24 * time.Hour)
	p, err := r.db.Processes().CreateProcess(context.Background(), r.ws, workflow.ProcessInput{
		ProcessInitiatorEmail: "jane.doe@example.com", DocumentID: "doc-1", DocumentName: "Lease.pdf",
		Initiator: "jdoe", InitiatorName: "Jane Doe", DocumentType: "CONTRACT", OwnerGroup: "group-a", ExpiresAt: &exp,
		SigningProcessSteps: []workflow.StepInput{{ProcessOrder: 0, ProcessStepSigners: []workflow.SignerInput{
			{SignerName: "Signer One", SignerRole: workflow.RoleSigner, SignerCountry: "LV", SignerPersonalCode: "161175-19997", SignerEmail: "one@example.com"},
		}}},
	})
	if err != nil {
		r.t.Fatalf("create process: %v", err)
	}
	return p.ID, p.Signers()[0].ID
}

// post commits a chat message of process pid: one event, in commit order.
func (r *orderedRig) post(pid, signer, text string) {
	r.t.Helper()
	if _, err := r.db.Processes().PostProcessMessage(context.Background(), r.ws, pid, signer, text); err != nil {
		r.t.Fatalf("post %q: %v", text, err)
	}
}

// deliveriesTo returns the deliveries to endpoint ep, by event message text.
func (r *orderedRig) deliveriesTo(ep string) []webhook.Delivery {
	r.t.Helper()
	ds, _, err := r.db.Webhooks().ListDeliveries(context.Background(), r.ws.WorkspaceID, webhook.DeliveryFilter{EndpointID: ep}, "", 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	return ds
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
