package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
)

func TestConsoleMemberSeesNoWebhooksPages(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	endpointID, _ := seedConsole(t, cs.harness)
	b := cs.browser()
	p := b.mustSignIn(cs.key(cs.ws, countersign.RoleMember))
	if p.URL.Path != "/console/processes" {
		t.Fatalf("a member lands on %s", p.URL)
	}
	for _, hidden := range []string{"Overview", "Endpoints", "Events", "Deliveries", "Replays", "API keys", "Usage"} {
		if strings.Contains(p.Body, ">"+hidden+"</a>") {
			t.Errorf("a member's navigation offers %s", hidden)
		}
	}
	if !strings.Contains(p.Body, ">Processes</a>") {
		t.Error("a member's navigation lacks Processes")
	}
	for _, path := range []string{"/console/overview", "/console/endpoints", "/console/endpoints/" + endpointID,
		"/console/events", "/console/deliveries", "/console/replays", "/console/api-keys", "/console/usage"} {
		if p := b.get(path); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "Not allowed") {
			t.Errorf("member GET %s: %d, want 403", path, p.Status)
		}
	}
	b.get("/console/processes")
	if p := b.post("/console/endpoints", url.Values{"url": {"http://127.0.0.1:9/x"}, "event_types": {"*"}}); p.Status != http.StatusForbidden {
		t.Errorf("member POST endpoint: %d, want 403", p.Status)
	}
	if list := cs.do("GET", "/v1/webhooks/endpoints", cs.owner, nil).JSON(t)["data"].([]any); len(list) != 1 {
		t.Fatalf("%d endpoints after a member's refused form", len(list))
	}
}

