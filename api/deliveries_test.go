package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// whList lists deliveries with query and returns the page.
func whList(s *harness, query string) api.DeliveryList {
	s.t.Helper()
	res := s.do("GET", "/v1/webhooks/deliveries?"+query, s.owner, nil)
	if res.Status != 200 {
		s.t.Fatalf("list deliveries?%s: %d %s", query, res.Status, res.Body)
	}
	var l api.DeliveryList
	decodeWH(s.t, res, &l)
	return l
}

func deliveryIDs(l api.DeliveryList) []string {
	ids := make([]string, len(l.Data))
	for i, d := range l.Data {
		ids[i] = d.ID
	}
	return ids
}

func TestListDeliveriesFiltersAndPages(t *testing.T) {
	s, _, clock := newWebhookServer(t)
	all := whEndpoint(s, s.owner, "apikey.*")["id"].(string)
	created := whEndpoint(s, s.owner, "apikey.created")["id"].(string)
	start := clock.now()
	// Three apikey.created events (two deliveries each), one second apart.
	for range 3 {
		clock.advance(time.Second)
		s.key(s.ws, countersign.RoleMember)
	}
	clock.advance(time.Second / 2)
	mid := clock.now()
	clock.advance(time.Second)
	s.key(s.ws, countersign.RoleMember) // apikey.created
	keys, _ := s.db.Keys().ListAPIKeys(context.Background(), s.ws.WorkspaceID)
	clock.advance(time.Second)
	if _, err := s.db.Keys().RenameAPIKey(context.Background(), s.ws, keys[len(keys)-1].ID, "renamed"); err != nil { // apikey.updated
		t.Fatal(err)
	}
	everything := whList(s, "")
	if len(everything.Data) != 9 || everything.HasMore {
		t.Fatalf("all deliveries: %d (has_more %v), want 9", len(everything.Data), everything.HasMore)
	}
	ids := deliveryIDs(everything)
	if !slices.IsSortedFunc(ids, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Fatalf("not newest first: %v", ids)
	}
	// Fail the two oldest deliveries to the "all" endpoint.
	var failed []string
	for i := len(everything.Data) - 1; i >= 0 && len(failed) < 2; i-- {
		d := everything.Data[i]
		if d.EndpointID == all {
			whAttempt(s, webhook.Delivery{ID: d.ID, WorkspaceID: s.ws.WorkspaceID, EventID: d.EventID, EndpointID: d.EndpointID}, 1, 500, clock.now(), false)
			failed = append(failed, d.ID)
		}
	}
	someEvent := everything.Data[0].EventID
	count := func(v url.Values) int { return len(whList(s, v.Encode()).Data) }
	for name, c := range map[string]struct {
		query url.Values
		want  int
	}{
		"endpoint":          {url.Values{"endpoint_id": {created}}, 4},
		"event":             {url.Values{"event_id": {someEvent}}, 1},
		"exact type":        {url.Values{"event_type": {"apikey.updated"}}, 1},
		"prefix type":       {url.Values{"event_type": {"apikey.*"}}, 9},
		"other prefix":      {url.Values{"event_type": {"transaction.*"}}, 0},
		"failed":            {url.Values{"status": {"failed"}}, 2},
		"pending":           {url.Values{"status": {"pending"}}, 7},
		"before mid":        {url.Values{"created_before": {mid.Format(time.RFC3339Nano)}}, 6},
		"after mid":         {url.Values{"created_after": {mid.Format(time.RFC3339Nano)}}, 3},
		"range":             {url.Values{"created_after": {start.Format(time.RFC3339)}, "created_before": {mid.Add(time.Hour).Format(time.RFC3339)}}, 9},
		"failed to created": {url.Values{"status": {"failed"}, "endpoint_id": {created}}, 0},
	} {
		if got := count(c.query); got != c.want {
			t.Errorf("%s (%s): %d deliveries, want %d", name, c.query.Encode(), got, c.want)
		}
	}
	// Pages of 2 walk every delivery once, newest first.
	var walked []string
	after := ""
	for page := 0; ; page++ {
		v := url.Values{"limit": {"2"}}
		if after != "" {
			v.Set("starting_after", after)
		}
		l := whList(s, v.Encode())
		walked = append(walked, deliveryIDs(l)...)
		if !l.HasMore {
			break
		}
		after = l.Data[len(l.Data)-1].ID
		if page > 10 {
			t.Fatal("paging does not end")
		}
	}
	if !slices.Equal(walked, ids) {
		t.Fatalf("paging walked %v, want %v", walked, ids)
	}
	_, other := s.otherWorkspace()
	if res := s.do("GET", "/v1/webhooks/deliveries", other, nil); res.Status != 200 || len(res.JSON(t)["data"].([]any)) != 0 {
		t.Fatalf("another workspace sees: %d %s", res.Status, res.Body)
	}
}

