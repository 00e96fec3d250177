package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// rpClock is a settable clock for the database.
type rpClock struct{ us atomic.Int64 }

func newRPClock(db *storage.DB, start time.Time) *rpClock {
	c := &rpClock{}
	c.us.Store(start.UnixMicro())
	db.SetClock(c.now)
	return c
}

func (c *rpClock) now() time.Time               { return time.UnixMicro(c.us.Load()).UTC() }
func (c *rpClock) advance(d time.Duration)      { c.us.Add(d.Microseconds()) }
func (c *rpClock) at(d time.Duration) time.Time { return c.now().Add(d) }

// rpTasks records dispatched tasks.
type rpTasks struct {
	mu    sync.Mutex
	tasks []webhook.Task
}

func (r *rpTasks) dispatch(ts []webhook.Task) {
	r.mu.Lock()
	r.tasks = append(r.tasks, ts...)
	r.mu.Unlock()
}

func (r *rpTasks) all() []webhook.Task {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]webhook.Task(nil), r.tasks...)
}

// rpEndpoint registers an endpoint subscribed to patterns.
func rpEndpoint(t *testing.T, db *storage.DB, actor countersign.Actor, patterns ...string) webhook.Endpoint {
	t.Helper()
	url := "https://receiver.example/hook"
	e, err := db.Webhooks().CreateEndpoint(context.Background(), actor, webhook.EndpointInput{URL: &url, EventTypes: patterns})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// rpTestDelivery sends a webhook.test event to e and returns its delivery.
func rpTestDelivery(t *testing.T, db *storage.DB, actor countersign.Actor, e webhook.Endpoint) webhook.Delivery {
	t.Helper()
	_, d, err := db.Webhooks().SendTestEvent(context.Background(), actor, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rpAttempt records attempt 1 of d answered with code at at.
func rpAttempt(t *testing.T, db *storage.DB, d webhook.Delivery, code int, at time.Time) {
	t.Helper()
	rec := webhook.AttemptRecord{
		Task: webhook.Task{DeliveryID: d.ID, WorkspaceID: d.WorkspaceID, EndpointID: d.EndpointID, EventID: d.EventID, Attempt: 1},
		Attempt: webhook.Attempt{ID: countersign.NewID(countersign.PrefixAttempt, at), DeliveryID: d.ID, EndpointID: d.EndpointID,
			Number: 1, StartedAt: at, Latency: 12 * time.Millisecond, StatusCode: &code},
		Status: webhook.StatusDelivered,
	}
	if code/100 != 2 {
		rec.Status, rec.Failed = webhook.StatusFailed, true
		rec.Attempt.ErrorClass, rec.Attempt.Error = webhook.ClassHTTPStatus, "the endpoint answered an error"
	}
	if out, err := db.Webhooks().RecordAttempt(context.Background(), rec); err != nil || !out.Applied {
		t.Fatalf("record attempt: %v, %+v", err, out)
	}
}

// rpDeliveries lists the deliveries of a replay.
func rpDeliveries(t *testing.T, db *storage.DB, workspaceID, replayID string) []webhook.Delivery {
	t.Helper()
	all, _, err := db.Webhooks().ListDeliveries(context.Background(), workspaceID, webhook.DeliveryFilter{}, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []webhook.Delivery
	for _, d := range all {
		if d.ReplayID == replayID {
			out = append(out, d)
		}
	}
	return out
}

// rpFailed makes n failed deliveries to e, one a millisecond, and returns their event ids.
func rpFailed(t *testing.T, db *storage.DB, clock *rpClock, actor countersign.Actor, e webhook.Endpoint, n int) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for range n {
		d := rpTestDelivery(t, db, actor, e)
		rpAttempt(t, db, d, 500, clock.now())
		ids[d.EventID] = true
		clock.advance(time.Millisecond)
	}
	return ids
}

// rpRunner is the bulk replay runner over db.
func rpRunner(db *storage.DB) *webhook.ReplayRunner {
	return &webhook.ReplayRunner{Store: db.Webhooks()}
}

func TestRunReplaysPacesAndCompletes(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := newRPClock(db, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		rec := &rpTasks{}
		db.SetDispatcher(rec.dispatch)
		actor, _ := storagetest.Workspace(t, db, "A")
		ep, other := rpEndpoint(t, db, actor, "*"), rpEndpoint(t, db, actor, "*")
		start := clock.now()
		failed := rpFailed(t, db, clock, actor, ep, 25)
		rpAttempt(t, db, rpTestDelivery(t, db, actor, ep), 200, clock.now()) // delivered: not replayed
		rpFailed(t, db, clock, actor, other, 3)                              // another endpoint
		end := clock.now()
		rpFailed(t, db, clock, actor, ep, 2) // after the range
		clock.advance(time.Second)
		tasksBefore := len(rec.all())

		f := webhook.DeliveryFilter{EndpointID: ep.ID, Status: webhook.StatusFailed, CreatedAfter: &start, CreatedBefore: &end}
		if n, err := db.Webhooks().CountReplay(ctx, actor.WorkspaceID, f); err != nil || n != 25 {
			t.Fatalf("dry run counted %d, %v; want 25", n, err)
		}
		r, err := db.Webhooks().CreateReplay(ctx, actor, f, 10)
		if err != nil || r.Total != 25 || r.Status != webhook.ReplayRunning || r.APIKeyID != actor.APIKeyID {
			t.Fatalf("create: %+v, %v", r, err)
		}
		// 10 a second is 2 per 200 ms step; a second call at the same moment makes none.
		var perTick []int
		for k := 1; k <= 20; k++ {
			now := r.CreatedAt.Add(time.Duration(k) * 200 * time.Millisecond)
			n, err := rpRunner(db).Step(ctx, now, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := rpRunner(db).Step(ctx, now, 1000); again != 0 {
				t.Fatalf("tick %d: a second run at the same moment made %d deliveries", k, again)
			}
			perTick = append(perTick, n)
		}
		for k, n := range perTick {
			want := 2 // 12 ticks of 2, one of 1, then the replay is completed
			switch {
			case k == 12:
				want = 1
			case k > 12:
				want = 0
			}
			if n != want {
				t.Fatalf("deliveries per tick = %v, want 2 per tick then 1 then none", perTick)
			}
		}
		got, err := db.Webhooks().GetReplay(ctx, actor.WorkspaceID, r.ID)
		if err != nil || got.Status != webhook.ReplayCompleted || got.Done != 25 || got.FinishedAt == nil {
			t.Fatalf("after the run: %+v, %v", got, err)
		}
		made := rpDeliveries(t, db, actor.WorkspaceID, r.ID)
		if len(made) != 25 {
			t.Fatalf("replay made %d deliveries, want 25", len(made))
		}
		for _, d := range made {
			if !failed[d.EventID] || d.EndpointID != ep.ID || d.Status != webhook.StatusPending || d.NextAttemptAt == nil {
				t.Fatalf("replay delivery %+v", d)
			}
		}
		tasks := rec.all()[tasksBefore:]
		if len(tasks) != 25 {
			t.Fatalf("dispatched %d tasks, want 25", len(tasks))
		}
		for _, task := range tasks {
			if !task.Replay || task.Attempt != 1 {
				t.Fatalf("task %+v is not a first replay attempt", task)
			}
		}
		// The originals now have a newer delivery: a second replay finds nothing.
		if n, err := db.Webhooks().CountReplay(ctx, actor.WorkspaceID, f); err != nil || n != 0 {
			t.Fatalf("second dry run counted %d, %v; want 0", n, err)
		}
		r2, err := db.Webhooks().CreateReplay(ctx, actor, f, 10)
		if err != nil || r2.Status != webhook.ReplayCompleted || r2.Total != 0 {
			t.Fatalf("empty replay: %+v, %v", r2, err)
		}
	})
}

func TestRunReplaysBudgetAndCancel(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := newRPClock(db, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		actor, _ := storagetest.Workspace(t, db, "A")
		otherWS, _ := storagetest.Workspace(t, db, "B")
		ep := rpEndpoint(t, db, actor, "*")
		start := clock.now()
		rpFailed(t, db, clock, actor, ep, 10)
		end := clock.now()
		clock.advance(time.Second)
		f := webhook.DeliveryFilter{EndpointID: ep.ID, Status: webhook.StatusFailed, CreatedAfter: &start, CreatedBefore: &end}
		r, err := db.Webhooks().CreateReplay(ctx, actor, f, 1000)
		if err != nil {
			t.Fatal(err)
		}
		// The budget bounds a call; an idle hour saves up no more than a second of pace.
		if n, err := rpRunner(db).Step(ctx, r.CreatedAt.Add(time.Hour), 3); err != nil || n != 3 {
			t.Fatalf("budget 3 made %d, %v", n, err)
		}
		if _, err := db.Webhooks().CancelReplay(ctx, otherWS, r.ID); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("cancel from another workspace: %v", err)
		}
		got, err := db.Webhooks().CancelReplay(ctx, actor, r.ID)
		if err != nil || got.Status != webhook.ReplayCancelled || got.Done != 3 || got.FinishedAt == nil {
			t.Fatalf("cancel: %+v, %v", got, err)
		}
		if n, err := rpRunner(db).Step(ctx, r.CreatedAt.Add(2*time.Hour), 1000); err != nil || n != 0 {
			t.Fatalf("a cancelled replay made %d deliveries, %v", n, err)
		}
		if _, err := db.Webhooks().CancelReplay(ctx, actor, r.ID); countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("second cancel: %v, want a conflict", err)
		}
		if len(rpDeliveries(t, db, actor.WorkspaceID, r.ID)) != 3 {
			t.Fatal("cancelled replay: deliveries were made after the cancel")
		}
	})
}

