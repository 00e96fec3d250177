package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/webhook"
)

// whQueue records the tasks handed to the queue. Nothing runs them here: the
// end-to-end tests cover the queue on a real Redis.
type whQueue struct {
	mu    sync.Mutex
	tasks []webhook.Task
}

// Dispatch is the database's dispatcher.
func (q *whQueue) Dispatch(ts []webhook.Task) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tasks = append(q.tasks, ts...)
}

func (q *whQueue) all() []webhook.Task {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]webhook.Task(nil), q.tasks...)
}

// whClock is the database clock of a webhook test server.
type whClock struct{ us atomic.Int64 }

func (c *whClock) now() time.Time          { return time.UnixMicro(c.us.Load()).UTC() }
func (c *whClock) advance(d time.Duration) { c.us.Add(d.Microseconds()) }

// newWebhookServer starts a server that allows loopback endpoints, records
// queued tasks (the database's dispatcher), and runs on a settable clock.
func newWebhookServer(t *testing.T) (*harness, *whQueue, *whClock) {
	t.Helper()
	q := &whQueue{}
	s := newHarness(t, api.Config{}, api.Deps{})
	clock := &whClock{}
	clock.us.Store(time.Now().Add(-time.Hour).UnixMicro())
	s.db.SetClock(clock.now)
	s.db.SetDispatcher(q.Dispatch)
	return s, q, clock
}

