package queue_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// orderReceiver records the chat messages it receives per process, in
// arrival order, and how many requests of one process it ever had at once.
type orderReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      map[string][]string // process id → messages answered 2xx, in order
	tries    map[string]int      // message → requests
	inflight map[string]int
	overlap  int // the most requests of one process at once
	fail     func(pid, msg string) bool
}

func newOrderReceiver(t *testing.T) *orderReceiver {
	r := &orderReceiver{got: map[string][]string{}, tries: map[string]int{}, inflight: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *orderReceiver) serve(w http.ResponseWriter, req *http.Request) {
	var env struct {
		Data struct {
			ProcessID string `json:"processId"`
			Message   string `json:"message"`
		} `json:"data"`
	}
	body, _ := io.ReadAll(req.Body)
	if err := json.Unmarshal(body, &env); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	pid, msg := env.Data.ProcessID, env.Data.Message
	r.mu.Lock()
	r.inflight[pid]++
	r.overlap = max(r.overlap, r.inflight[pid])
	r.tries[msg]++
	fail := r.fail != nil && r.fail(pid, msg)
	r.mu.Unlock()
	time.Sleep(2 * time.Millisecond) // a moment in flight, for a second request of the process to overlap if it could
	r.mu.Lock()
	r.inflight[pid]--
	if !fail {
		r.got[pid] = append(r.got[pid], msg)
	}
	r.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *orderReceiver) setFail(f func(pid, msg string) bool) {
	r.mu.Lock()
	r.fail = f
	r.mu.Unlock()
}

func (r *orderReceiver) messages(pid string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got[pid]...)
}

func (r *orderReceiver) attempts(msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries[msg]
}

// has reports whether every message of want arrived for pid.
func (r *orderReceiver) has(pid string, want ...string) bool {
	got := map[string]bool{}
	for _, m := range r.messages(pid) {
		got[m] = true
	}
	for _, m := range want {
		if !got[m] {
			return false
		}
	}
	return true
}

// messagesOf names n messages of process label from first.
func messagesOf(label string, first, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = label + "-" + strconv.Itoa(first+i)
	}
	return out
}

// slowRetries retries every 100 ms for long enough that a test sees a
// failing delivery still being retried.
func slowRetries() webhook.Schedule {
	s := webhook.Schedule{0}
	for range 600 {
		s = append(s, 100*time.Millisecond)
	}
	return s
}

// TestOrderedDeliveryPerProcess runs an ordered and an unordered endpoint
// side by side on three workers: each process's events reach the ordered
// one in commit order, one at a time; a failing delivery holds back only
// the later events of its process while another process's flow; once the
// receiver heals, the held events follow in order.
func TestOrderedDeliveryPerProcess(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		rig := startOrderedRig(t, db, slowRetries())
		ordered, unordered := newOrderReceiver(t), newOrderReceiver(t)
		oep := rig.endpoint(ordered.URL, webhook.OrderingProcess)
		rig.endpoint(unordered.URL, webhook.OrderingNone)
		p1, s1 := rig.process()
		p2, s2 := rig.process()

		// Healthy: interleaved commits of two processes, each in order.
		const n = 15
		for i := range n {
			rig.post(p1, s1, fmt.Sprintf("a-%d", i))
			rig.post(p2, s2, fmt.Sprintf("b-%d", i))
		}
		waitFor(t, "the first messages", func() bool {
			return ordered.has(p1, messagesOf("a", 0, n)...) && ordered.has(p2, messagesOf("b", 0, n)...)
		})
		assertOrder(t, ordered.messages(p1), messagesOf("a", 0, n))
		assertOrder(t, ordered.messages(p2), messagesOf("b", 0, n))

		// p1's next message fails: its later ones wait, p2's go on.
		ordered.setFail(func(pid, msg string) bool { return pid == p1 })
		for i := n; i < n+3; i++ {
			rig.post(p1, s1, fmt.Sprintf("a-%d", i))
			rig.post(p2, s2, fmt.Sprintf("b-%d", i))
		}
		waitFor(t, "the second process's messages while the first's fail", func() bool {
			return ordered.has(p2, messagesOf("b", n, 3)...) && ordered.attempts(fmt.Sprintf("a-%d", n)) >= 3
		})
		for _, m := range messagesOf("a", n+1, 2) {
			if k := ordered.attempts(m); k != 0 {
				t.Errorf("%s was sent %d times while the message before it was failing; want 0", m, k)
			}
		}
		held := 0
		for _, d := range rig.deliveriesTo(oep.ID) {
			if d.Status == webhook.StatusPending && d.NextAttemptAt == nil {
				held++
			}
		}
		if held != 2 {
			t.Errorf("%d deliveries held on the ordered endpoint, want 2", held)
		}
		waitFor(t, "every message on the unordered endpoint", func() bool {
			return unordered.has(p1, messagesOf("a", 0, n+3)...) && unordered.has(p2, messagesOf("b", 0, n+3)...)
		})

		// Healed: the failing one, then the held ones, in order.
		ordered.setFail(nil)
		waitFor(t, "the held messages", func() bool { return ordered.has(p1, messagesOf("a", 0, n+3)...) })
		assertOrder(t, ordered.messages(p1), messagesOf("a", 0, n+3))
		assertOrder(t, ordered.messages(p2), messagesOf("b", 0, n+3))
		if ordered.overlap > 1 {
			t.Errorf("the ordered endpoint had %d requests of one process at once, want 1", ordered.overlap)
		}
	})
}

