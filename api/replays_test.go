package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// whReplayFixture makes, one millisecond apart on the database clock, failed
// and delivered test deliveries to two endpoints, and returns the range that
// holds exactly failed failed deliveries to ep.
func whReplayFixture(s *harness, clock *whClock, ep, other string, failed int) (after, before time.Time) {
	s.t.Helper()
	step := func(id string, code int) {
		d := whTestDelivery(s, s.ws, id)
		whAttempt(s, d, 1, code, clock.now(), false)
		clock.advance(time.Millisecond)
	}
	step(ep, 500) // before the range
	after = clock.now()
	for i := range failed {
		step(ep, 500)
		if i%4 == 0 {
			step(ep, 200)    // delivered
			step(other, 500) // another endpoint
		}
	}
	before = clock.now()
	step(ep, 500) // after the range
	return after, before
}

func TestBulkReplayDryRunWritesNothing(t *testing.T) {
	s, q, clock := newWebhookServer(t)
	ep := whEndpoint(s, s.owner, "*")["id"].(string)
	other := whEndpoint(s, s.owner, "*")["id"].(string)
	after, before := whReplayFixture(s, clock, ep, other, 13)
	queued, deliveries := len(q.all()), len(whList(s, "limit=1000").Data)
	body := map[string]any{"endpoint_id": ep, "created_after": after.Format(time.RFC3339Nano),
		"created_before": before.Format(time.RFC3339Nano), "dry_run": true}
	res := s.do("POST", "/v1/webhooks/replays", s.owner, body)
	var dry api.ReplayView
	decodeWH(t, res, &dry)
	if res.Status != 200 || dry.Object != "replay" || !dry.DryRun || dry.Total != 13 || dry.ID != "" {
		t.Fatalf("dry run: %d %s", res.Status, res.Body)
	}
	body["status"], body["event_type"] = "delivered", "webhook.*"
	if res := s.do("POST", "/v1/webhooks/replays", s.owner, body); res.Status != 200 || res.JSON(t)["total"] != 4.0 {
		t.Fatalf("dry run of delivered ones: %d %s", res.Status, res.Body)
	}
	body["event_type"] = "apikey.created"
	if res := s.do("POST", "/v1/webhooks/replays", s.owner, body); res.Status != 200 || res.JSON(t)["total"] != 0.0 {
		t.Fatalf("dry run of another type: %d %s", res.Status, res.Body)
	}
	if len(q.all()) != queued || len(whList(s, "limit=1000").Data) != deliveries {
		t.Fatal("a dry run made deliveries")
	}
	var n int
	if err := storagetest.Get(context.Background(), s.db, &n, "SELECT COUNT(*) FROM replays"); err != nil || n != 0 {
		t.Fatalf("a dry run wrote %d replays (%v)", n, err)
	}
}

