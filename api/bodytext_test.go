package api_test

import (
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
)

// TestBodyTextIsChecked sends bodies that encoding/json alone would take
// quietly (a member twice, bytes that are not UTF-8, a lone surrogate) or
// that hold characters no name should (controls, bidirectional overrides):
// each is refused naming the member by its JSON path, and nothing is stored.
func TestBodyTextIsChecked(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	key := func(name string) string { return `{"name":` + name + `,"role":"member"}` }
	process := func(edit func(string) string) string {
		return edit(string(rawBody(t, processBody())))
	}
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("%s is not in the body", old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	cases := []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"a member twice", "/v1/api-keys", `{"name":"x","role":"member","role":"owner"}`, 400, "role"},
		{"a member twice in another case", "/v1/api-keys", `{"name":"x","role":"member","Role":"owner"}`, 400, "Role"},
		{"a nested member twice", "/v1/processes", process(replace(`"processOrder":1`, `"processOrder":1,"processOrder":0`)),
			400, "signingProcessSteps[1].processOrder"},
		{"not UTF-8", "/v1/api-keys", key("\"x\xff\""), 400, "name"},
		{"a truncated UTF-8 sequence", "/v1/api-keys", key("\"x\xc3\""), 400, "name"},
		{"a lone high surrogate", "/v1/api-keys", key(`"x\ud800"`), 400, "name"},
		{"a lone low surrogate", "/v1/api-keys", key(`"x\uDC00y"`), 400, "name"},
		{"a high surrogate before a letter", "/v1/api-keys", key(`"x\ud800\u0041"`), 400, "name"},
		{"nested, not UTF-8", "/v1/processes", process(replace(`"Two"`, "\"Tw\xffo\"")),
			400, "signingProcessSteps[0].processStepSigners[1].signerName"},
		{"a right-to-left override", "/v1/api-keys", key(`"invoice\u202Efdp.exe"`), 422, "name"},
		{"a raw right-to-left override", "/v1/api-keys", key("\"invoice\u202efdp.exe\""), 422, "name"},
		{"a left-to-right isolate", "/v1/api-keys", key(`"a\u2066b"`), 422, "name"},
		{"a bell", "/v1/api-keys", key(`"a\u0007b"`), 422, "name"},
		{"a C1 control", "/v1/api-keys", key(`"a\u0085b"`), 422, "name"},
		{"a tab in a name", "/v1/api-keys", key(`"a\tb"`), 422, "name"},
		{"a line break in a name", "/v1/processes", process(replace(`"Lease.pdf"`, `"Lease\n.pdf"`)), 422, "documentName"},
		{"an override in free text", "/v1/processes", process(replace(`"Please sign"`, `"Pay \u202e0001 EUR"`)), 422, "comment"},
		{"an override in a member name", "/v1/api-keys", `{"name":"x","role":"member","ro\u202ele":1}`, 422, "role"},
	}
	before := len(h.expectJSON(200, "GET", "/v1/api-keys", h.owner, nil)["data"].([]any))
	for _, c := range cases {
		res := h.send(t, apiRequest{Method: "POST", Path: c.path, Token: h.owner, Body: []byte(c.body)})
		checkMalformed(t, h, malformed{name: c.name, req: apiRequest{Method: "POST", Path: c.path, Token: h.owner, Body: []byte(c.body)},
			statuses: []int{c.status}, field: c.field})
		if !strings.Contains(string(res.Body), c.field) {
			t.Errorf("%s: the message does not name %s: %s", c.name, c.field, res.Body)
		}
	}
	if after := len(h.expectJSON(200, "GET", "/v1/api-keys", h.owner, nil)["data"].([]any)); after != before {
		t.Errorf("%d keys after the refused requests, want %d", after, before)
	}
	if n := h.expectJSON(200, "GET", "/v1/processes", h.owner, nil)["totalElements"]; n != 0.0 {
		t.Errorf("%v processes after the refused requests, want none", n)
	}

	// What is text is taken: a surrogate pair, U+FFFD itself, right-to-left
	// letters, and line breaks in free text.
	for _, name := range []string{`"smile \ud83d\ude00"`, `"\ufffd"`, "\"\u05e9\u05dc\u05d5\u05dd\"", `"a\/b \"c\""`} {
		h.expectJSON(201, "POST", "/v1/api-keys", h.owner, key(name))
	}
	h.expectJSON(201, "POST", "/v1/processes", h.owner, process(replace(`"Please sign"`, `"Please sign\r\n\tpage 2 too"`)))
}
