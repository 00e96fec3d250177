package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/queue/queuetest"
	"github.com/countersign/countersign/webhook"
)

// newDeliveringConsole is a console server whose deliveries are sent: the
// queue on real Redis, the webhook deliverer in a worker, and the loop that
// advances bulk replays, as `serve` runs them. A failing delivery is tried
// twice, then fails.
func newDeliveringConsole(t *testing.T) *consoleServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	rds, err := queue.Open(ctx, queuetest.URL(t), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rds.Close() })
	enq := queue.NewEnqueuer(rds, log, 2)
	t.Cleanup(enq.Close)
	guard := webhook.Guard{AllowPrivate: true, AllowHTTP: true}
	cs := newConsoleServer(t, api.Deps{Guard: guard, Logger: log})
	cs.db.SetDispatcher(enq.Dispatch)

	w := queue.NewWorker(rds, queue.WorkerConfig{Concurrency: 4, ShutdownTimeout: 2 * time.Second}, log)
	w.HandleDeliveries(webhook.NewDeliverer(webhook.DelivererConfig{Store: cs.db.Webhooks(), Queue: enq, Logger: log,
		Schedule: webhook.Schedule{0, 50 * time.Millisecond},
		Sender:   webhook.NewSender(webhook.SenderConfig{Version: "test", Guard: guard})}))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	loopCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-loopCtx.Done():
				return
			case <-tick.C:
				_, _ = (&webhook.ReplayRunner{Store: cs.db.Webhooks()}).Step(loopCtx, cs.db.Now(), 100)
			}
		}
	}()
	t.Cleanup(func() {
		stop()
		<-done
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		w.Shutdown(sctx)
	})
	return cs
}

