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

// consolePages are the pages of the navigation.
var consolePages = []string{"/console/overview", "/console/endpoints", "/console/events", "/console/deliveries",
	"/console/replays", "/console/processes", "/console/event-types", "/console/api-keys", "/console/usage"}

// seedConsole gives workspace A an endpoint, a started process and so events
// and deliveries, as the owner, and returns the endpoint's and process's ids.
func seedConsole(t *testing.T, s *testServer, mods ...func(map[string]any)) (endpointID, processID string) {
	t.Helper()
	res := s.do("POST", "/v1/webhooks/endpoints", s.owner, map[string]any{"url": "http://127.0.0.1:9/hook",
		"event_types": []string{"*"}, "description": "main receiver"})
	if res.Status != 201 {
		t.Fatalf("create endpoint: %d %s", res.Status, res.Body)
	}
	endpointID = res.JSON(t)["id"].(string)
	res = s.do("POST", "/v1/processes", s.owner, processBody(mods...))
	if res.Status != 201 {
		t.Fatalf("create process: %d %s", res.Status, res.Body)
	}
	processID = res.JSON(t)["id"].(string)
	if res = s.do("POST", "/v1/processes/"+processID+"/start", s.owner, nil); res.Status != 200 {
		t.Fatalf("start process: %d %s", res.Status, res.Body)
	}
	return endpointID, processID
}

func TestConsoleSignInAndEveryPage(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	endpointID, processID := seedConsole(t, cs.testServer)
	b := cs.browser()

	p := b.get("/console/events?type=action.closed")
	if p.URL.Path != "/console/sign-in" || p.URL.Query().Get("next") != "/console/events?type=action.closed" {
		t.Fatalf("without a session: at %s, want the sign-in page keeping the target", p.URL)
	}
	if !strings.Contains(p.Body, `name="api_key"`) {
		t.Fatalf("sign-in page has no api_key input: %.300s", p.Body)
	}
	if p = b.signIn("cs_not_a_key"); p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "not valid") {
		t.Fatalf("bad key: %d %.300s", p.Status, p.Body)
	}
	if cs.console.SessionCount() != 0 {
		t.Fatal("a bad key started a session")
	}

	b.get("/console/sign-in?next=" + url.QueryEscape("/console/events?type=action.closed"))
	res, err := b.c.PostForm(b.base+"/console/sign-in", url.Values{"api_key": {cs.owner}, "csrf_token": {b.csrf},
		"next": {"/console/events?type=action.closed"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.RequestURI() != "/console/events?type=action.closed" || res.StatusCode != 200 {
		t.Fatalf("after sign-in: %d at %s, want the page asked for", res.StatusCode, res.Request.URL)
	}
	cookie := findSetCookie(t, res.Request.Response, "countersign_console")
	for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Path=/console/"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("session cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("session cookie %q is Secure over plain HTTP", cookie)
	}
	if strings.Contains(cookie, cs.owner) {
		t.Error("the session cookie holds the API key")
	}

	pages := append([]string{}, consolePages...)
	pages = append(pages, "/console/endpoints/"+endpointID, "/console/endpoints/new", "/console/processes/"+processID)
	for _, path := range pages {
		p := b.get(path)
		if p.Status != 200 || p.URL.Path != path {
			t.Errorf("GET %s: %d at %s: %.300s", path, p.Status, p.URL, p.Body)
			continue
		}
		csp := p.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %s", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || p.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: CSP %q, X-Frame-Options %q", path, csp, p.Header.Get("X-Frame-Options"))
		}
		if strings.Contains(p.Body, " style=") || strings.Contains(p.Body, "<script>") {
			t.Errorf("GET %s: an inline style or script", path)
		}
	}
	// The event search and an event's page.
	events := cs.do("GET", "/v1/events?type=transaction.*&limit=1", cs.owner, nil).JSON(t)["data"].([]any)
	eventID := events[0].(map[string]any)["id"].(string)
	if p := b.get("/console/events/" + eventID); p.Status != 200 || !strings.Contains(p.Body, "API response body") {
		t.Errorf("event page: %d %.300s", p.Status, p.Body)
	}
	if p := b.get("/console/events?period=between&from=2000-01-01T00:00&to=2100-01-01T00:00&type=transaction.*"); p.Status != 200 ||
		!strings.Contains(p.Body, eventID) {
		t.Errorf("event search: %d, want %s listed", p.Status, eventID)
	}
}

// findSetCookie returns the Set-Cookie header of the named cookie in the
// redirect chain that led to res.
func findSetCookie(t *testing.T, res *http.Response, name string) string {
	t.Helper()
	for r := res; r != nil; {
		for _, c := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, name+"=") {
				return c
			}
		}
		if r.Request == nil {
			break
		}
		r = r.Request.Response
	}
	t.Fatalf("no Set-Cookie for %s", name)
	return ""
}