func TestListDeliveriesRefusesBadParameters(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	for _, c := range []struct {
		query, field string
		status       int
	}{
		{"status=lost", "status", 400},
		{"limit=0", "limit", 400},
		{"limit=1001", "limit", 400},
		{"limit=ten", "limit", 400},
		{"limit=-1", "limit", 400},
		{"created_after=yesterday", "created_after", 400},
		{"created_before=2026-13-01T00:00:00Z", "created_before", 400},
		{"created_after=2026-02-02T00:00:00Z&created_before=2026-02-01T00:00:00Z", "created_before", 422},
		{"endpoint_id=nope", "endpoint_id", 400},
		{"event_id=ep_01jd0000000000000000000000", "event_id", 400},
		{"starting_after=evt_01jd0000000000000000000000", "starting_after", 400},
		{"event_type=nothing.*", "event_type", 400},
		{"event_type=apikey.nope", "event_type", 400},
		{"event_type=apikey.*.x", "event_type", 400},
	} {
		res := s.do("GET", "/v1/webhooks/deliveries?"+c.query, s.owner, nil)
		if res.Status != c.status || res.ErrorField(t) != c.field {
			t.Errorf("%s: %d %s, want %d naming %s", c.query, res.Status, res.Body, c.status, c.field)
		}
	}
}

func TestGetDeliveryShowsEveryAttempt(t *testing.T) {
	s, _, clock := newWebhookServer(t)
	ep := whEndpoint(s, s.owner, "*")["id"].(string)
	d := whTestDelivery(s, s.ws, ep)
	first := clock.now()
	whAttempt(s, d, 1, 503, first, true)
	d.Attempts = 1
	whAttempt(s, d, 2, 200, first.Add(5*time.Second), false)

	res := s.do("GET", "/v1/webhooks/deliveries/"+d.ID, s.owner, nil)
	var got api.DeliveryDetail
	decodeWH(t, res, &got)
	if res.Status != 200 || got.ID != d.ID || got.Status != webhook.StatusDelivered || got.AttemptCount != 2 || got.DeliveredAt == nil ||
		got.LastStatusCode == nil || *got.LastStatusCode != 200 || len(got.Attempts) != 2 {
		t.Fatalf("get delivery: %d %s", res.Status, res.Body)
	}
	a := got.Attempts[0]
	if a.Attempt != 1 || !a.StartedAt.Equal(first) || a.LatencyMS != 1.5 || a.StatusCode == nil || *a.StatusCode != 503 ||
		a.ErrorClass == nil || *a.ErrorClass != "http_status" || a.Error == nil || a.ResponseBody != "answer Service Unavailable" ||
		a.ResponseHeaders.Get("Content-Type") != "text/plain" || a.ResponseTruncated || !countersign.ValidID("att", a.ID) {
		t.Fatalf("first attempt: %+v", a)
	}
	if b := got.Attempts[1]; b.Attempt != 2 || b.ErrorClass != nil || b.Error != nil || *b.StatusCode != 200 {
		t.Fatalf("second attempt: %+v", b)
	}
	// The endpoint's health shows them too.
	res = s.do("GET", "/v1/webhooks/endpoints/"+ep, s.owner, nil)
	var e api.EndpointView
	decodeWH(t, res, &e)
	if e.Health.Attempts24h != 2 || e.Health.SuccessRate == nil || *e.Health.SuccessRate != 0.5 || len(e.Health.LastAttempts) != 2 ||
		e.Health.LastAttempts[0].Attempt != 2 || e.Health.FailingSince != nil {
		t.Fatalf("endpoint health: %s", res.Body)
	}
	if res := s.do("GET", "/v1/webhooks/deliveries/dlv_01jd0000000000000000000000", s.owner, nil); res.Status != 404 {
		t.Fatalf("unknown delivery: %d %s", res.Status, res.Body)
	}
}

