package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// harness is an API server driven in memory through Fiber's app.Test (no
// sockets) over a real SQLite database: the bad-input suites (fuzzers, the
// malformed-request table, the OpenAPI walker) send thousands of requests
// through it. Unlike testServer it takes any testing.TB, so fuzz targets can
// build it once per worker.
type harness struct {
	srv *api.Server
	db  *storage.DB
	// owner is the token of workspace A's owner key.
	owner string
	ws    countersign.Actor
}

// newHarness builds a server over a fresh SQLite database with workspace A.
// deps may set the logger, queue or guard; the stores are filled in. A zero
// cfg.BodyLimit is 64 KiB, as in newTestServer.
func newHarness(tb testing.TB, cfg api.Config, deps api.Deps) *harness {
	tb.Helper()
	return newHarnessOn(tb, storagetest.OpenSQLite(tb), cfg, deps)
}

// newHarnessOn is newHarness over db.
func newHarnessOn(tb testing.TB, db *storage.DB, cfg api.Config, deps api.Deps) *harness {
	tb.Helper()
	actor, token := storagetest.Workspace(tb, db, "A")
	deps.Keys, deps.Database, deps.Webhooks, deps.Events, deps.Resources = db.Keys(), db, db.Webhooks(), db.Events(), db.Resources()
	deps.Processes, deps.Registrations = db.Processes(), db.Registrations()
	if deps.Messages == nil {
		deps.Messages = db.Messages()
	}
	deps.Evidence, deps.EvidenceKey = db.Evidence(), testEvidenceKey
	if deps.Guard == (webhook.Guard{}) {
		deps.Guard = webhook.Guard{AllowPrivate: true, AllowHTTP: true}
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if deps.Audit == nil {
		w := db.Resources().NewAuditWriter(deps.Logger)
		tb.Cleanup(w.Close)
		deps.Audit = w
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 64 << 10
	}
	cfg.Version = "test"
	return &harness{srv: api.New(cfg, deps), db: db, owner: token, ws: actor}
}

// apiRequest is one request to the harness. Query is sent raw; Body nil sends
// none, and a body is application/json unless ContentType says otherwise. A
// Header with an empty value is removed.
type apiRequest struct {
	Method, Path, Query string
	Token               string
	Body                []byte
	ContentType         string
	Header              map[string]string
}

// send answers r through app.Test, failing tb when the server does not answer.
func (h *harness) send(tb testing.TB, r apiRequest) response {
	tb.Helper()
	res, err := h.trySend(r)
	if err != nil {
		tb.Fatalf("%.300s: no answer: %.300v", r.Method+" "+r.Path+"?"+r.Query, err)
	}
	return res
}

// trySend answers r through app.Test.
func (h *harness) trySend(r apiRequest) (response, error) {
	req := &http.Request{
		Method: r.Method, URL: &url.URL{Path: r.Path, RawQuery: r.Query}, Host: "countersign.test",
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}, Body: http.NoBody,
	}
	if r.Body != nil {
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(r.Body)), int64(len(r.Body))
		req.Header.Set("Content-Length", strconv.Itoa(len(r.Body)))
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		if v == "" { // a header removed, such as the Content-Type of a body
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	raw, err := httputil.DumpRequest(req, true) // what app.Test sends, kept for serveConn
	if err != nil {
		return response{}, err
	}
	req.Body = io.NopCloser(bytes.NewReader(r.Body))
	res, err := h.srv.App().Test(req, 30_000)
	if err != nil && !strings.Contains(err.Error(), "timeout") {
		// app.Test reports a request the server refuses before routing it (a
		// body over the limit, a request line over the read buffer) as an
		// error, not as the 413 or 431 the server wrote: read that instead.
		res, err = h.serveConn(raw, req)
	}
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: body}, nil
}

// serveConn serves the raw request on an in-memory connection, whatever
// error the server reports, and reads the answer it wrote.
func (h *harness) serveConn(raw []byte, req *http.Request) (*http.Response, error) {
	c := &memConn{}
	c.in.Write(raw)
	_ = h.srv.App().Server().ServeConn(c)
	return http.ReadResponse(bufio.NewReader(&c.out), req)
}

// memConn is a net.Conn that reads a prepared request and keeps what is written.
type memConn struct{ in, out bytes.Buffer }

func (c *memConn) Read(b []byte) (int, error)       { return c.in.Read(b) }
func (c *memConn) Write(b []byte) (int, error)      { return c.out.Write(b) }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// sendRaw sends a bodiless request whose path keeps its escapes as given.
func (h *harness) sendRaw(tb testing.TB, method, rawPath, token string) response {
	tb.Helper()
	path, err := url.PathUnescape(rawPath)
	if err != nil {
		path = rawPath
	}
	req := &http.Request{Method: method, URL: &url.URL{Path: path, RawPath: rawPath}, Host: "countersign.test",
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{"Authorization": {"Bearer " + token}}, Body: http.NoBody}
	res, err := h.srv.App().Test(req, 30_000)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, rawPath, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// do sends method to target (a path with an optional ?query) with token; body
// is nil, a string or []byte (sent raw) or a value (sent as JSON).
func (h *harness) do(tb testing.TB, method, target, token string, body any) response {
	tb.Helper()
	path, query, _ := strings.Cut(target, "?")
	return h.send(tb, apiRequest{Method: method, Path: path, Query: query, Token: token, Body: rawBody(tb, body)})
}

// rawBody encodes a request body as do takes it.
func rawBody(tb testing.TB, body any) []byte {
	tb.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return []byte(b)
	case []byte:
		return b
	}
	raw, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// must sends a request and fails tb unless it answers want; it returns the
// body decoded into a map (nil for an empty body).
func (h *harness) must(tb testing.TB, want int, method, target, token string, body any) map[string]any {
	tb.Helper()
	res := h.do(tb, method, target, token, body)
	if res.Status != want {
		tb.Fatalf("%s %s: %d %s, want %d", method, target, res.Status, res.Body, want)
	}
	if len(res.Body) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(res.Body, &m); err != nil {
		tb.Fatalf("%s %s: body %q: %v", method, target, res.Body, err)
	}
	return m
}

// key creates a key of role in workspace ws and returns its token.
func (h *harness) key(tb testing.TB, ws countersign.Actor, role countersign.Role) string {
	tb.Helper()
	_, token, err := h.db.Keys().CreateAPIKey(tb.Context(), ws, string(role)+"-key", role)
	if err != nil {
		tb.Fatal(err)
	}
	return token
}

// isErrorBody reports whether body is the API's JSON error with a code and a message.
func isErrorBody(body []byte) bool {
	var b struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	return json.Unmarshal(body, &b) == nil && b.Error != nil && b.Error.Code != "" && b.Error.Message != ""
}