// switchable is a webhook receiver that answers 500 until it is healed.
type switchable struct {
	healthy atomic.Bool
	hits    atomic.Int64
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	_, _ = io.Copy(io.Discard, r.Body)
	if !s.healthy.Load() {
		w.Header().Set("X-Receiver", "down")
		http.Error(w, `{"error":"receiver is down"}`, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func TestConsoleBrowserReplayFlow(t *testing.T) {
	ctx := newChromium(t)
	cs := newDeliveringConsole(t)
	recv := &switchable{}
	hook := httptest.NewServer(recv)
	t.Cleanup(hook.Close)
	b := &tab{t: t, ctx: ctx, base: cs.url}

	// Sign in.
	b.open("/console/")
	b.do("sign-in page", chromedp.WaitVisible(chromedp.CSS(`input[name="api_key"]`)))
	b.shoot("sign-in")
	b.do("sign in", chromedp.SendKeys(chromedp.CSS(`input[name="api_key"]`), cs.owner),
		chromedp.Submit(chromedp.CSS(`input[name="api_key"]`)),
		chromedp.WaitVisible(chromedp.CSS(`header nav`)))
	if p := b.path(); p != "/console/overview" {
		t.Fatalf("signed in at %s", p)
	}

	// Register an endpoint on the failing receiver.
	b.open("/console/endpoints/new")
	b.do("fill the endpoint form",
		chromedp.SendKeys(chromedp.CSS(`input[name="url"]`), hook.URL+"/hooks"),
		chromedp.SendKeys(chromedp.CSS(`input[name="description"]`), "Signing receiver"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="extra_types"]`), "transaction.*\naction.*"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="headers"]`), "X-Tenant: acme"),
		chromedp.SendKeys(chromedp.CSS(`input[name="rate_limit"]`), "50"))
	b.shoot("endpoint-new")
	b.do("create the endpoint", chromedp.Submit(chromedp.CSS(`input[name="url"]`)), chromedp.WaitVisible(chromedp.ID("secret")))
	if s := b.text("#secret"); !strings.HasPrefix(s, "whsec_") {
		t.Fatalf("the secret shown is %q", s)
	}
	b.shoot("endpoint-secret")
	eps := cs.do("GET", "/v1/webhooks/endpoints", cs.owner, nil).JSON(t)["data"].([]any)
	if len(eps) != 1 {
		t.Fatalf("%d endpoints", len(eps))
	}
	endpointID := eps[0].(map[string]any)["id"].(string)

	// Drive a process: its events fail on the receiver.
	_, processID := seedProcess(t, cs.harness)
	// Wait for every delivery to have failed, not for the first one: the bulk
	// replay below counts the failed deliveries left once one is replayed, and
	// on a loaded machine the others may still be between attempts.
	var failedID string
	waitFor(t, "every delivery of the process to fail", func() bool {
		l := cs.do("GET", "/v1/webhooks/deliveries?limit=100&endpoint_id="+endpointID, cs.owner, nil).JSON(t)["data"].([]any)
		for _, d := range l {
			if d.(map[string]any)["status"] != "failed" {
				return false
			}
		}
		if len(l) < 2 {
			return false
		}
		failedID = l[len(l)-1].(map[string]any)["id"].(string)
		return true
	})

	// Find it in the console, with its attempts.
	b.open("/console/deliveries?status=failed&endpoint_id=" + endpointID)
	b.do("failed deliveries", chromedp.WaitVisible(chromedp.CSS(`a[href="/console/deliveries/`+failedID+`"]`)))
	b.shoot("deliveries")
	b.do("open the delivery", chromedp.Click(chromedp.CSS(`a[href="/console/deliveries/`+failedID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.attempts`)))
	if got := b.text("table.attempts"); !strings.Contains(got, "500") || strings.Count(got, "\n") < 2 {
		t.Fatalf("attempts of the failed delivery: %q", got)
	}
	b.do("open an attempt's response", chromedp.Click(chromedp.CSS(`table.attempts details summary`)))
	if got := b.text("table.attempts details pre"); !strings.Contains(got, "receiver is down") || !strings.Contains(strings.ToLower(got), "x-receiver") {
		t.Fatalf("stored response of the attempt: %q", got)
	}
	b.shoot("delivery")

	// Heal the receiver and replay from the console.
	recv.healthy.Store(true)
	b.do("replay", chromedp.Click(chromedp.CSS(`form[action$="/replay"] button`)), chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	replayPath := b.path()
	if replayPath == "/console/deliveries/"+failedID {
		t.Fatalf("the replay did not open the new delivery")
	}
	waitFor(t, "the replayed delivery to succeed", func() bool {
		b.open(replayPath)
		return strings.Contains(b.text(".actions"), "delivered")
	})

	// Bulk replay of the endpoint's other failed deliveries: count, confirm, progress.
	b.open("/console/replays")
	b.do("count", chromedp.Click(chromedp.ID("count-replay")), chromedp.WaitVisible(chromedp.ID("dry-run-count")))
	n, err := strconv.Atoi(b.text("#dry-run-count"))
	if err != nil || n < 1 {
		t.Fatalf("dry-run count %q", b.text("#dry-run-count"))
	}
	b.shoot("replay-dry-run")
	b.do("confirm", chromedp.Click(chromedp.ID("confirm-replay")),
		chromedp.WaitVisible(chromedp.CSS(`#replay[data-finished="completed"]`)))
	if got, want := b.text("#replay-count"), strconv.Itoa(n)+" / "+strconv.Itoa(n); got != want {
		t.Fatalf("finished replay shows %q, want %q", got, want)
	}
	b.shoot("replay-progress")
	waitFor(t, "every delivery delivered", func() bool {
		l := cs.do("GET", "/v1/webhooks/deliveries?status=pending&endpoint_id="+endpointID, cs.owner, nil).JSON(t)["data"].([]any)
		return len(l) == 0
	})

	// Every page, for the screenshots and to see they render in a browser.
	eventID := cs.do("GET", "/v1/events?type=transaction.*&limit=1", cs.owner, nil).JSON(t)["data"].([]any)[0].(map[string]any)["id"].(string)
	for name, path := range map[string]string{
		"overview": "/console/overview", "endpoints": "/console/endpoints", "endpoint": "/console/endpoints/" + endpointID,
		"events": "/console/events?period=before&type=transaction.*", "event": "/console/events/" + eventID,
		"replays": "/console/replays", "processes": "/console/processes", "process": "/console/processes/" + processID,
		"event-types": "/console/event-types", "api-keys": "/console/api-keys", "usage": "/console/usage",
	} {
		b.open(path)
		b.do("page "+name, chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if b.eval(`document.querySelector("p.error") !== null`) {
			t.Errorf("page %s shows an error: %s", name, b.text("p.error"))
		}
		b.shoot(name)
	}

	// Sign out: the session is gone.
	b.do("sign out", chromedp.Click(chromedp.CSS(`form.signout button`)), chromedp.WaitVisible(chromedp.CSS(`input[name="api_key"]`)))
	if n := cs.console.SessionCount(); n != 0 {
		t.Fatalf("%d sessions after sign-out", n)
	}
	b.open("/console/overview")
	if p := b.path(); p != "/console/sign-in" {
		t.Fatalf("after sign-out /console/overview opens %s", p)
	}
}

// seedProcess creates and starts a process as the owner.
func seedProcess(t *testing.T, s *harness, mods ...func(map[string]any)) (any, string) {
	t.Helper()
	res := s.do("POST", "/v1/processes", s.owner, processBody(mods...))
	if res.Status != 201 {
		t.Fatalf("create process: %d %s", res.Status, res.Body)
	}
	id := res.JSON(t)["id"].(string)
	if res = s.do("POST", "/v1/processes/"+id+"/start", s.owner, nil); res.Status != 200 {
		t.Fatalf("start process: %d %s", res.Status, res.Body)
	}
	return nil, id
}