func TestReplayDeliveryAndEvent(t *testing.T) {
	s, q, _ := newWebhookServer(t)
	all := whEndpoint(s, s.owner, "*")["id"].(string)
	keys := whEndpoint(s, s.owner, "apikey.*")["id"].(string)
	deleted := whEndpoint(s, s.owner, "apikey.deleted")["id"].(string)
	s.key(s.ws, countersign.RoleMember) // apikey.created → all, keys
	l := whList(s, url.Values{"endpoint_id": {all}}.Encode())
	if len(l.Data) != 1 {
		t.Fatalf("deliveries to the * endpoint: %+v", l.Data)
	}
	orig := l.Data[0]
	queued := len(q.all())

	res := s.do("POST", "/v1/webhooks/deliveries/"+orig.ID+"/replay", s.owner, nil)
	var again api.DeliveryView
	decodeWH(t, res, &again)
	if res.Status != http.StatusAccepted || again.ID == orig.ID || again.EventID != orig.EventID || again.EndpointID != all ||
		again.ReplayID == nil || *again.ReplayID != orig.ID || again.Status != webhook.StatusPending || again.AttemptCount != 0 {
		t.Fatalf("replay delivery: %d %s", res.Status, res.Body)
	}
	tasks := q.all()[queued:]
	if len(tasks) != 1 || tasks[0] != (webhook.Task{DeliveryID: again.ID, WorkspaceID: s.ws.WorkspaceID, EndpointID: all,
		EventID: orig.EventID, Attempt: 1, Replay: true}) {
		t.Fatalf("queued %+v", tasks)
	}

	// An event goes again to every enabled endpoint that subscribes to it.
	event := "/v1/events/" + orig.EventID + "/replay"
	res = s.do("POST", event, s.owner, nil)
	var replayed api.ReplayedDeliveries
	decodeWH(t, res, &replayed)
	var to []string
	for _, d := range replayed.Data {
		to = append(to, d.EndpointID)
		if d.EventID != orig.EventID || d.ReplayID == nil || *d.ReplayID != orig.EventID {
			t.Fatalf("event replay delivery %+v", d)
		}
	}
	slices.Sort(to)
	want := []string{all, keys}
	slices.Sort(want)
	if res.Status != http.StatusAccepted || !slices.Equal(to, want) || len(q.all()) != queued+3 {
		t.Fatalf("replay event: %d %s, queued %d", res.Status, res.Body, len(q.all())-queued)
	}
	res = s.do("POST", event, s.owner, map[string]string{"endpoint_id": keys})
	decodeWH(t, res, &replayed)
	if res.Status != http.StatusAccepted || len(replayed.Data) != 1 || replayed.Data[0].EndpointID != keys {
		t.Fatalf("replay event to one endpoint: %d %s", res.Status, res.Body)
	}
	for name, c := range map[string]struct {
		body   any
		status int
		field  string
	}{
		"not subscribed":   {map[string]string{"endpoint_id": deleted}, 422, "endpoint_id"},
		"bad endpoint id":  {map[string]string{"endpoint_id": "nope"}, 400, "endpoint_id"},
		"unknown endpoint": {map[string]string{"endpoint_id": "ep_01jd0000000000000000000000"}, 404, ""},
		"unknown field":    {map[string]string{"endpoint": keys}, 400, "endpoint"},
	} {
		if res := s.do("POST", event, s.owner, c.body); res.Status != c.status || res.ErrorField(t) != c.field {
			t.Errorf("%s: %d %s, want %d naming %q", name, res.Status, res.Body, c.status, c.field)
		}
	}
	if res := s.do("POST", "/v1/events/evt_01jd0000000000000000000000/replay", s.owner, nil); res.Status != 404 {
		t.Fatalf("unknown event: %d %s", res.Status, res.Body)
	}

	// A disabled or deleted endpoint, or an expunged event, cannot be replayed to.
	s.do("PATCH", "/v1/webhooks/endpoints/"+all, s.owner, map[string]any{"enabled": false})
	if res := s.do("POST", "/v1/webhooks/deliveries/"+orig.ID+"/replay", s.owner, nil); res.Status != http.StatusConflict {
		t.Fatalf("replay to a disabled endpoint: %d %s", res.Status, res.Body)
	}
	if res := s.do("POST", event, s.owner, map[string]string{"endpoint_id": all}); res.Status != http.StatusConflict {
		t.Fatalf("event replay to a disabled endpoint: %d %s", res.Status, res.Body)
	}
	s.do("DELETE", "/v1/webhooks/endpoints/"+all, s.owner, nil)
	if res := s.do("POST", "/v1/webhooks/deliveries/"+orig.ID+"/replay", s.owner, nil); res.Status != http.StatusConflict {
		t.Fatalf("replay to a deleted endpoint: %d %s", res.Status, res.Body)
	}
	if _, err := storagetest.Exec(context.Background(), s.db, "UPDATE events SET body = NULL WHERE id = ?", orig.EventID); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{event, "/v1/webhooks/deliveries/" + replayed.Data[0].ID + "/replay"} {
		if res := s.do("POST", path, s.owner, nil); res.Status != http.StatusConflict {
			t.Fatalf("%s of an expunged event: %d %s", path, res.Status, res.Body)
		}
	}
}
