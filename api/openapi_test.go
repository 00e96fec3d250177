package api_test

import (
	"encoding/json"
	"testing"

	"github.com/countersign/countersign/api"
)

// TestOpenAPIIsPublic checks that the document is served without an API key
// (client generators fetch it anonymously), says so itself, and that the
// routes it describes still need a key.
func TestOpenAPIIsPublic(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	res := h.do(t, "GET", "/v1/openapi.json", "", nil)
	if res.Status != 200 {
		t.Fatalf("GET /v1/openapi.json without a key: %d %s, want 200", res.Status, res.Body)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Security  *[]map[string][]string `json:"security"`
			Responses map[string]any         `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	op := doc.Paths["/v1/openapi.json"]["get"]
	if op.Security == nil || len(*op.Security) != 0 {
		t.Errorf("getOpenAPI does not declare an empty security requirement: %v", op.Security)
	}
	if _, ok := op.Responses["401"]; ok {
		t.Error("getOpenAPI documents a 401 it never answers")
	}
	if res := h.do(t, "GET", "/v1/api-keys", "", nil); res.Status != 401 {
		t.Errorf("GET /v1/api-keys without a key: %d, want 401", res.Status)
	}
	if res := h.do(t, "GET", "/v1/openapi.json", "cs_not_a_key", nil); res.Status != 200 {
		t.Errorf("GET /v1/openapi.json with a bad key: %d, want 200 (the key is not read)", res.Status)
	}
}
