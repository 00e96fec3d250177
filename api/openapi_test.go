package api_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/countersign/countersign/api"
)

// TestOpenAPIIsPublic checks that the document is served without an API key
// (client generators fetch it anonymously), says so itself, and that the
// routes it describes still need a key.
func TestOpenAPIIsPublic(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	res := h.do("GET", "/v1/openapi.json", "", nil)
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
	if res := h.do("GET", "/v1/api-keys", "", nil); res.Status != 401 {
		t.Errorf("GET /v1/api-keys without a key: %d, want 401", res.Status)
	}
	if res := h.do("GET", "/v1/openapi.json", "cs_not_a_key", nil); res.Status != 200 {
		t.Errorf("GET /v1/openapi.json with a bad key: %d, want 200 (the key is not read)", res.Status)
	}
}

// TestOpenAPIStatesTheContract checks the parts of the document a client
// generator relies on: servers, the shared error answers (405, 413, 415, 422,
// 429, 431 among them) referred to by every operation, constrained path
// parameters, and request and response examples that match their schemas.
func TestOpenAPIStatesTheContract(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	doc := loadOpenAPI(t, h)
	var top struct {
		Servers    []map[string]string `json:"servers"`
		Components struct {
			Responses map[string]map[string]any `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(h.do("GET", "/v1/openapi.json", "", nil).Body, &top); err != nil {
		t.Fatal(err)
	}
	if len(top.Servers) == 0 || top.Servers[0]["url"] == "" {
		t.Errorf("servers: %v", top.Servers)
	}
	shared := map[string]string{"405": "MethodNotAllowed", "413": "PayloadTooLarge", "415": "UnsupportedMediaType",
		"422": "UnprocessableEntity", "429": "TooManyRequests", "431": "RequestHeaderFieldsTooLarge"}
	for _, name := range shared {
		if _, ok := top.Components.Responses[name]; !ok {
			t.Errorf("components.responses has no %s", name)
		}
	}
	if h := top.Components.Responses["MethodNotAllowed"]["headers"]; h == nil {
		t.Error("the 405 answer does not document Allow")
	}
	for _, op := range h.srv.Operations() {
		m := doc.operation(t, op)
		responses := m["responses"].(map[string]any)
		for status, name := range shared {
			if (status == "413" || status == "415") && op.Request == nil {
				continue
			}
			ref, _ := responses[status].(map[string]any)["$ref"].(string)
			if ref != "#/components/responses/"+name {
				t.Errorf("%s: %s is %v, want a reference to %s", op.ID, status, responses[status], name)
			}
		}
		for _, p := range asList(m["parameters"]) {
			p := p.(map[string]any)
			s := p["schema"].(map[string]any)
			if p["in"] == "path" && s["pattern"] == nil && s["enum"] == nil && s["maxLength"] == nil {
				t.Errorf("%s: path parameter %s is an unconstrained string", op.ID, p["name"])
			}
		}
		if rb, ok := m["requestBody"].(map[string]any); ok {
			media := rb["content"].(map[string]any)["application/json"].(map[string]any)
			ex, ok := media["example"]
			if !ok {
				t.Errorf("%s: the request body has no example", op.ID)
			} else if raw, _ := json.Marshal(ex); doc.checkRequest(t, op, raw) != nil {
				t.Errorf("%s: the request example does not match its schema: %v\n%s", op.ID, doc.checkRequest(t, op, raw), raw)
			}
		}
		success := responses[strconv.Itoa(op.SuccessStatus())].(map[string]any)
		content, _ := success["content"].(map[string]any)
		for ct, media := range content {
			ex, ok := media.(map[string]any)["example"]
			if !ok || ex == "" {
				t.Errorf("%s: the %s answer has no example", op.ID, ct)
				continue
			}
			raw, _ := json.Marshal(ex)
			if ct != "application/json" {
				raw = nil
			}
			if err := doc.check(t, op, op.SuccessStatus(), ct, raw); err != nil && ct == "application/json" {
				t.Errorf("%s: the answer's example does not match its schema: %v\n%s", op.ID, err, raw)
			}
		}
	}
}