// whEndpoint registers an endpoint on a loopback URL and returns its answer.
func whEndpoint(s *harness, token string, types ...string) map[string]any {
	s.t.Helper()
	res := s.do("POST", "/v1/webhooks/endpoints", token, map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": types})
	if res.Status != http.StatusCreated {
		s.t.Fatalf("create endpoint: %d %s", res.Status, res.Body)
	}
	return res.JSON(s.t)
}

// whTestDelivery sends a webhook.test event to endpoint id through the store.
func whTestDelivery(s *harness, ws countersign.Actor, id string) webhook.Delivery {
	s.t.Helper()
	_, d, err := s.db.Webhooks().SendTestEvent(context.Background(), ws, id)
	if err != nil {
		s.t.Fatal(err)
	}
	return d
}

// whAttempt records the next attempt of d, answered with code at at; it is
// final (delivered or failed) unless retry is set.
func whAttempt(s *harness, d webhook.Delivery, number, code int, at time.Time, retry bool) {
	s.t.Helper()
	rec := webhook.AttemptRecord{
		Task: webhook.Task{DeliveryID: d.ID, WorkspaceID: d.WorkspaceID, EndpointID: d.EndpointID, EventID: d.EventID, Attempt: number},
		Attempt: webhook.Attempt{ID: countersign.NewID(countersign.PrefixAttempt, at), DeliveryID: d.ID, EndpointID: d.EndpointID,
			Number: number, StartedAt: at, Latency: 1500 * time.Microsecond, StatusCode: &code,
			ResponseHeaders: http.Header{"Content-Type": {"text/plain"}}, ResponseBody: "answer " + http.StatusText(code)},
		Status: webhook.StatusDelivered,
	}
	if code/100 != 2 {
		rec.Failed, rec.Status = true, webhook.StatusFailed
		rec.Attempt.ErrorClass, rec.Attempt.Error = webhook.ClassHTTPStatus, "the endpoint answered "+http.StatusText(code)
		if retry {
			next := at.Add(5 * time.Second)
			rec.Status, rec.NextAttemptAt = webhook.StatusPending, &next
		}
	}
	if out, err := s.db.Webhooks().RecordAttempt(context.Background(), rec); err != nil || !out.Applied {
		s.t.Fatalf("record attempt: %v %+v", err, out)
	}
}

func TestWebhookEndpointCRUD(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	res := s.do("POST", "/v1/webhooks/endpoints", s.owner, map[string]any{
		"url": "http://127.0.0.1:9/hook", "description": " Orders ", "event_types": []string{"transaction.*", "action.opened", "action.opened"},
		"headers": map[string]string{"X-Tenant": "acme"}, "timeout_seconds": 5,
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var created api.EndpointView
	decodeWH(t, res, &created)
	if !strings.HasPrefix(created.Secret, "whsec_") || !countersign.ValidID("ep", created.ID) || created.Object != "webhook_endpoint" ||
		created.Description != "Orders" || strings.Join(created.EventTypes, ",") != "action.opened,transaction.*" ||
		created.Headers["X-Tenant"] != "acme" || created.TimeoutSeconds != 5 || created.RateLimit != nil || !created.Enabled ||
		created.Health.SuccessRate != nil || created.Health.Attempts24h != 0 || created.Health.LastAttempts == nil {
		t.Fatalf("create answered %s", res.Body)
	}
	path := "/v1/webhooks/endpoints/" + created.ID
	for _, p := range []string{path, "/v1/webhooks/endpoints"} {
		res := s.do("GET", p, s.owner, nil)
		if res.Status != 200 || strings.Contains(string(res.Body), created.Secret) || strings.Contains(string(res.Body), `"secret"`) {
			t.Fatalf("GET %s shows the secret or failed: %d %s", p, res.Status, res.Body)
		}
	}
	res = s.do("PATCH", path, s.owner, map[string]any{"rate_limit": 5, "event_types": []string{"*"}, "description": "all"})
	var updated api.EndpointView
	decodeWH(t, res, &updated)
	if res.Status != 200 || updated.RateLimit == nil || *updated.RateLimit != 5 || updated.EventTypes[0] != "*" ||
		updated.Description != "all" || updated.URL != created.URL || updated.Secret != "" {
		t.Fatalf("update: %d %s", res.Status, res.Body)
	}

	// The service disables a failing endpoint; enabling it again clears that state.
	d := whTestDelivery(s, s.ws, created.ID)
	rec := webhook.AttemptRecord{Task: webhook.Task{DeliveryID: d.ID, WorkspaceID: d.WorkspaceID, EndpointID: d.EndpointID, EventID: d.EventID, Attempt: 1},
		Attempt: webhook.Attempt{ID: countersign.NewID("att", time.Now()), DeliveryID: d.ID, EndpointID: d.EndpointID, Number: 1,
			StartedAt: time.Now(), StatusCode: whPtr(410), ErrorClass: webhook.ClassHTTPStatus},
		Status: webhook.StatusFailed, Failed: true, DisableEndpoint: "the endpoint answered 410 Gone"}
	if _, err := s.db.Webhooks().RecordAttempt(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	res = s.do("GET", path, s.owner, nil)
	var disabled api.EndpointView
	decodeWH(t, res, &disabled)
	if disabled.Enabled || disabled.DisabledReason == nil || disabled.DisabledAt == nil || disabled.Health.FailingSince == nil ||
		disabled.Health.Attempts24h != 1 || *disabled.Health.SuccessRate != 0 || len(disabled.Health.LastAttempts) != 1 ||
		disabled.Health.LastAttempts[0].DeliveryID != d.ID || *disabled.Health.LastAttempts[0].StatusCode != 410 {
		t.Fatalf("disabled endpoint: %s", res.Body)
	}
	res = s.do("PATCH", path, s.owner, map[string]any{"enabled": true})
	var enabled api.EndpointView
	decodeWH(t, res, &enabled)
	if !enabled.Enabled || enabled.DisabledReason != nil || enabled.DisabledAt != nil || enabled.Health.FailingSince != nil {
		t.Fatalf("re-enabled endpoint: %s", res.Body)
	}

	if res := s.do("DELETE", path, s.owner, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if res := s.do(m, path, s.owner, nil); res.Status != http.StatusNotFound {
			t.Fatalf("%s after delete: %d %s", m, res.Status, res.Body)
		}
	}
}

func TestWebhookSecretRotation(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	ep := whEndpoint(s, s.owner, "*")
	id, old := ep["id"].(string), ep["secret"].(string)
	base := "/v1/webhooks/endpoints/" + id

	res := s.do("POST", base+"/secret/rotate", s.owner, nil) // no body: a day's grace
	if res.Status != 200 {
		t.Fatalf("rotate: %d %s", res.Status, res.Body)
	}
	fresh, _ := res.JSON(t)["secret"].(string)
	if !strings.HasPrefix(fresh, "whsec_") || fresh == old {
		t.Fatalf("rotate answered secret %q (old %q)", fresh, old)
	}
	e, err := s.db.Webhooks().GetEndpoint(context.Background(), s.ws.WorkspaceID, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Secrets(time.Now()); len(got) != 2 || got[0] != fresh || got[1] != old {
		t.Fatalf("signing secrets after rotation: %v", got)
	}
	var sv api.SecretView
	res = s.do("GET", base+"/secret", s.owner, nil)
	decodeWH(t, res, &sv)
	if res.Status != 200 || sv.Secret != fresh || sv.PreviousSecret == nil || *sv.PreviousSecret != old || sv.PreviousSecretExpiresAt == nil ||
		sv.PreviousSecretExpiresAt.Sub(time.Now()) < 22*time.Hour {
		t.Fatalf("get secret: %d %s", res.Status, res.Body)
	}
	integrator := s.key(s.ws, countersign.RoleIntegrator)
	if res := s.do("GET", base+"/secret", integrator, nil); res.Status != http.StatusOK {
		t.Fatalf("integrator reading the secret: %d %s", res.Status, res.Body)
	}
	if res := s.do("GET", base+"/secret", s.key(s.ws, countersign.RoleAdmin), nil); res.Status != 200 {
		t.Fatalf("admin reading the secret: %d %s", res.Status, res.Body)
	}
	// No grace: only the new secret signs.
	res = s.do("POST", base+"/secret/rotate", s.owner, map[string]int{"grace_period_seconds": 0})
	newest, _ := res.JSON(t)["secret"].(string)
	res = s.do("GET", base+"/secret", s.owner, nil)
	decodeWH(t, res, &sv)
	if sv.Secret != newest || sv.PreviousSecret != nil || sv.PreviousSecretExpiresAt != nil {
		t.Fatalf("after a rotation without grace: %s", res.Body)
	}
	for _, body := range []any{map[string]int{"grace_period_seconds": -1}, map[string]int{"grace_period_seconds": 604801}} {
		if res := s.do("POST", base+"/secret/rotate", s.owner, body); res.Status != 422 || res.ErrorField(t) != "grace_period_seconds" {
			t.Fatalf("rotate %v: %d %s", body, res.Status, res.Body)
		}
	}
	if res := s.do("POST", base+"/secret/rotate", s.owner, `{"grace_period_seconds":"1d"}`); res.Status != 400 {
		t.Fatalf("rotate with a string grace: %d %s", res.Status, res.Body)
	}
}

func TestWebhookEndpointValidation(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	valid := func(mods map[string]any) map[string]any {
		b := map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{"action.opened"}}
		for k, v := range mods {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	long := strings.Repeat("x", webhook.MaxDescriptionLength+1)
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"unknown event type", valid(map[string]any{"event_types": []string{"action.opend"}}), 422, "event_types"},
		{"unknown prefix", valid(map[string]any{"event_types": []string{"nothing.*"}}), 422, "event_types"},
		{"no event types", valid(map[string]any{"event_types": []string{}}), 422, "event_types"},
		{"missing event types", valid(map[string]any{"event_types": nil}), 422, "event_types"},
		{"missing url", valid(map[string]any{"url": nil}), 422, "url"},
		{"relative url", valid(map[string]any{"url": "/hook"}), 422, "url"},
		{"url with fragment", valid(map[string]any{"url": "http://127.0.0.1/hook#x"}), 422, "url"},
		{"reserved header", valid(map[string]any{"headers": map[string]string{"webhook-id": "x"}}), 422, "headers"},
		{"framing header", valid(map[string]any{"headers": map[string]string{"Content-Type": "text/plain"}}), 422, "headers"},
		{"bad header name", valid(map[string]any{"headers": map[string]string{"X Bad": "x"}}), 422, "headers"},
		{"bad header value", valid(map[string]any{"headers": map[string]string{"X-Ok": "a\nb"}}), 422, "headers.X-Ok"},
		{"negative rate limit", valid(map[string]any{"rate_limit": -1}), 422, "rate_limit"},
		{"huge rate limit", valid(map[string]any{"rate_limit": webhook.MaxRateLimit + 1}), 422, "rate_limit"},
		{"zero timeout", valid(map[string]any{"timeout_seconds": 0}), 422, "timeout_seconds"},
		{"long timeout", valid(map[string]any{"timeout_seconds": webhook.MaxTimeoutSeconds + 1}), 422, "timeout_seconds"},
		{"long description", valid(map[string]any{"description": long}), 422, "description"},
		{"unknown field", valid(map[string]any{"secret": "whsec_x"}), 400, "secret"},
		{"wrong type", valid(map[string]any{"event_types": "action.opened"}), 400, "event_types"},
		{"bad JSON", `{"url":`, 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := s.do("POST", "/v1/webhooks/endpoints", s.owner, c.body)
			if res.Status != c.status || res.ErrorField(t) != c.field {
				t.Fatalf("%d %s, want %d naming %q", res.Status, res.Body, c.status, c.field)
			}
		})
	}
	// The bounds themselves are accepted, and updates are checked alike.
	res := s.do("POST", "/v1/webhooks/endpoints", s.owner, valid(map[string]any{"rate_limit": webhook.MaxRateLimit, "timeout_seconds": webhook.MaxTimeoutSeconds}))
	if res.Status != http.StatusCreated {
		t.Fatalf("bounds: %d %s", res.Status, res.Body)
	}
	path := "/v1/webhooks/endpoints/" + res.JSON(t)["id"].(string)
	if res := s.do("PATCH", path, s.owner, map[string]any{"event_types": []string{"nope"}}); res.Status != 422 || res.ErrorField(t) != "event_types" {
		t.Fatalf("update with an unknown type: %d %s", res.Status, res.Body)
	}
	if res := s.do("PATCH", path, s.owner, map[string]any{"timeout_seconds": 0}); res.Status != 422 || res.ErrorField(t) != "timeout_seconds" {
		t.Fatalf("update with a zero timeout: %d %s", res.Status, res.Body)
	}
}

func TestWebhookURLsAreGuarded(t *testing.T) {
	s := newStrictHarness(t, api.Config{}, api.Deps{}) // the default, strict guard
	for _, url := range []string{
		"https://127.0.0.1/hook", "https://[::1]/hook", "https://10.1.2.3/hook", "https://169.254.169.254/latest",
		"http://93.184.215.14/hook", "ftp://93.184.215.14/hook",
	} {
		res := s.do("POST", "/v1/webhooks/endpoints", s.owner, map[string]any{"url": url, "event_types": []string{"*"}})
		if res.Status != 422 || res.ErrorField(t) != "url" {
			t.Errorf("%s: %d %s, want 422 naming url", url, res.Status, res.Body)
		}
	}
	res := s.do("POST", "/v1/webhooks/endpoints", s.owner, map[string]any{"url": "https://93.184.215.14/hook", "event_types": []string{"*"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("public https address: %d %s", res.Status, res.Body)
	}
	path := "/v1/webhooks/endpoints/" + res.JSON(t)["id"].(string)
	if res := s.do("PATCH", path, s.owner, map[string]any{"url": "https://127.0.0.1/hook"}); res.Status != 422 || res.ErrorField(t) != "url" {
		t.Fatalf("update to loopback: %d %s", res.Status, res.Body)
	}
}

func TestTestWebhookEndpointReachesOnlyThatEndpoint(t *testing.T) {
	s, q, _ := newWebhookServer(t)
	target := whEndpoint(s, s.owner, "apikey.created")["id"].(string)
	all := whEndpoint(s, s.owner, "*")["id"].(string)
	res := s.do("POST", "/v1/webhooks/endpoints/"+target+"/test", s.owner, nil)
	var d api.DeliveryView
	decodeWH(t, res, &d)
	if res.Status != http.StatusAccepted || d.EndpointID != target || d.EventType != "webhook.test" || d.Status != webhook.StatusPending ||
		d.ReplayID != nil || !countersign.ValidID("evt", d.EventID) {
		t.Fatalf("test: %d %s", res.Status, res.Body)
	}
	var list api.DeliveryList
	decodeWH(t, s.do("GET", "/v1/webhooks/deliveries?event_id="+d.EventID, s.owner, nil), &list)
	if len(list.Data) != 1 || list.Data[0].ID != d.ID {
		t.Fatalf("deliveries of the test event: %+v (the * endpoint %s must get none)", list.Data, all)
	}
	if tasks := q.all(); len(tasks) != 1 || tasks[0].DeliveryID != d.ID || tasks[0].Replay {
		t.Fatalf("queued %+v", tasks)
	}
	s.do("PATCH", "/v1/webhooks/endpoints/"+target, s.owner, map[string]any{"enabled": false})
	if res := s.do("POST", "/v1/webhooks/endpoints/"+target+"/test", s.owner, nil); res.Status != http.StatusConflict {
		t.Fatalf("testing a disabled endpoint: %d %s", res.Status, res.Body)
	}
}

func TestWebhookRoutesCheckRolesIDsAndWorkspaces(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	ep := whEndpoint(s, s.owner, "*")["id"].(string)
	d := whTestDelivery(s, s.ws, ep)
	start := time.Now().Add(-48 * time.Hour).Format(time.RFC3339)
	res := s.do("POST", "/v1/webhooks/replays", s.owner, map[string]any{"endpoint_id": ep, "created_after": start,
		"created_before": time.Now().Add(time.Hour).Format(time.RFC3339), "status": "pending"})
	if res.Status != http.StatusAccepted {
		t.Fatalf("create replay: %d %s", res.Status, res.Body)
	}
	rpl := res.JSON(t)["id"].(string)
	_, other := s.otherWorkspace()
	replayBody := map[string]any{"endpoint_id": ep, "created_after": start, "created_before": time.Now().Format(time.RFC3339)}
	calls := []struct {
		method, path string
		body         any
		integrator   bool // allowed to an integrator key
	}{
		{"GET", "/v1/webhooks/endpoints/" + ep, nil, true},
		{"PATCH", "/v1/webhooks/endpoints/" + ep, map[string]any{"description": "x"}, true},
		{"POST", "/v1/webhooks/endpoints/" + ep + "/secret/rotate", nil, true},
		{"GET", "/v1/webhooks/endpoints/" + ep + "/secret", nil, true},
		{"POST", "/v1/webhooks/endpoints/" + ep + "/test", nil, true},
		{"GET", "/v1/webhooks/deliveries/" + d.ID, nil, true},
		{"POST", "/v1/webhooks/deliveries/" + d.ID + "/replay", nil, false},
		{"POST", "/v1/events/" + d.EventID + "/replay", map[string]any{"endpoint_id": ep}, false},
		{"GET", "/v1/webhooks/replays/" + rpl, nil, true},
		{"POST", "/v1/webhooks/replays/" + rpl + "/cancel", nil, false},
		{"DELETE", "/v1/webhooks/endpoints/" + ep, nil, true},
	}
	member, integrator := s.key(s.ws, countersign.RoleMember), s.key(s.ws, countersign.RoleIntegrator)
	for _, c := range calls {
		if res := s.do(c.method, c.path, member, c.body); res.Status != http.StatusForbidden {
			t.Errorf("member %s %s: %d, want 403", c.method, c.path, res.Status)
		}
		if !c.integrator {
			if res := s.do(c.method, c.path, integrator, c.body); res.Status != http.StatusForbidden {
				t.Errorf("integrator %s %s: %d, want 403", c.method, c.path, res.Status)
			}
		}
		if res := s.do(c.method, c.path, other, c.body); res.Status != http.StatusNotFound {
			t.Errorf("other workspace %s %s: %d %s, want 404", c.method, c.path, res.Status, res.Body)
		}
	}
	if res := s.do("POST", "/v1/webhooks/replays", other, replayBody); res.Status != http.StatusNotFound {
		t.Errorf("bulk replay of another workspace's endpoint: %d %s", res.Status, res.Body)
	}
	for _, c := range []struct{ method, path, field string }{
		{"GET", "/v1/webhooks/endpoints/nope", "id"},
		{"GET", "/v1/webhooks/endpoints/" + d.ID, "id"},
		{"PATCH", "/v1/webhooks/endpoints/ep_123", "id"},
		{"DELETE", "/v1/webhooks/endpoints/ep_", "id"},
		{"POST", "/v1/webhooks/endpoints/x/secret/rotate", "id"},
		{"GET", "/v1/webhooks/endpoints/x/secret", "id"},
		{"POST", "/v1/webhooks/endpoints/x/test", "id"},
		{"GET", "/v1/webhooks/deliveries/" + ep, "id"},
		{"POST", "/v1/webhooks/deliveries/x/replay", "id"},
		{"POST", "/v1/events/" + d.ID + "/replay", "id"},
		{"GET", "/v1/webhooks/replays/" + ep, "id"},
		{"POST", "/v1/webhooks/replays/x/cancel", "id"},
	} {
		if res := s.do(c.method, c.path, s.owner, nil); res.Status != 400 || res.ErrorField(t) != c.field {
			t.Errorf("%s %s: %d %s, want 400 naming %s", c.method, c.path, res.Status, res.Body, c.field)
		}
	}
}

// decodeWH decodes a JSON answer into v.
func decodeWH(t testing.TB, res response, v any) {
	t.Helper()
	if err := json.Unmarshal(res.Body, v); err != nil {
		t.Fatalf("status %d body %s: %v", res.Status, res.Body, err)
	}
}

func whPtr[T any](v T) *T { return &v }
