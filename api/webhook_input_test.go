package api_test

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign/webhook"
)

// TestWebhookEndpointInputHygiene: URLs with a port out of range or that do
// not parse, custom headers that reach receivers as reserved ones or exceed
// the bounds are refused naming the field, and nothing is stored; credentials
// in custom headers are masked in every answer, and an update that sends a
// mask back keeps the stored value.
func TestWebhookEndpointInputHygiene(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	body := func(url string, headers map[string]string) map[string]any {
		b := map[string]any{"url": url, "event_types": []string{"*"}}
		if headers != nil {
			b["headers"] = headers
		}
		return b
	}
	many := map[string]string{}
	for i := range webhook.MaxHeaders + 1 {
		many[fmt.Sprintf("X-H%02d", i)] = "v"
	}
	large := map[string]string{}
	for i := range 5 {
		large[fmt.Sprintf("X-H%02d", i)] = strings.Repeat("v", 1000)
	}
	cases := []struct {
		name    string
		body    any
		field   string
		message string
	}{
		{"port 0", body("http://127.0.0.1:0/hook", nil), "url", "port"},
		{"port 65536", body("http://127.0.0.1:65536/hook", nil), "url", "port"},
		{"port 70000", body("https://example.com:70000/hook", nil), "url", "port"},
		{"a URL that does not parse", body("http://[::1/hook", nil), "url", "does not parse"},
		{"a port that is not a number", body("http://127.0.0.1:80a/hook", nil), "url", "does not parse"},
		{"a reserved header with _", body("http://127.0.0.1:9/hook", map[string]string{"Webhook_Signature": "v1,forged"}), "headers", "Webhook_Signature"},
		{"a framing header with _", body("http://127.0.0.1:9/hook", map[string]string{"content_type": "text/plain"}), "headers", "content_type"},
		{"one header twice", body("http://127.0.0.1:9/hook", map[string]string{"X-Tenant": "a", "X_Tenant": "b"}), "headers", "X_Tenant"},
		{"too many headers", body("http://127.0.0.1:9/hook", many), "headers", fmt.Sprint(webhook.MaxHeaders)},
		{"too large headers", body("http://127.0.0.1:9/hook", large), "headers", fmt.Sprint(webhook.MaxHeaderBytes)},
		{"a mask as a credential", body("http://127.0.0.1:9/hook", map[string]string{"Authorization": webhook.MaskedValue}), "headers", "Authorization"},
	}
	for _, c := range cases {
		res := s.do("POST", "/v1/webhooks/endpoints", s.owner, c.body)
		if res.Status != 422 || res.ErrorField(t) != c.field || !strings.Contains(string(res.Body), c.message) {
			t.Errorf("%s: %d %s, want 422 naming %s and saying %q", c.name, res.Status, res.Body, c.field, c.message)
		}
	}
	if list := s.do("GET", "/v1/webhooks/endpoints", s.owner, nil).JSON(t)["data"].([]any); len(list) != 0 {
		t.Fatalf("refused endpoints were stored: %v", list)
	}
	for _, url := range []string{"http://127.0.0.1:1/hook", "http://127.0.0.1:65535/hook", "http://127.0.0.1:/hook"} {
		if res := s.do("POST", "/v1/webhooks/endpoints", s.owner, body(url, nil)); res.Status != http.StatusCreated {
			t.Errorf("%s: %d %s", url, res.Status, res.Body)
		}
	}

	// Credentials are masked in the answers of create, get, list and update.
	headers := map[string]string{"Authorization": "Bearer s3cret", "X-Api-Key": "k-123", "X-Tenant": "acme"}
	masked := map[string]string{"Authorization": webhook.MaskedValue, "X-Api-Key": webhook.MaskedValue, "X-Tenant": "acme"}
	res := s.do("POST", "/v1/webhooks/endpoints", s.owner, body("http://127.0.0.1:9/hook", headers))
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	id := res.JSON(t)["id"].(string)
	answers := map[string]response{"create": res, "get": s.do("GET", "/v1/webhooks/endpoints/"+id, s.owner, nil)}
	for what, res := range answers {
		if got := headersOf(t, res.JSON(t)); !maps.Equal(got, masked) {
			t.Errorf("%s answers headers %v, want %v", what, got, masked)
		}
	}
	for _, e := range s.do("GET", "/v1/webhooks/endpoints", s.owner, nil).JSON(t)["data"].([]any) {
		if e.(map[string]any)["id"] == id && !maps.Equal(headersOf(t, e.(map[string]any)), masked) {
			t.Errorf("list answers headers %v, want %v", e.(map[string]any)["headers"], masked)
		}
	}
	if strings.Contains(string(answers["get"].Body), "s3cret") {
		t.Errorf("get answers the credential: %s", answers["get"].Body)
	}

	// The headers read back, changed and sent again keep the masked values.
	read := headersOf(t, answers["get"].JSON(t))
	read["X-Tenant"] = "beta"
	res = s.do("PATCH", "/v1/webhooks/endpoints/"+id, s.owner, map[string]any{"headers": read})
	if res.Status != 200 {
		t.Fatalf("update with masks: %d %s", res.Status, res.Body)
	}
	stored, err := s.db.Webhooks().GetEndpoint(t.Context(), s.ws.WorkspaceID, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"Authorization": "Bearer s3cret", "X-Api-Key": "k-123", "X-Tenant": "beta"}; !maps.Equal(stored.Headers, want) {
		t.Errorf("stored headers %v, want %v", stored.Headers, want)
	}
	// A mask for a header that holds no value is refused, and changes nothing.
	res = s.do("PATCH", "/v1/webhooks/endpoints/"+id, s.owner, map[string]any{"headers": map[string]string{"Cookie": webhook.MaskedValue}})
	if res.Status != 422 || res.ErrorField(t) != "headers" {
		t.Errorf("a mask of nothing: %d %s, want 422 naming headers", res.Status, res.Body)
	}
	if again, _ := s.db.Webhooks().GetEndpoint(t.Context(), s.ws.WorkspaceID, id); !maps.Equal(again.Headers, stored.Headers) {
		t.Errorf("a refused update changed the headers to %v", again.Headers)
	}
}

// headersOf returns the headers of an endpoint answer.
func headersOf(t *testing.T, e map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range e["headers"].(map[string]any) {
		out[k] = v.(string)
	}
	return out
}