func TestConsoleActionsAreAPIActions(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	b := cs.browser()
	b.mustSignIn(cs.owner)
	b.get("/console/api-keys")
	p := b.post("/console/api-keys", url.Values{"name": {"ci"}, "role": {"integrator"}})
	if p.Status != http.StatusCreated || !strings.Contains(p.Body, "cs_") {
		t.Fatalf("create key: %d %.400s", p.Status, p.Body)
	}
	var l struct {
		Data []struct {
			Type     string  `json:"type"`
			APIKeyID *string `json:"api_key_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(cs.do("GET", "/v1/events?type=apikey.created&limit=1", cs.owner, nil).Body, &l); err != nil || len(l.Data) != 1 {
		t.Fatalf("apikey.created events: %v %+v", err, l)
	}
	if l.Data[0].APIKeyID == nil || *l.Data[0].APIKeyID != cs.ws.APIKeyID {
		t.Fatalf("the console's key creation is recorded as %v, want the signed-in key %s", l.Data[0].APIKeyID, cs.ws.APIKeyID)
	}
	// A refused request shows the API's message on the form.
	if p := b.post("/console/api-keys", url.Values{"name": {"x"}, "role": {"root"}}); p.Status != 422 || !strings.Contains(p.Body, "role") {
		t.Fatalf("bad role: %d %.400s", p.Status, p.Body)
	}
}

func TestConsoleEscapesOutsideValues(t *testing.T) {
	const script, img = `<script>window.pwned=1</script>`, `"><img src=x onerror=window.pwned=2>`
	cs := newConsoleServer(t, api.Deps{})
	res := cs.do("POST", "/v1/webhooks/endpoints", cs.owner, map[string]any{"url": "http://127.0.0.1:9/hook",
		"event_types": []string{"*"}, "description": script + img})
	if res.Status != 201 {
		t.Fatalf("endpoint: %d %s", res.Status, res.Body)
	}
	endpointID := res.JSON(t)["id"].(string)
	_, processID := seedConsole(t, cs.harness, func(m map[string]any) { m["documentName"] = script + img })
	b := cs.browser()
	b.mustSignIn(cs.owner)
	for _, path := range []string{"/console/endpoints", "/console/endpoints/" + endpointID, "/console/processes",
		"/console/processes/" + processID, "/console/overview", "/console/events"} {
		p := b.get(path)
		if strings.Contains(p.Body, "<script>window") || strings.Contains(p.Body, "<img src=x") {
			t.Errorf("GET %s renders the outside value as markup", path)
		}
	}
	if p := b.get("/console/endpoints"); !strings.Contains(p.Body, "&lt;script&gt;window.pwned=1&lt;/script&gt;") {
		t.Errorf("the description is not shown as text: %.600s", p.Body)
	}
}

func TestConsoleEndpointActionsAndExport(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	endpointID, processID := seedConsole(t, cs.harness)
	b := cs.browser()
	b.mustSignIn(cs.owner)

	b.get("/console/endpoints/" + endpointID)
	if p := b.post("/console/endpoints/"+endpointID+"/rotate", nil); p.Status != 200 || !strings.Contains(p.Body, "whsec_") {
		t.Fatalf("rotate: %d %.300s", p.Status, p.Body)
	}
	b.get("/console/endpoints/" + endpointID)
	p := b.post("/console/endpoints/"+endpointID+"/test", nil)
	if p.Status != 200 || p.URL.Path != "/console/deliveries" || !strings.Contains(p.Body, "webhook.test") {
		t.Fatalf("test event: %d at %s: %.300s", p.Status, p.URL, p.Body)
	}
	b.get("/console/endpoints/" + endpointID)
	p = b.post("/console/endpoints/"+endpointID, url.Values{"url": {"http://127.0.0.1:9/other"},
		"event_types": {"action.closed"}, "extra_types": {"transaction.*"}, "headers": {"X-Tenant: acme"},
		"rate_limit": {"7"}, "timeout_seconds": {"9"}, "enabled": {"on"}})
	if p.Status != 200 {
		t.Fatalf("edit: %d %.300s", p.Status, p.Body)
	}
	ep := cs.do("GET", "/v1/webhooks/endpoints/"+endpointID, cs.owner, nil).JSON(t)
	if ep["url"] != "http://127.0.0.1:9/other" || ep["rate_limit"] != 7.0 || ep["timeout_seconds"] != 9.0 ||
		ep["headers"].(map[string]any)["X-Tenant"] != "acme" || len(ep["event_types"].([]any)) != 2 {
		t.Fatalf("the edit saved %v", ep)
	}
	b.get("/console/endpoints/" + endpointID)
	if p := b.post("/console/endpoints/"+endpointID, url.Values{"url": {"ftp://x"}, "event_types": {"nope.never"}}); p.Status != 422 ||
		!strings.Contains(p.Body, `class="error"`) {
		t.Fatalf("bad edit: %d %.300s", p.Status, p.Body)
	}

	res, err := b.c.Get(cs.url + "/console/events/export.csv?period=before&type=transaction.*")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var csv strings.Builder
	if _, err := io.Copy(&csv, res.Body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(csv.String(), "transaction.lifecycle.started") || strings.Contains(csv.String(), "apikey.created") {
		t.Fatalf("export: %d %v %.400s", res.StatusCode, res.Header, csv.String())
	}
	if p := b.get("/console/events/export.csv?type=no.such"); p.Status != 422 {
		t.Fatalf("export with a bad type: %d", p.Status)
	}
	if p := b.get("/console/processes?status=STARTED&signer=One"); p.Status != 200 || !strings.Contains(p.Body, processID) {
		t.Fatalf("process search: %d", p.Status)
	}
	if p := b.get("/console/processes?code=" + url.QueryEscape(codeLV)); p.Status != 200 || !strings.Contains(p.Body, processID) {
		t.Fatalf("process search by personal code: %d", p.Status)
	}
	if p := b.get("/console/processes?document=doc-1"); p.Status != 200 || !strings.Contains(p.Body, processID) {
		t.Fatalf("process search by document: %d", p.Status)
	}
	if p := b.get("/console/processes?status=COMPLETED"); strings.Contains(p.Body, processID) {
		t.Fatal("a STARTED process is listed as COMPLETED")
	}
}

func TestConsoleIntegratorCannotReplay(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	endpointID, _ := seedConsole(t, cs.harness)
	b := cs.browser()
	b.mustSignIn(cs.key(cs.ws, countersign.RoleIntegrator))
	p := b.get("/console/replays")
	if p.Status != 200 || strings.Contains(p.Body, `id="count-replay"`) {
		t.Fatalf("an integrator's replays page: %d, offers the form: %v", p.Status, strings.Contains(p.Body, "count-replay"))
	}
	now := time.Now().UTC()
	p = b.post("/console/replays/preview", url.Values{"endpoint_id": {endpointID}, "status": {"pending"},
		"from": {now.Add(-time.Hour).Format("2006-01-02T15:04")}, "to": {now.Add(time.Hour).Format("2006-01-02T15:04")}})
	if p.Status != http.StatusForbidden {
		t.Fatalf("an integrator's bulk replay: %d, want 403", p.Status)
	}
	dl := cs.do("GET", "/v1/webhooks/deliveries?limit=1", cs.owner, nil).JSON(t)["data"].([]any)
	id := dl[0].(map[string]any)["id"].(string)
	if p := b.get("/console/deliveries/" + id); p.Status != 200 || strings.Contains(p.Body, "/replay\"") {
		t.Fatalf("an integrator's delivery page: %d, offers replay", p.Status)
	}
	if p := b.post("/console/deliveries/"+id+"/replay", nil); p.Status != http.StatusForbidden {
		t.Fatalf("an integrator's replay: %d, want 403", p.Status)
	}
}