func TestRunReplaysWaitsForADisabledEndpointAndFailsForADeletedOne(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := newRPClock(db, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		actor, _ := storagetest.Workspace(t, db, "A")
		ep := rpEndpoint(t, db, actor, "*")
		start := clock.now()
		rpFailed(t, db, clock, actor, ep, 4)
		end := clock.now()
		f := webhook.DeliveryFilter{EndpointID: ep.ID, Status: webhook.StatusFailed, CreatedAfter: &start, CreatedBefore: &end}
		r, err := db.Webhooks().CreateReplay(ctx, actor, f, 1)
		if err != nil {
			t.Fatal(err)
		}
		off := false
		if _, err := db.Webhooks().UpdateEndpoint(ctx, actor, ep.ID, webhook.EndpointInput{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		if n, err := rpRunner(db).Step(ctx, r.CreatedAt.Add(time.Minute), 1000); err != nil || n != 0 {
			t.Fatalf("disabled endpoint: made %d, %v", n, err)
		}
		if got, _ := db.Webhooks().GetReplay(ctx, actor.WorkspaceID, r.ID); got.Status != webhook.ReplayRunning {
			t.Fatalf("disabled endpoint: replay is %s, want running (waiting)", got.Status)
		}
		if _, err := db.Webhooks().CreateReplay(ctx, actor, f, 1); countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("replay to a disabled endpoint: %v, want a conflict", err)
		}
		if err := db.Webhooks().DeleteEndpoint(ctx, actor, ep.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := rpRunner(db).Step(ctx, r.CreatedAt.Add(2*time.Minute), 1000); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Webhooks().GetReplay(ctx, actor.WorkspaceID, r.ID); got.Status != webhook.ReplayFailed || got.FinishedAt == nil {
			t.Fatalf("deleted endpoint: replay %+v, want failed", got)
		}
	})
}

func TestSingleReplays(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		actor, _ := storagetest.Workspace(t, db, "A")
		otherWS, _ := storagetest.Workspace(t, db, "B")
		ep := rpEndpoint(t, db, actor, "*")
		d := rpTestDelivery(t, db, actor, ep)
		rec := &rpTasks{}
		db.SetDispatcher(rec.dispatch)
		again, err := db.Webhooks().ReplayDelivery(ctx, actor, d.ID)
		if err != nil || again.EventID != d.EventID || again.ReplayID != d.ID || again.ID == d.ID {
			t.Fatalf("replay delivery: %+v, %v", again, err)
		}
		if tasks := rec.all(); len(tasks) != 1 || !tasks[0].Replay || tasks[0].DeliveryID != again.ID {
			t.Fatalf("dispatched %+v", tasks)
		}
		if _, err := db.Webhooks().ReplayDelivery(ctx, otherWS, d.ID); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("another workspace's delivery: %v", err)
		}
		// A test event goes to the endpoint named, never to every subscriber.
		if _, err := db.Webhooks().ReplayEvent(ctx, actor, d.EventID, ""); countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("replaying a test event to all: %v, want a conflict", err)
		}
		if ds, err := db.Webhooks().ReplayEvent(ctx, actor, d.EventID, ep.ID); err != nil || len(ds) != 1 || ds[0].ReplayID != d.EventID {
			t.Fatalf("replay event to one endpoint: %+v, %v", ds, err)
		}
		if _, err := db.Raw().ExecContext(ctx, db.Raw().Rebind("UPDATE events SET body = NULL WHERE id = ?"), d.EventID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Webhooks().ReplayDelivery(ctx, actor, d.ID); countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("replay of an expunged event: %v, want a conflict", err)
		}
	})
}

