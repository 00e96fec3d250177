package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
)

// TestBodiesMustSayJSON: a body is taken only as application/json, with or
// without parameters; no Content-Type, another type or another charset is a
// 415, and nothing is stored.
func TestBodiesMustSayJSON(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	body := []byte(`{"name":"x","role":"member"}`)
	for ct, want := range map[string]int{
		"":                                  415,
		"text/plain":                        415,
		"application/jsonx":                 415,
		"application/json-seq":              415,
		"application/x-www-form-urlencoded": 415,
		"application/json; charset=latin1":  415,
		"application/json":                  201,
		"Application/JSON":                  201,
		"application/json; charset=utf-8":   201,
		"application/json;charset=UTF-8":    201,
	} {
		res := h.send(t, apiRequest{Method: "POST", Path: "/v1/api-keys", Token: h.owner, Body: body,
			Header: map[string]string{"Content-Type": ct}})
		if res.Status != want || (want == 415 && !isErrorBody(res.Body)) {
			t.Errorf("Content-Type %q: %d %s, want %d", ct, res.Status, res.Body, want)
		}
	}
	if n := len(h.expectJSON(200, "GET", "/v1/api-keys", h.owner, nil)["data"].([]any)); n != 1+4 {
		t.Errorf("%d keys, want the owner's and the 4 taken", n)
	}
}

// TestBearerSchemeIgnoresCase: RFC 7235 auth schemes are case-insensitive,
// and one or more spaces part the scheme from the token.
func TestBearerSchemeIgnoresCase(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	for auth, want := range map[string]int{
		"Bearer " + h.owner:  200,
		"bearer " + h.owner:  200,
		"BEARER " + h.owner:  200,
		"bEaReR  " + h.owner: 200,
		"Bearer":             401,
		"Bearer ":            401,
		"Bearer" + h.owner:   401,
		"Basic " + h.owner:   401,
		h.owner:              401,
	} {
		res := h.send(t, apiRequest{Method: "GET", Path: "/v1/api-keys", Header: map[string]string{"Authorization": auth}})
		if res.Status != want {
			t.Errorf("Authorization %.12q…: %d %s, want %d", auth, res.Status, res.Body, want)
		}
		if want == http.StatusUnauthorized && res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %.12q…: a 401 without WWW-Authenticate", auth)
		}
	}
}

// TestRefusalsBeforeRoutingCarryRequestID: a body over the limit (413) and
// request headers over the read buffer (431) are refused before any route
// runs, and still answer the JSON error with a request_id, like every other
// error; 431 has its own code.
func TestRefusalsBeforeRoutingCarryRequestID(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	cases := []struct {
		name   string
		req    apiRequest
		status int
		code   string
	}{
		{"a body over the limit", apiRequest{Method: "POST", Path: "/v1/api-keys", Token: h.owner,
			Body: []byte(`{"name":"` + strings.Repeat("x", 64<<10) + `"}`)}, 413, "payload_too_large"},
		{"headers over the buffer", apiRequest{Method: "GET", Path: "/v1/api-keys", Token: h.owner,
			Header: map[string]string{"X-Large": strings.Repeat("x", 8<<10)}}, 431, "headers_too_large"},
	}
	for _, c := range cases {
		res := h.send(t, c.req)
		var b api.ErrorBody
		if res.Status != c.status || json.Unmarshal(res.Body, &b) != nil || b.Error.Code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, res.Status, res.Body, c.status, c.code)
			continue
		}
		if b.Error.RequestID == "" || res.Header.Get(api.HeaderRequestID) != b.Error.RequestID {
			t.Errorf("%s: request_id %q, %s header %q: want the same id in both", c.name, b.Error.RequestID,
				api.HeaderRequestID, res.Header.Get(api.HeaderRequestID))
		}
	}
	// A caller's own request id is kept when the headers could be read.
	res := h.send(t, apiRequest{Method: "POST", Path: "/v1/api-keys", Token: h.owner,
		Body: []byte(`{"name":"` + strings.Repeat("x", 64<<10) + `"}`), Header: map[string]string{api.HeaderRequestID: "trace-413"}})
	if !strings.Contains(string(res.Body), `"request_id":"trace-413"`) {
		t.Errorf("a 413 with the caller's request id: %s", res.Body)
	}
}
