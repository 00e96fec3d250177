package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/webhook"
)

// An endpoint's ordering is none unless asked for, is shown in every answer,
// can be changed, and an unknown value is a 422 naming the field.
func TestWebhookEndpointOrdering(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	const endpoints = "/v1/webhooks/endpoints"
	var plain, ordered, got api.EndpointView
	res := s.do("POST", endpoints, s.owner, map[string]any{"url": "http://127.0.0.1:9/a", "event_types": []string{"*"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	decodeWH(t, res, &plain)
	if plain.Ordering != webhook.OrderingNone {
		t.Errorf("default ordering %q, want none", plain.Ordering)
	}
	res = s.do("POST", endpoints, s.owner, map[string]any{"url": "http://127.0.0.1:9/b", "event_types": []string{"*"}, "ordering": "process"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create ordered: %d %s", res.Status, res.Body)
	}
	decodeWH(t, res, &ordered)
	if ordered.Ordering != webhook.OrderingProcess {
		t.Errorf("ordering %q, want process", ordered.Ordering)
	}
	decodeWH(t, s.do("GET", endpoints+"/"+ordered.ID, s.owner, nil), &got)
	if got.Ordering != webhook.OrderingProcess {
		t.Errorf("read back ordering %q, want process", got.Ordering)
	}
	decodeWH(t, s.do("PATCH", endpoints+"/"+ordered.ID, s.owner, map[string]any{"ordering": "none"}), &got)
	if got.Ordering != webhook.OrderingNone {
		t.Errorf("updated ordering %q, want none", got.Ordering)
	}
	for _, body := range []map[string]any{
		{"url": "http://127.0.0.1:9/c", "event_types": []string{"*"}, "ordering": "fifo"},
		{"url": "http://127.0.0.1:9/c", "event_types": []string{"*"}, "ordering": ""},
	} {
		res := s.do("POST", endpoints, s.owner, body)
		var e struct {
			Error struct {
				Code, Message, Field string
			} `json:"error"`
		}
		if err := json.Unmarshal(res.Body, &e); err != nil || res.Status != http.StatusUnprocessableEntity ||
			e.Error.Field != "ordering" || !strings.Contains(e.Error.Message, "process") {
			t.Errorf("ordering %q: %d %s, want 422 naming ordering", body["ordering"], res.Status, res.Body)
		}
	}
}
