package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/console"
)

// consoleServer is a test server with the console mounted.
type consoleServer struct {
	*harness
	console *console.Console
	clock   *testClock
}

// testClock is a clock the session tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newConsoleServer starts an API server with the console on a loopback port.
func newConsoleServer(t *testing.T, deps api.Deps) *consoleServer {
	t.Helper()
	cs := &consoleServer{clock: &testClock{now: time.Now()}}
	cs.harness = newHarness(t, api.Config{}, deps)
	cs.console = console.New(cs.srv.Console(), console.Config{IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour,
		Now: cs.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	cs.srv.MountConsole(cs.console)
	cs.listen()
	return cs
}

// browser is an HTTP client with a cookie jar, as a browser signs in.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
	// csrf is the token of the last page that carried one.
	csrf string
}

func (cs *consoleServer) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: cs.t, base: cs.url, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// page is an answer of the console, after redirects.
type page struct {
	Status int
	URL    *url.URL
	Header http.Header
	Body   string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (b *browser) answer(res *http.Response, err error) page {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := page{Status: res.StatusCode, URL: res.Request.URL, Header: res.Header, Body: string(raw)}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	return b.answer(b.c.Get(b.base + path))
}

// post submits a form; the last page's CSRF token is added unless form has one.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", b.csrf)
	}
	return b.answer(b.c.PostForm(b.base+path, form))
}

// signIn signs in with token and returns the page it lands on.
func (b *browser) signIn(token string) page {
	b.t.Helper()
	b.get("/console/sign-in")
	return b.post("/console/sign-in", url.Values{"api_key": {token}})
}

// mustSignIn signs in and fails unless the console lets the key in.
func (b *browser) mustSignIn(token string) page {
	b.t.Helper()
	p := b.signIn(token)
	if p.Status != 200 || strings.HasSuffix(p.URL.Path, "/sign-in") {
		b.t.Fatalf("sign-in: %d at %s: %.400s", p.Status, p.URL, p.Body)
	}
	return p
}
