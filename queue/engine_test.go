package queue_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/queue/queuetest"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// testSchedule is the compressed retry schedule of the tests.
var testSchedule = webhook.Schedule{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}

// engine is the delivery engine wired as a worker process wires it: real
// SQLite, real Redis, asynq worker, deliverer and reconciler.
type engine struct {
	t     *testing.T
	db    *storage.DB
	rds   *queue.Redis
	ws    countersign.Actor
	redis string // the URL of its Redis database
}

type engineOptions struct {
	guard        webhook.Guard
	disableAfter time.Duration
	reconcile    bool
	// now is the deliverer's clock (time.Now when nil).
	now func() time.Time
}

func startEngine(t *testing.T, opts engineOptions) *engine {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := storagetest.OpenSQLite(t)
	ws, _ := storagetest.Workspace(t, db, "A")
	redisURL := queuetest.URL(t)
	rds, err := queue.Open(ctx, redisURL, log)
	if err != nil {
		t.Fatal(err)
	}
	enq := queue.NewEnqueuer(rds, log, 2)
	db.SetDispatcher(enq.Dispatch)
	worker := queue.NewWorker(rds, queue.WorkerConfig{Concurrency: engineConcurrency, ShutdownTimeout: 5 * time.Second}, log)
	worker.HandleDeliveries(webhook.NewDeliverer(webhook.DelivererConfig{
		Store: db.Webhooks(), Queue: enq, Schedule: testSchedule, DisableAfter: opts.disableAfter, Logger: log, Now: opts.now,
		Sender: webhook.NewSender(webhook.SenderConfig{Version: "test", Guard: opts.guard, Timeout: 2 * time.Second}),
	}))
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	loopCtx, stop := context.WithCancel(ctx)
	var loops sync.WaitGroup
	if opts.reconcile {
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
	return &engine{t: t, db: db, rds: rds, ws: ws, redis: redisURL}
}

// endpoint registers url for patterns and returns the endpoint.
func (e *engine) endpoint(url string, patterns []string, tweak ...func(*webhook.EndpointInput)) webhook.Endpoint {
	e.t.Helper()
	in := webhook.EndpointInput{URL: &url, EventTypes: patterns}
	for _, f := range tweak {
		f(&in)
	}
	ep, err := e.db.Webhooks().CreateEndpoint(context.Background(), e.ws, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return ep
}

// deliveries returns every delivery of the workspace.
func (e *engine) deliveries() []webhook.Delivery {
	e.t.Helper()
	ds, _, err := e.db.Webhooks().ListDeliveries(context.Background(), e.ws.WorkspaceID, webhook.DeliveryFilter{}, "", 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return ds
}

// waitSettled waits until no delivery is pending and returns them all.
func (e *engine) waitSettled(want int) []webhook.Delivery {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds := e.deliveries()
		pending := 0
		for _, d := range ds {
			if d.Status == webhook.StatusPending {
				pending++
			}
		}
		if len(ds) >= want && pending == 0 {
			return ds
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("deliveries not settled within 30s: %d of %d made, %d pending", len(ds), want, pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// receiver is an httptest endpoint that verifies every request's signature
// with the official Standard Webhooks library and records what it got.
type receiver struct {
	*httptest.Server
	t       *testing.T
	mu      sync.Mutex
	secret  string
	got     []received
	respond func(n int, w http.ResponseWriter) // n counts requests from 1
}

type received struct {
	ID, Type string
	At       time.Time
	Verified bool
}

func newReceiver(t *testing.T, respond func(n int, w http.ResponseWriter)) *receiver {
	r := &receiver{t: t, respond: respond}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var env struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	json.Unmarshal(body, &env)
	r.mu.Lock()
	verified := false
	if r.secret != "" {
		wh, err := standardwebhooks.NewWebhook(r.secret)
		verified = err == nil && wh.Verify(body, req.Header) == nil
	}
	verified = verified && req.Header.Get("webhook-id") == env.ID
	r.got = append(r.got, received{ID: env.ID, Type: env.Type, At: time.Now(), Verified: verified})
	n := len(r.got)
	r.mu.Unlock()
	if r.respond != nil {
		r.respond(n, w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// typesOf lists the event types received, in order.
func typesOf(rs []received) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Type
	}
	return out
}

// makeKeyEvents emits apikey.created, apikey.updated and apikey.deleted.
func (e *engine) makeKeyEvents() {
	e.t.Helper()
	ctx := context.Background()
	key, _, err := e.db.Keys().CreateAPIKey(ctx, e.ws, "k", countersign.RoleMember)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.Keys().RenameAPIKey(ctx, e.ws, key.ID, "k2"); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.Keys().DeleteAPIKey(ctx, e.ws, key.ID); err != nil {
		e.t.Fatal(err)
	}
}

// engineConcurrency is the worker concurrency of the test engine.
var engineConcurrency = 64
