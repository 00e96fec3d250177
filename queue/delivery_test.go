package queue_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/queue/queuetest"
	"github.com/countersign/countersign/webhook"
)

func TestEachEndpointReceivesWhatItSubscribedTo(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	subs := map[string][]string{
		"created":     {"apikey.created"},
		"apikey":      {"apikey.*"},
		"transaction": {"transaction.*"},
		"all":         {"*"},
	}
	receivers := map[string]*receiver{}
	for name, patterns := range subs {
		r := newReceiver(t, nil)
		r.secret = e.endpoint(r.URL, patterns).Secret
		receivers[name] = r
	}
	e.makeKeyEvents()
	e.waitSettled(1 + 3 + 3)
	want := map[string][]string{
		"created":     {"apikey.created"},
		"apikey":      {"apikey.created", "apikey.updated", "apikey.deleted"},
		"transaction": {},
		"all":         {"apikey.created", "apikey.updated", "apikey.deleted"},
	}
	for name, r := range receivers {
		got := r.received()
		types := typesOf(got)
		slices.Sort(types)
		w := slices.Clone(want[name])
		slices.Sort(w)
		if !slices.Equal(types, w) {
			t.Errorf("%s received %v, want %v", name, types, w)
		}
		for _, g := range got {
			if !g.Verified {
				t.Errorf("%s: event %s did not verify with the Standard Webhooks library", name, g.ID)
			}
		}
	}
	for _, d := range e.deliveries() {
		if d.Status != webhook.StatusDelivered || d.Attempts != 1 || d.DeliveredAt == nil {
			t.Errorf("delivery %+v, want delivered on the first attempt", d)
		}
	}
}

func TestRetriesFollowTheScheduleUntilSuccess(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	r := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error":"try later"}`))
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	e.endpoint(r.URL, []string{"apikey.created"})
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", "member"); err != nil {
		t.Fatal(err)
	}
	ds := e.waitSettled(1)
	d, attempts, err := e.db.Webhooks().GetDelivery(context.Background(), e.ws.WorkspaceID, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != webhook.StatusDelivered || d.Attempts != 3 || len(attempts) != 3 {
		t.Fatalf("delivery %+v with %d attempts, want delivered after 3", d, len(attempts))
	}
	for i, a := range attempts {
		wantCode := map[bool]int{true: 500, false: 200}[i < 2]
		if a.Number != i+1 || a.StatusCode == nil || *a.StatusCode != wantCode {
			t.Errorf("attempt %d: %+v, want status %d", i+1, a, wantCode)
		}
		if i < 2 && (a.ErrorClass != webhook.ClassHTTPStatus || a.ResponseBody != `{"error":"try later"}`) {
			t.Errorf("attempt %d: class %q body %q", i+1, a.ErrorClass, a.ResponseBody)
		}
	}
	got := r.received()
	if len(got) != 3 || got[0].ID != got[2].ID {
		t.Fatalf("receiver got %+v: want 3 attempts with one webhook-id", got)
	}
	// The second attempt waits at least the schedule's 100ms less jitter.
	if gap := got[1].At.Sub(got[0].At); gap < 80*time.Millisecond {
		t.Errorf("retry came %s after the failure, before the scheduled delay", gap)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	r := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	e.endpoint(r.URL, []string{"apikey.created"})
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", "member"); err != nil {
		t.Fatal(err)
	}
	e.waitSettled(1)
	got := r.received()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests, want 2", len(got))
	}
	if gap := got[1].At.Sub(got[0].At); gap < time.Second {
		t.Fatalf("retry came %s after a 429 with Retry-After: 1", gap)
	}
}

func TestExhaustedDeliveryFails(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	r := newReceiver(t, func(int, http.ResponseWriter) {})
	r.respond = func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusBadGateway) }
	e.endpoint(r.URL, []string{"apikey.created"})
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", "member"); err != nil {
		t.Fatal(err)
	}
	ds := e.waitSettled(1)
	if ds[0].Status != webhook.StatusFailed || ds[0].Attempts != len(testSchedule) || ds[0].NextAttemptAt != nil {
		t.Fatalf("delivery %+v, want failed after %d attempts", ds[0], len(testSchedule))
	}
	if n := len(r.received()); n != len(testSchedule) {
		t.Fatalf("receiver got %d requests, want %d", n, len(testSchedule))
	}
}

func TestRequeuedAttemptIsNotMadeTwice(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	r := newReceiver(t, nil)
	e.endpoint(r.URL, []string{"apikey.created"})
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", "member"); err != nil {
		t.Fatal(err)
	}
	d := e.waitSettled(1)[0]
	// What the reconciler does when it read the delivery as overdue just
	// before its attempt was recorded: queue attempt 1 again.
	enq := queue.NewEnqueuer(e.rds, slog.New(slog.NewTextHandler(io.Discard, nil)), 1)
	defer enq.Close()
	task := webhook.Task{DeliveryID: d.ID, WorkspaceID: e.ws.WorkspaceID, EndpointID: d.EndpointID, EventID: d.EventID, Attempt: 1, MayHaveRun: true}
	if n, err := enq.Enqueue(context.Background(), []webhook.Task{task}); err != nil || n != 1 {
		t.Fatalf("re-enqueue: %d, %v", n, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := queuetest.Inspector(t, e.redis).GetQueueInfo(queue.Deliveries)
		if err == nil && info.Pending == 0 && info.Active == 0 && info.Processed >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the re-queued task did not run: %+v, %v", info, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(r.received()); n != 1 {
		t.Fatalf("the receiver got %d requests, want 1: the recorded attempt was made again", n)
	}
}
