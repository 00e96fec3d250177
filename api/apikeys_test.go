package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
)

func TestAPIKeysCRUD(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	res := s.do("POST", "/v1/api-keys", s.owner, map[string]string{"name": "deploy", "role": "integrator"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	created := res.JSON(t)
	secret, _ := created["secret"].(string)
	id, _ := created["id"].(string)
	if !strings.HasPrefix(secret, "cs_") || !countersign.ValidID("key", id) || created["role"] != "integrator" {
		t.Fatalf("create answered %s", res.Body)
	}
	// The new key works, and shows no secret afterwards.
	if res := s.do("GET", "/v1/api-keys/"+id, s.owner, nil); res.Status != 200 || strings.Contains(string(res.Body), secret) {
		t.Fatalf("get: %d %s", res.Status, res.Body)
	}
	list := s.do("GET", "/v1/api-keys", s.owner, nil)
	if list.Status != 200 || strings.Count(string(list.Body), `"object":"api_key"`) != 2 || strings.Contains(string(list.Body), "secret") {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	if res := s.do("PATCH", "/v1/api-keys/"+id, s.owner, map[string]string{"name": "renamed"}); res.Status != 200 || res.JSON(t)["name"] != "renamed" {
		t.Fatalf("rename: %d %s", res.Status, res.Body)
	}
	if res := s.do("DELETE", "/v1/api-keys/"+id, s.owner, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	if res := s.do("GET", "/v1/api-keys", secret, nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("deleted key: %d %s", res.Status, res.Body)
	}
}

func TestAuthentication(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	for name, token := range map[string]string{
		"missing":    "",
		"garbage":    "nope",
		"tampered":   s.owner[:len(s.owner)-2] + "00",
		"wellshaped": "cs_01jd0000000000000000000000_" + strings.Repeat("a", 48),
	} {
		res := s.do("GET", "/v1/api-keys", token, nil)
		if res.Status != http.StatusUnauthorized || res.ErrorCode(t) != countersign.EUNAUTHORIZED {
			t.Errorf("%s key: %d %s, want 401 unauthorized", name, res.Status, res.Body)
		}
		if res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s key: no WWW-Authenticate header", name)
		}
	}
	for _, path := range []string{"/healthz", "/metrics"} {
		if res := s.do("GET", path, "", nil); res.Status != 200 {
			t.Errorf("%s without a key: %d", path, res.Status)
		}
	}
}

func TestRolesOnAPIKeyRoutes(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	target := s.key(s.ws, countersign.RoleMember)
	_ = target
	keys := map[countersign.Role]string{countersign.RoleOwner: s.owner}
	for _, r := range []countersign.Role{countersign.RoleAdmin, countersign.RoleIntegrator, countersign.RoleMember} {
		keys[r] = s.key(s.ws, r)
	}
	allowed := map[countersign.Role]bool{countersign.RoleOwner: true, countersign.RoleAdmin: true}
	for role, token := range keys {
		for _, call := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/v1/api-keys", nil},
			{"POST", "/v1/api-keys", map[string]string{"name": "x", "role": "member"}},
			{"GET", "/v1/api-keys/" + s.ws.APIKeyID, nil},
		} {
			res := s.do(call.method, call.path, token, call.body)
			if allowed[role] && res.Status >= 400 {
				t.Errorf("%s %s %s: %d %s, want success", role, call.method, call.path, res.Status, res.Body)
			}
			if !allowed[role] && (res.Status != http.StatusForbidden || res.ErrorCode(t) != countersign.EFORBIDDEN) {
				t.Errorf("%s %s %s: %d %s, want 403", role, call.method, call.path, res.Status, res.Body)
			}
		}
	}
	// An admin cannot mint or touch owner keys.
	if res := s.do("POST", "/v1/api-keys", keys[countersign.RoleAdmin], map[string]string{"name": "x", "role": "owner"}); res.Status != http.StatusForbidden {
		t.Errorf("admin creating an owner key: %d %s", res.Status, res.Body)
	}
	if res := s.do("DELETE", "/v1/api-keys/"+s.ws.APIKeyID, keys[countersign.RoleAdmin], nil); res.Status != http.StatusForbidden {
		t.Errorf("admin deleting the owner key: %d %s", res.Status, res.Body)
	}
}

func TestOtherWorkspaceKeysAnswerNotFound(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	_, tokenB := s.otherWorkspace()
	for _, call := range []struct {
		method string
		body   any
	}{
		{"GET", nil}, {"PATCH", map[string]string{"name": "stolen"}}, {"DELETE", nil},
	} {
		res := s.do(call.method, "/v1/api-keys/"+s.ws.APIKeyID, tokenB, call.body)
		if res.Status != http.StatusNotFound || res.ErrorCode(t) != countersign.ENOTFOUND {
			t.Errorf("%s A's key with B's token: %d %s, want 404", call.method, res.Status, res.Body)
		}
	}
	if res := s.do("GET", "/v1/api-keys", tokenB, nil); strings.Contains(string(res.Body), s.ws.APIKeyID) {
		t.Errorf("B's list shows A's key: %s", res.Body)
	}
}

func TestBadInputAnswers4xx(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	// Oversize bodies are covered for every route by the malformed-request
	// table, over an in-memory connection: over a socket the server may close
	// before the client has finished sending, which the client sees as a reset.
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"bad json", "POST", "/v1/api-keys", `{"name":`, 400, countersign.EINVALID, ""},
		{"not an object", "POST", "/v1/api-keys", `[1,2]`, 400, countersign.EINVALID, ""},
		{"wrong type", "POST", "/v1/api-keys", `{"name":5,"role":"member"}`, 400, countersign.EINVALID, "name"},
		{"unknown field", "POST", "/v1/api-keys", `{"name":"x","role":"member","admin":true}`, 400, countersign.EINVALID, "admin"},
		{"trailing data", "POST", "/v1/api-keys", `{"name":"x","role":"member"} {}`, 400, countersign.EINVALID, ""},
		{"empty body", "POST", "/v1/api-keys", "", 400, countersign.EINVALID, ""},
		{"unknown role", "POST", "/v1/api-keys", `{"name":"x","role":"root"}`, 422, countersign.EVALIDATION, "role"},
		{"missing name", "POST", "/v1/api-keys", `{"role":"member"}`, 422, countersign.EVALIDATION, "name"},
		{"control chars", "POST", "/v1/api-keys", `{"name":"a\u0000b","role":"member"}`, 422, countersign.EVALIDATION, "name"},
		{"bad id", "GET", "/v1/api-keys/123", nil, 400, countersign.EINVALID, "id"},
		{"bad id prefix", "GET", "/v1/api-keys/" + strings.Replace(s.ws.APIKeyID, "key_", "evt_", 1), nil, 400, countersign.EINVALID, "id"},
		{"unknown id", "GET", "/v1/api-keys/key_01jd0000000000000000000000", nil, 404, countersign.ENOTFOUND, ""},
		{"unknown route", "GET", "/v1/nothing-here", nil, 404, countersign.ENOTFOUND, ""},
		{"wrong method", "PUT", "/v1/api-keys", nil, 405, "method_not_allowed", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.body == "" {
				c.body = nil
				if c.method == "POST" {
					c.body = " "
				}
			}
			res := s.do(c.method, c.path, s.owner, c.body)
			if res.Status != c.status || res.ErrorCode(t) != c.code || res.ErrorField(t) != c.field {
				t.Fatalf("%d %s, want %d %s field %q", res.Status, res.Body, c.status, c.code, c.field)
			}
		})
	}
	t.Run("wrong content type", func(t *testing.T) {
		res := s.send(t, apiRequest{Method: "POST", Path: "/v1/api-keys", Token: s.owner,
			Body: []byte(`{"name":"x","role":"member"}`), ContentType: "text/plain"})
		if res.Status != http.StatusUnsupportedMediaType {
			t.Fatalf("status %d, want 415", res.Status)
		}
	})
}

// tamper changes a token's last character, whatever it is.
func tamper(token string) string {
	if token[len(token)-1] == '0' {
		return token[:len(token)-1] + "1"
	}
	return token[:len(token)-1] + "0"
}
