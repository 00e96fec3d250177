package api_test

import (
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
func seedConsole(t *testing.T, s *harness, mods ...func(map[string]any)) (endpointID, processID string) {
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
	endpointID, processID := seedConsole(t, cs.harness)
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

func TestConsoleSignInAgainEndsThePreviousSession(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	b := cs.browser()
	b.mustSignIn(cs.owner)
	b.mustSignIn(cs.key(cs.ws, countersign.RoleIntegrator))
	if n := cs.console.SessionCount(); n != 1 {
		t.Fatalf("%d sessions after signing in twice in one browser", n)
	}
	if p := b.get("/console/api-keys"); p.Status != http.StatusForbidden {
		t.Fatalf("the second sign-in's key (integrator) reads API keys: %d", p.Status)
	}
}
