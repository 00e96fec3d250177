package api_test

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
)

// TestListReplays lists bulk replays newest first, by endpoint and status,
// page by page with next_cursor; bad parameters are 400s naming them, and
// another workspace sees none.
func TestListReplays(t *testing.T) {
	s, _, clock := newWebhookServer(t)
	ep := whEndpoint(s, s.owner, "*")["id"].(string)
	other := whEndpoint(s, s.owner, "*")["id"].(string)
	after, before := whReplayFixture(s, clock, ep, other, 3)
	create := func(endpoint string) string {
		t.Helper()
		clock.advance(time.Millisecond)
		res := s.do("POST", "/v1/webhooks/replays", s.owner, map[string]any{"endpoint_id": endpoint,
			"created_after": after.Format(time.RFC3339Nano), "created_before": before.Format(time.RFC3339Nano)})
		if res.Status != 202 {
			t.Fatalf("create replay: %d %s", res.Status, res.Body)
		}
		return res.JSON(t)["id"].(string)
	}
	r1, r2, r3 := create(ep), create(other), create(ep)
	if res := s.do("POST", "/v1/webhooks/replays/"+r1+"/cancel", s.owner, nil); res.Status != 200 {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	list := func(q url.Values) api.ReplayList {
		t.Helper()
		res := s.do("GET", "/v1/webhooks/replays?"+q.Encode(), s.owner, nil)
		var l api.ReplayList
		decodeWH(t, res, &l)
		if res.Status != 200 || l.Object != "list" {
			t.Fatalf("list replays?%s: %d %s", q.Encode(), res.Status, res.Body)
		}
		return l
	}
	ids := func(l api.ReplayList) []string {
		out := []string{}
		for _, r := range l.Data {
			out = append(out, r.ID)
		}
		return out
	}
	for name, c := range map[string]struct {
		q    url.Values
		want []string
	}{
		"all":                  {url.Values{}, []string{r3, r2, r1}},
		"endpoint":             {url.Values{"endpoint_id": {ep}}, []string{r3, r1}},
		"cancelled":            {url.Values{"status": {"cancelled"}}, []string{r1}},
		"running at the other": {url.Values{"status": {"running"}, "endpoint_id": {other}}, []string{r2}},
	} {
		if got := ids(list(c.q)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	first := list(url.Values{"limit": {"2"}})
	if !first.HasMore || first.NextCursor == nil || *first.NextCursor != r2 || !slices.Equal(ids(first), []string{r3, r2}) {
		t.Fatalf("first page: %v has_more %v next_cursor %v", ids(first), first.HasMore, first.NextCursor)
	}
	second := list(url.Values{"limit": {"2"}, "starting_after": {*first.NextCursor}})
	if second.HasMore || second.NextCursor != nil || !slices.Equal(ids(second), []string{r1}) {
		t.Fatalf("second page: %v has_more %v next_cursor %v", ids(second), second.HasMore, second.NextCursor)
	}
	for q, field := range map[string]string{
		"status=done": "status", "endpoint_id=dlv_x": "endpoint_id", "limit=0": "limit", "limit=1001": "limit",
		"limit=x": "limit", "starting_after=ep_1": "starting_after",
	} {
		res := s.do("GET", "/v1/webhooks/replays?"+q, s.owner, nil)
		if res.Status != 400 || res.JSON(t)["error"].(map[string]any)["field"] != field {
			t.Errorf("?%s: %d %s, want 400 naming %s", q, res.Status, res.Body, field)
		}
	}
	_, otherKey := s.otherWorkspace()
	if res := s.do("GET", "/v1/webhooks/replays", otherKey, nil); res.Status != 200 || len(res.JSON(t)["data"].([]any)) != 0 {
		t.Fatalf("another workspace sees: %d %s", res.Status, res.Body)
	}
	if res := s.do("GET", "/v1/webhooks/replays", s.key(s.ws, countersign.RoleMember), nil); res.Status != 403 {
		t.Fatalf("a member key: %d, want 403", res.Status)
	}
}
