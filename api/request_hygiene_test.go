package api_test

import (
	"net/http"
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
	if n := len(h.must(t, 200, "GET", "/v1/api-keys", h.owner, nil)["data"].([]any)); n != 1+4 {
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
