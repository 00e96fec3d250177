package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign"
)

// TestWebhookSecretRules checks every answer that can carry a signing secret,
// for every role: the roles that manage webhook endpoints (owner, admin,
// integrator) see and rotate secrets; a member key gets 403 and no secret;
// answers that are not about secrets never carry one, for anybody.
func TestWebhookSecretRules(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	endpoint := whEndpoint(s, s.owner, "transaction.*")["id"].(string)
	base := "/v1/webhooks/endpoints/" + endpoint
	type op struct {
		name, method, path string
		body               any
		// secret is whether a permitted answer carries the secret.
		secret bool
	}
	ops := []op{
		{"createWebhookEndpoint", "POST", "/v1/webhooks/endpoints", map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{"*"}}, true},
		{"getWebhookSecret", "GET", base + "/secret", nil, true},
		{"rotateWebhookSecret", "POST", base + "/secret/rotate", map[string]int{"grace_period_seconds": 3600}, true},
		{"getWebhookEndpoint", "GET", base, nil, false},
		{"listWebhookEndpoints", "GET", "/v1/webhooks/endpoints", nil, false},
		{"updateWebhookEndpoint", "PATCH", base, map[string]any{"description": "secret rules"}, false},
	}
	for _, role := range countersign.Roles {
		token := s.key(s.ws, role)
		allowed := role != countersign.RoleMember
		for _, o := range ops {
			t.Run(string(role)+"/"+o.name, func(t *testing.T) {
				res := s.do(o.method, o.path, token, o.body)
				carries := strings.Contains(string(res.Body), "whsec_")
				switch {
				case !allowed:
					if res.Status != http.StatusForbidden || carries {
						t.Fatalf("role %s: %d %s, want 403 without a secret", role, res.Status, res.Body)
					}
				case res.Status < 200 || res.Status > 299:
					t.Fatalf("role %s: %d %s, want 2xx", role, res.Status, res.Body)
				case carries != o.secret:
					t.Fatalf("role %s: the answer carries a secret: %v, want %v: %s", role, carries, o.secret, res.Body)
				}
			})
		}
	}
}
