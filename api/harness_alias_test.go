package api_test

import (
	"testing"

	"github.com/countersign/countersign/api"
)

// The names the api tests used before they shared one harness, kept so that
// tests written against them still build.

// testServer is the harness.
type testServer = harness

// newTestServer is newHarness with the default config and dependencies; setup
// may add routes.
func newTestServer(t *testing.T, setup ...func(*api.Server)) *harness {
	t.Helper()
	h := newHarness(t, api.Config{}, api.Deps{})
	for _, f := range setup {
		f(h.srv)
	}
	return h
}

// resCall is expect.
func (h *harness) resCall(want int, method, path, token string, body any) response {
	h.t.Helper()
	return h.expect(want, method, path, token, body)
}
