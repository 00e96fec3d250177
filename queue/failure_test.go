package queue_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/queue/queuetest"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// eventsOfType returns the stored envelopes of one type in the workspace.
func (e *engine) eventsOfType(t events.Type) []events.Event {
	e.t.Helper()
	var bodies []string
	err := storagetest.Select(context.Background(), e.db, &bodies, "SELECT body FROM events WHERE workspace_id = ? AND type = ? ORDER BY seq", e.ws.WorkspaceID, string(t))
	if err != nil {
		e.t.Fatal(err)
	}
	out := make([]events.Event, len(bodies))
	for i, b := range bodies {
		if err := json.Unmarshal([]byte(b), &out[i]); err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

func TestGoneDisablesTheEndpoint(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	gone := newReceiver(t, func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusGone) })
	watcher := newReceiver(t, nil)
	ep := e.endpoint(gone.URL, []string{"apikey.created"})
	e.endpoint(watcher.URL, []string{"endpoint.disabled"})
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", "member"); err != nil {
		t.Fatal(err)
	}
	e.waitSettled(2)
	got, err := e.db.Webhooks().GetEndpoint(context.Background(), e.ws.WorkspaceID, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Enabled || !strings.Contains(got.DisabledReason, "410") || got.DisabledAt == nil {
		t.Fatalf("endpoint after 410: enabled=%v reason=%q", got.Enabled, got.DisabledReason)
	}
	if n := len(gone.received()); n != 1 {
		t.Fatalf("a 410 endpoint got %d requests, want 1 (no retry)", n)
	}
	disabled := e.eventsOfType(events.EndpointDisabled)
	if len(disabled) != 1 || !strings.Contains(string(disabled[0].Data), ep.ID) {
		t.Fatalf("endpoint.disabled events: %+v", disabled)
	}
	if rs := watcher.received(); len(rs) != 1 || rs[0].Type != string(events.EndpointDisabled) {
		t.Fatalf("the workspace's other endpoint got %+v, want one endpoint.disabled", rs)
	}
	// Later events skip the disabled endpoint entirely.
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k2", "member"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(gone.received()); n != 1 {
		t.Fatalf("a disabled endpoint got %d requests", n)
	}
}

func TestContinuousFailureDisablesTheEndpoint(t *testing.T) {
	e := startEngine(t, engineOptions{
		guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}, disableAfter: 150 * time.Millisecond})
	failing := newReceiver(t, func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) })
	ep := e.endpoint(failing.URL, []string{"apikey.*"})
	e.makeKeyEvents()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := e.db.Webhooks().GetEndpoint(context.Background(), e.ws.WorkspaceID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Enabled {
			if !strings.Contains(got.DisabledReason, "failed since") {
				t.Fatalf("disabled with reason %q", got.DisabledReason)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an endpoint failing continuously was not disabled")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(e.eventsOfType(events.EndpointDisabled)); n != 1 {
		t.Fatalf("%d endpoint.disabled events, want exactly 1", n)
	}
	for _, d := range e.waitSettled(3) {
		if d.Status != webhook.StatusFailed {
			t.Errorf("delivery %s is %s after its endpoint was disabled", d.ID, d.Status)
		}
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n == 1 {
			select {
			case <-release:
			case <-time.After(3 * time.Second):
			}
		}
		w.WriteHeader(http.StatusOK)
	})
	one := 1
	e.endpoint(slow.URL, []string{"apikey.created"}, func(in *webhook.EndpointInput) { in.TimeoutSeconds = &one })
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", "member"); err != nil {
		t.Fatal(err)
	}
	ds := e.waitSettled(1)
	_, attempts, err := e.db.Webhooks().GetDelivery(context.Background(), e.ws.WorkspaceID, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 || attempts[0].ErrorClass != webhook.ClassTimeout || attempts[0].StatusCode != nil ||
		attempts[1].StatusCode == nil || *attempts[1].StatusCode != 200 {
		t.Fatalf("attempts %+v, want a timeout then a 200", attempts)
	}
}

func TestPrivateTargetsAreRefusedAtDialTime(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowHTTP: true}})
	r := newReceiver(t, nil)
	// Registered directly, as if its name had resolved to a public address
	// then: the dialer still refuses the loopback address it resolves to now.
	e.endpoint(r.URL, []string{"apikey.created"})
	if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", "member"); err != nil {
		t.Fatal(err)
	}
	ds := e.waitSettled(1)
	_, attempts, err := e.db.Webhooks().GetDelivery(context.Background(), e.ws.WorkspaceID, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.received()) != 0 {
		t.Fatal("the loopback receiver was reached")
	}
	if len(attempts) == 0 || attempts[0].ErrorClass != webhook.ClassConnect || !strings.Contains(attempts[0].Error, "not allowed") {
		t.Fatalf("attempts %+v, want connect errors naming the blocked address", attempts)
	}
}

func TestNothingIsLostWhenRedisIsFlushed(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}, reconcile: true})
	hold := make(chan struct{})
	r := newReceiver(t, func(n int, w http.ResponseWriter) {
		<-hold
		w.WriteHeader(http.StatusOK)
	})
	r.secret = e.endpoint(r.URL, []string{"apikey.created"}).Secret
	const keys = 40
	for i := 0; i < keys; i++ {
		if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", countersign.RoleMember); err != nil {
			t.Fatal(err)
		}
	}
	// Wipe the queue while every delivery is queued or in flight.
	if err := queuetest.Client(t, e.redis).FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	close(hold)
	ds := e.waitSettled(keys)
	seen := map[string]bool{}
	for _, g := range r.received() {
		seen[g.ID] = true
	}
	for _, d := range ds {
		if d.Status != webhook.StatusDelivered {
			t.Errorf("delivery %s is %s", d.ID, d.Status)
		}
		if !seen[d.EventID] {
			t.Errorf("event %s never reached the receiver", d.EventID)
		}
	}
}
