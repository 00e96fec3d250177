package api_test

import (
	"os"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/workflow"
)

// The answers a first try is most likely to meet say how to get it right:
// a local receiver URL names the setting that allows it, a bad subscription
// pattern shows the pattern forms and the catalogue route, and an unknown
// stall reason lists the valid ones, which docs/api.md lists too.
func TestRefusalsSayHowToGetItRight(t *testing.T) {
	strict := newStrictHarness(t, api.Config{}, api.Deps{})
	for _, url := range []string{"http://127.0.0.1:9000/hooks", "https://127.0.0.1:9000/hooks", "https://localhost/hooks"} {
		res := strict.do("POST", "/v1/webhooks/endpoints", strict.owner, map[string]any{"url": url, "event_types": []string{"*"}})
		if res.Status != 422 || res.ErrorField(t) != "url" || !strings.Contains(string(res.Body), "COUNTERSIGN_ALLOW_PRIVATE_TARGETS=true") {
			t.Errorf("%s: %d %s, want a 422 on url naming COUNTERSIGN_ALLOW_PRIVATE_TARGETS", url, res.Status, res.Body)
		}
	}

	s := newHarness(t, api.Config{}, api.Deps{})
	res := s.do("POST", "/v1/webhooks/endpoints", s.owner, map[string]any{"url": "http://127.0.0.1:9000/in", "event_types": []string{"transaction*"}})
	if res.Status != 422 || res.ErrorField(t) != "event_types" || !strings.Contains(string(res.Body), `\".*\"`) ||
		!strings.Contains(string(res.Body), "GET /v1/event-types") {
		t.Errorf("pattern transaction*: %d %s, want a 422 hinting at .* and GET /v1/event-types", res.Status, res.Body)
	}

	p := s.newProcess(s.owner, processBody())
	s.expect(200, "POST", "/v1/processes/"+p.ID+"/start", s.owner, nil)
	res = s.do("POST", signerPath(p, "One", "decline"), s.owner, map[string]any{"stallReason": "bored"})
	doc, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range workflow.ClientStallReasons() {
		if !strings.Contains(string(res.Body), string(r)) {
			t.Errorf("decline with an unknown reason: %d %s does not list %s", res.Status, res.Body, r)
		}
		if !strings.Contains(string(doc), "`"+string(r)+"`") {
			t.Errorf("docs/api.md does not list the stall reason %s", r)
		}
	}
}

// What the API serves about itself speaks of the product: the OpenAPI document
// and the event catalogue never mention the documents the API was modelled on.
func TestServedDocumentsNameTheThingItself(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	for _, path := range []string{"/v1/openapi.json", "/v1/event-types"} {
		res := s.expect(200, "GET", path, s.owner, nil)
		body := strings.ToLower(string(res.Body))
		for _, w := range []string{"vendor", "the seed", "seed's"} {
			if i := strings.Index(body, w); i >= 0 {
				t.Errorf("%s mentions %q: …%s…", path, w, body[max(0, i-80):min(len(body), i+80)])
			}
		}
	}
}