func TestBulkReplayRunsPacedAndCompletes(t *testing.T) {
	s, q, clock := newWebhookServer(t)
	ep := whEndpoint(s, s.owner, "*")["id"].(string)
	other := whEndpoint(s, s.owner, "*")["id"].(string)
	after, before := whReplayFixture(s, clock, ep, other, 13)
	clock.advance(time.Second)
	res := s.do("POST", "/v1/webhooks/replays", s.owner, map[string]any{"endpoint_id": ep,
		"created_after": after.Format(time.RFC3339Nano), "created_before": before.Format(time.RFC3339Nano), "rate_per_second": 15})
	var r api.ReplayView
	decodeWH(t, res, &r)
	if res.Status != http.StatusAccepted || r.Status != webhook.ReplayRunning || r.Total != 13 || *r.Done != 0 || r.EndpointID != ep ||
		r.Filter.Status != webhook.StatusFailed || r.Filter.EventType != nil || !r.Filter.CreatedAfter.Equal(after) ||
		r.RatePerSecond != 15 || r.APIKeyID == nil || r.DryRun || r.FinishedAt != nil {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	queued := len(q.all())
	// 15 a second is 3 per 200 ms tick: 4 ticks of 3, one of 1, then nothing.
	var perTick []int
	for k := 1; k <= 7; k++ {
		n, err := (&webhook.ReplayRunner{Store: s.db.Webhooks()}).Step(context.Background(), r.CreatedAt.Add(time.Duration(k)*200*time.Millisecond), 1000)
		if err != nil {
			t.Fatal(err)
		}
		perTick = append(perTick, n)
		count := countReplayed(whList(s, "limit=1000"), r.ID)
		if want := min(3*k, 13); count != want {
			t.Fatalf("after tick %d the replay made %d deliveries, want %d (per tick %v)", k, count, want, perTick)
		}
	}
	if want := []int{3, 3, 3, 3, 1, 0, 0}; !slices.Equal(perTick, want) {
		t.Fatalf("deliveries per tick %v, want %v", perTick, want)
	}
	tasks := q.all()[queued:]
	if len(tasks) != 13 {
		t.Fatalf("queued %d tasks, want 13", len(tasks))
	}
	for _, task := range tasks {
		if !task.Replay || task.EndpointID != ep || task.Attempt != 1 {
			t.Fatalf("task %+v", task)
		}
	}
	res = s.do("GET", "/v1/webhooks/replays/"+r.ID, s.owner, nil)
	decodeWH(t, res, &r)
	if res.Status != 200 || r.Status != webhook.ReplayCompleted || *r.Done != 13 || r.FinishedAt == nil {
		t.Fatalf("after the run: %d %s", res.Status, res.Body)
	}
	if res := s.do("POST", "/v1/webhooks/replays/"+r.ID+"/cancel", s.owner, nil); res.Status != http.StatusConflict {
		t.Fatalf("cancel a completed replay: %d %s", res.Status, res.Body)
	}
}

func TestCancelStopsABulkReplay(t *testing.T) {
	s, _, clock := newWebhookServer(t)
	ep := whEndpoint(s, s.owner, "*")["id"].(string)
	other := whEndpoint(s, s.owner, "*")["id"].(string)
	after, before := whReplayFixture(s, clock, ep, other, 10)
	res := s.do("POST", "/v1/webhooks/replays", s.owner, map[string]any{"endpoint_id": ep,
		"created_after": after.Format(time.RFC3339), "created_before": before.Add(time.Second).Format(time.RFC3339), "rate_per_second": 5})
	var r api.ReplayView
	decodeWH(t, res, &r)
	if n, err := (&webhook.ReplayRunner{Store: s.db.Webhooks()}).Step(context.Background(), r.CreatedAt.Add(time.Second), 1000); err != nil || n != 5 {
		t.Fatalf("first second: %d, %v", n, err)
	}
	res = s.do("POST", "/v1/webhooks/replays/"+r.ID+"/cancel", s.owner, nil)
	decodeWH(t, res, &r)
	if res.Status != 200 || r.Status != webhook.ReplayCancelled || *r.Done != 5 || r.FinishedAt == nil {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	if n, err := (&webhook.ReplayRunner{Store: s.db.Webhooks()}).Step(context.Background(), r.CreatedAt.Add(time.Minute), 1000); err != nil || n != 0 {
		t.Fatalf("after cancel: %d, %v", n, err)
	}
	if got := whList(s, url.Values{"endpoint_id": {ep}, "limit": {"1000"}}.Encode()); countReplayed(got, r.ID) != 5 {
		t.Fatalf("cancelled replay made %d deliveries, want 5", countReplayed(got, r.ID))
	}
}

func TestCreateReplayRefusesBadInput(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	ep := whEndpoint(s, s.owner, "*")["id"].(string)
	valid := func(mods map[string]any) map[string]any {
		b := map[string]any{"endpoint_id": ep, "created_after": "2026-02-01T00:00:00Z", "created_before": "2026-02-02T00:00:00+01:00"}
		for k, v := range mods {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	for name, c := range map[string]struct {
		body   any
		status int
		field  string
	}{
		"no endpoint":        {valid(map[string]any{"endpoint_id": nil}), 422, "endpoint_id"},
		"bad endpoint id":    {valid(map[string]any{"endpoint_id": "ep_1"}), 400, "endpoint_id"},
		"unknown endpoint":   {valid(map[string]any{"endpoint_id": "ep_01jd0000000000000000000000"}), 404, ""},
		"no start":           {valid(map[string]any{"created_after": nil}), 422, "created_after"},
		"no end":             {valid(map[string]any{"created_before": nil}), 422, "created_before"},
		"bad start":          {valid(map[string]any{"created_after": "2026-02-01"}), 400, "created_after"},
		"start as number":    {valid(map[string]any{"created_after": 1700000000}), 400, "created_after"},
		"end before start":   {valid(map[string]any{"created_before": "2026-01-01T00:00:00Z"}), 422, "created_before"},
		"empty range":        {valid(map[string]any{"created_before": "2026-02-01T00:00:00Z"}), 422, "created_before"},
		"unknown status":     {valid(map[string]any{"status": "lost"}), 400, "status"},
		"unknown type":       {valid(map[string]any{"event_type": "nothing.*"}), 400, "event_type"},
		"zero rate":          {valid(map[string]any{"rate_per_second": 0}), 422, "rate_per_second"},
		"huge rate":          {valid(map[string]any{"rate_per_second": 1001}), 422, "rate_per_second"},
		"unknown field":      {valid(map[string]any{"dryrun": true}), 400, "dryrun"},
		"dry run not a bool": {valid(map[string]any{"dry_run": "yes"}), 400, "dry_run"},
		"no body":            {nil, 400, ""},
	} {
		if res := s.do("POST", "/v1/webhooks/replays", s.owner, c.body); res.Status != c.status || res.ErrorField(t) != c.field {
			t.Errorf("%s: %d %s, want %d naming %q", name, res.Status, res.Body, c.status, c.field)
		}
	}
	s.do("PATCH", "/v1/webhooks/endpoints/"+ep, s.owner, map[string]any{"enabled": false})
	if res := s.do("POST", "/v1/webhooks/replays", s.owner, valid(nil)); res.Status != http.StatusConflict {
		t.Fatalf("replay to a disabled endpoint: %d %s", res.Status, res.Body)
	}
	if res := s.do("GET", "/v1/webhooks/replays/rpl_01jd0000000000000000000000", s.owner, nil); res.Status != 404 {
		t.Fatalf("unknown replay: %d %s", res.Status, res.Body)
	}
}

func countReplayed(l api.DeliveryList, replayID string) int {
	n := 0
	for _, d := range l.Data {
		if d.ReplayID != nil && *d.ReplayID == replayID {
			n++
		}
	}
	return n
}