func TestConsoleSessionExpiresAndSignsOut(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	b := cs.browser()
	b.mustSignIn(cs.owner)

	cs.clock.Add(29 * time.Minute) // idle, but under the idle timeout
	if p := b.get("/console/endpoints"); p.URL.Path != "/console/endpoints" {
		t.Fatalf("after 29 idle minutes: at %s", p.URL)
	}
	cs.clock.Add(31 * time.Minute)
	if p := b.get("/console/endpoints"); p.URL.Path != "/console/sign-in" {
		t.Fatalf("after 31 idle minutes: at %s, want sign-in", p.URL)
	}

	b.mustSignIn(cs.owner)
	for i := 0; i < 24; i++ { // used every 29 minutes (11 h 36 min): only the absolute expiry ends it
		cs.clock.Add(29 * time.Minute)
		if p := b.get("/console/event-types"); p.URL.Path != "/console/event-types" {
			t.Fatalf("used session ended after %d×29 minutes", i+1)
		}
	}
	cs.clock.Add(29 * time.Minute) // 12 h 5 min after sign-in
	if p := b.get("/console/event-types"); p.URL.Path != "/console/sign-in" {
		t.Fatalf("past the absolute expiry: at %s", p.URL)
	}

	b.mustSignIn(cs.owner)
	jarCookies := b.c.Jar.Cookies(mustURL(t, cs.url+"/console/"))
	if p := b.post("/console/sign-out", nil); p.URL.Path != "/console/sign-in" {
		t.Fatalf("sign-out: at %s", p.URL)
	}
	if n := cs.console.SessionCount(); n != 0 {
		t.Fatalf("%d sessions after sign-out", n)
	}
	// The old cookie, replayed, opens nothing.
	replay := cs.browser()
	replay.c.Jar.SetCookies(mustURL(t, cs.url+"/console/"), jarCookies)
	if p := replay.get("/console/endpoints"); p.URL.Path != "/console/sign-in" {
		t.Fatalf("the signed-out cookie still opens %s", p.URL)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestConsoleSessionEndsWithItsKey(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	token := cs.key(cs.ws, countersign.RoleAdmin)
	b := cs.browser()
	b.mustSignIn(token)
	keys := cs.do("GET", "/v1/api-keys", cs.owner, nil).JSON(t)["data"].([]any)
	for _, k := range keys {
		if m := k.(map[string]any); m["role"] == "admin" {
			if res := cs.do("DELETE", "/v1/api-keys/"+m["id"].(string), cs.owner, nil); res.Status != 204 {
				t.Fatalf("delete key: %d %s", res.Status, res.Body)
			}
		}
	}
	if p := b.get("/console/endpoints"); p.URL.Path != "/console/sign-in" || p.URL.Query().Get("expired") == "" {
		t.Fatalf("after its key was deleted: at %s, want sign-in", p.URL)
	}
	if n := cs.console.SessionCount(); n != 0 {
		t.Fatalf("%d sessions after the key was deleted", n)
	}
}

func TestConsoleRefusesFormsWithoutCSRFToken(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	b := cs.browser()
	b.mustSignIn(cs.owner)
	form := url.Values{"url": {"http://127.0.0.1:9/x"}, "event_types": {"apikey.created"}, "enabled": {"on"}}
	for name, token := range map[string][]string{"missing": nil, "wrong": {"not-the-token"}, "empty": {""}} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if token != nil {
			f["csrf_token"] = token
		} else {
			f["csrf_token"] = nil
			delete(f, "csrf_token")
			res, err := b.c.PostForm(b.base+"/console/endpoints", f)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s token: %d, want 403", name, res.StatusCode)
			}
			continue
		}
		if p := b.post("/console/endpoints", f); p.Status != http.StatusForbidden {
			t.Errorf("%s token: %d, want 403", name, p.Status)
		}
	}
	if list := cs.do("GET", "/v1/webhooks/endpoints", cs.owner, nil).JSON(t)["data"].([]any); len(list) != 0 {
		t.Fatalf("a refused form created %d endpoints", len(list))
	}
	// Sign-out and sign-in need it too.
	if p := b.post("/console/sign-out", url.Values{"csrf_token": {"x"}}); p.Status != http.StatusForbidden {
		t.Errorf("sign-out with a wrong token: %d", p.Status)
	}
	if p := b.post("/console/sign-in", url.Values{"api_key": {cs.owner}, "csrf_token": {"x"}}); p.Status != http.StatusForbidden {
		t.Errorf("sign-in with a wrong token: %d", p.Status)
	}
	// With the token it goes through, and the secret is shown once.
	b.get("/console/endpoints/new")
	p := b.post("/console/endpoints", form)
	if p.Status != http.StatusCreated || !strings.Contains(p.Body, "whsec_") || !strings.Contains(p.Body, `class="copy"`) {
		t.Fatalf("create endpoint: %d %.500s", p.Status, p.Body)
	}
}

func TestConsoleMemberSeesNoWebhooksPages(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	endpointID, _ := seedConsole(t, cs.testServer)
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
	_, processID := seedConsole(t, cs.testServer, func(m map[string]any) { m["documentName"] = script + img })
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
	endpointID, processID := seedConsole(t, cs.testServer)
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
	if p := b.get("/console/processes?status=COMPLETED"); strings.Contains(p.Body, processID) {
		t.Fatal("a STARTED process is listed as COMPLETED")
	}
}

func TestConsoleIntegratorCannotReplay(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	endpointID, _ := seedConsole(t, cs.testServer)
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

func TestConsoleCookieIsSecureBehindTLS(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	b := cs.browser()
	b.get("/console/sign-in")
	form := url.Values{"api_key": {cs.owner}, "csrf_token": {b.csrf}}
	req, err := http.NewRequest("POST", cs.url+"/console/sign-in", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	for _, c := range b.c.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	if c := findSetCookie(t, res, "countersign_console"); !strings.Contains(c, "; Secure") {
		t.Fatalf("session cookie behind TLS: %q", c)
	}
}