// TestOrderedDeliveryGiveUp: a delivery that fails for good lets its
// process's later events go.
func TestOrderedDeliveryGiveUp(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		rig := startOrderedRig(t, db, testSchedule)
		ordered := newOrderReceiver(t)
		oep := rig.endpoint(ordered.URL, webhook.OrderingProcess)
		p1, s1 := rig.process()
		ordered.setFail(func(_, msg string) bool { return msg == "poison" })
		rig.post(p1, s1, "first")
		rig.post(p1, s1, "poison")
		rig.post(p1, s1, "after")
		waitFor(t, "the message after the poison", func() bool { return ordered.has(p1, "first", "after") })
		assertOrder(t, ordered.messages(p1), []string{"first", "after"})
		if k := ordered.attempts("poison"); k != len(testSchedule) {
			t.Errorf("poison was tried %d times before the next message went, want %d", k, len(testSchedule))
		}
		failed := 0
		for _, d := range rig.deliveriesTo(oep.ID) {
			if d.Status == webhook.StatusFailed && d.Attempts == len(testSchedule) {
				failed++
			}
		}
		if failed != 1 {
			t.Errorf("%d deliveries failed after %d attempts, want the poison's alone", failed, len(testSchedule))
		}
	})
}

// TestOrderedDeliveryReplayIsNotOrdered: a replay of an old event on an
// ordered endpoint is not ordered: while it keeps failing, newer events of
// its process still arrive.
func TestOrderedDeliveryReplayIsNotOrdered(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		rig := startOrderedRig(t, db, slowRetries())
		ordered := newOrderReceiver(t)
		oep := rig.endpoint(ordered.URL, webhook.OrderingProcess)
		p1, s1 := rig.process()
		rig.post(p1, s1, "old")
		waitFor(t, "the old message", func() bool { return ordered.has(p1, "old") })
		old := rig.deliveriesTo(oep.ID)[0]

		ordered.setFail(func(_, msg string) bool { return msg == "old" })
		replayed, err := db.Webhooks().ReplayDelivery(context.Background(), rig.ws, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the replay's first attempt", func() bool { return ordered.attempts("old") > 1 })
		rig.post(p1, s1, "fresh")
		waitFor(t, "the message after the replay", func() bool { return ordered.has(p1, "fresh") })
		d, _, err := db.Webhooks().GetDelivery(context.Background(), rig.ws.WorkspaceID, replayed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != webhook.StatusPending {
			t.Errorf("the replay is %s; want it still failing and retried while the newer message went", d.Status)
		}
	})
}

// assertOrder checks got holds want in want's order (a duplicate of an
// attempt may repeat a message: at least once, never out of order).
func assertOrder(t *testing.T, got, want []string) {
	t.Helper()
	pos := map[string]int{}
	for i, m := range want {
		pos[m] = i
	}
	last := -1
	for _, m := range got {
		p, ok := pos[m]
		if !ok {
			continue
		}
		if p < last {
			t.Fatalf("received %v: %s after a later message", got, m)
		}
		last = p
	}
}
