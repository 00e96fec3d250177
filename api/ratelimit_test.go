package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
)

// TestRateLimitPerKey: beyond its burst a key is answered 429 with a
// Retry-After of whole seconds and the JSON error; other keys go on, and
// requests without a valid key are refused before they are counted. The
// rate is tiny, so no token comes back while the test runs.
func TestRateLimitPerKey(t *testing.T) {
	h := newHarness(t, api.Config{RateLimit: 0.001, RateBurst: 3}, api.Deps{})
	member := h.key(h.ws, countersign.RoleMember)
	list := func(token string) response {
		return h.send(t, apiRequest{Method: "GET", Path: "/v1/document-attributes", Token: token})
	}
	for i := range 3 {
		if res := list(h.owner); res.Status != 200 {
			t.Fatalf("request %d of the burst: %d %s", i+1, res.Status, res.Body)
		}
	}
	res := list(h.owner)
	if res.Status != http.StatusTooManyRequests || res.ErrorCode(t) != countersign.ERATELIMIT {
		t.Fatalf("fourth request: %d %s, want 429 rate_limited", res.Status, res.Body)
	}
	if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Fatalf("Retry-After %q, want whole seconds, at least 1", res.Header.Get("Retry-After"))
	}
	// Every route of the key is limited, refused calls included.
	if res := h.do("POST", "/v1/api-keys", h.owner, `{"name":`); res.Status != http.StatusTooManyRequests {
		t.Fatalf("another route of the limited key: %d %s", res.Status, res.Body)
	}
	for i := range 3 {
		if res := list(member); res.Status != 200 {
			t.Fatalf("another key's request %d: %d %s", i+1, res.Status, res.Body)
		}
	}
	for _, token := range []string{"", "cs_nope"} {
		for range 5 {
			if res := list(token); res.Status != http.StatusUnauthorized {
				t.Fatalf("token %q: %d %s, want 401 before any limit", token, res.Status, res.Body)
			}
		}
	}
	if res := h.send(t, apiRequest{Method: "GET", Path: "/healthz"}); res.Status != 200 {
		t.Fatalf("/healthz is limited: %d", res.Status)
	}
}

// TestRateLimitOff: a zero RateLimit, the tests' default, limits nothing.
func TestRateLimitOff(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	for i := range 300 {
		if res := h.send(t, apiRequest{Method: "GET", Path: "/v1/document-attributes", Token: h.owner}); res.Status != 200 {
			t.Fatalf("request %d: %d %s", i+1, res.Status, res.Body)
		}
	}
}