func TestConcurrentReplayRunnersMakeEachDeliveryOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := newRPClock(db, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		actor, _ := storagetest.Workspace(t, db, "A")
		ep := rpEndpoint(t, db, actor, "*")
		start := clock.now()
		rpFailed(t, db, clock, actor, ep, 30)
		end := clock.now()
		clock.advance(time.Second)
		r, err := db.Webhooks().CreateReplay(ctx, actor, webhook.DeliveryFilter{EndpointID: ep.ID, Status: webhook.StatusFailed,
			CreatedAfter: &start, CreatedBefore: &end}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var made atomic.Int64
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 1; k <= 10; k++ {
					n, err := rpRunner(db).Step(ctx, r.CreatedAt.Add(time.Duration(k*10+i)*time.Millisecond), 1000)
					if err != nil {
						t.Error(err)
					}
					made.Add(int64(n))
				}
			}()
		}
		wg.Wait()
		got, _ := db.Webhooks().GetReplay(ctx, actor.WorkspaceID, r.ID)
		if n := len(rpDeliveries(t, db, actor.WorkspaceID, r.ID)); n != 30 || made.Load() != 30 || got.Done != 30 {
			t.Fatalf("four runners made %d deliveries (reported %d, done %d), want 30 each once", n, made.Load(), got.Done)
		}
	})
}
