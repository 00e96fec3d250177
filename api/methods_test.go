package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
)

// methodOrder is the order Allow lists methods in.
var methodOrder = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// TestMethodNotAllowed: a method a path does not define answers 405 with
// Allow listing the methods it does, also where a route of that method with a
// parameter in the same place would otherwise take the request (PUT
// /v1/processes/search is not PUT /v1/processes/{processId}).
func TestMethodNotAllowed(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	for _, c := range []struct{ method, path, allow string }{
		{"PUT", "/v1/processes/search", "POST"},
		{"GET", "/v1/processes/search", "POST"},
		{"DELETE", "/v1/processes/search", "POST"},
		{"PUT", "/v1/document-profiles/by-name", "GET"},
		{"DELETE", "/v1/document-profiles/by-name", "GET"},
		{"POST", "/v1/events/export.csv", "GET"},
		{"DELETE", "/v1/api-keys", "GET, POST"},
		{"PUT", "/v1/api-keys/", "GET, POST"},
		{"PUT", "/V1/Processes/Search", "POST"},
	} {
		checkNotAllowed(t, h, c.method, c.path, c.allow)
	}
}

// TestEveryPathAnswers405ForOtherMethods walks every path of the operation
// list: each method it does not define answers 405 with Allow listing those
// it does, and each it defines reaches its operation.
func TestEveryPathAnswers405ForOtherMethods(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	methods := map[string][]string{} // by path, a parameter as {p}
	for _, op := range h.srv.Operations() {
		path := op.Path
		for _, name := range op.PathParams() {
			path = strings.Replace(path, ":"+name, "{p}", 1)
		}
		methods[path] = append(methods[path], op.Method)
	}
	for path, defined := range methods {
		slices.SortFunc(defined, func(a, b string) int { return slices.Index(methodOrder, a) - slices.Index(methodOrder, b) })
		target := strings.ReplaceAll(path, "{p}", "p4r4m") // a value no fixed segment has
		for _, m := range methodOrder {
			if slices.Contains(defined, m) {
				if res := h.send(t, apiRequest{Method: m, Path: target, Token: h.owner}); res.Status == 405 {
					t.Errorf("%s %s: 405 %s, but the path defines it", m, target, res.Body)
				}
				continue
			}
			checkNotAllowed(t, h, m, target, strings.Join(defined, ", "))
		}
	}
	t.Logf("%d paths", len(methods))
}

// checkNotAllowed sends method to path and checks the 405 and its Allow.
func checkNotAllowed(t *testing.T, h *harness, method, path, allow string) {
	t.Helper()
	res := h.send(t, apiRequest{Method: method, Path: path, Token: h.owner, Body: []byte(`{}`)})
	var b api.ErrorBody
	switch {
	case res.Status != 405 || json.Unmarshal(res.Body, &b) != nil || b.Error.Code != "method_not_allowed" || b.Error.RequestID == "":
		t.Errorf("%s %s: %d %s, want a 405 method_not_allowed error", method, path, res.Status, res.Body)
	case res.Header.Get("Allow") != allow:
		t.Errorf("%s %s: Allow %q, want %q", method, path, res.Header.Get("Allow"), allow)
	}
}
