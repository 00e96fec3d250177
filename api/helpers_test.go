package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// testServer is a real API server on a loopback port over a real SQLite database.
type testServer struct {
	t   *testing.T
	srv *api.Server
	db  *storage.DB
	url string
	// owner is the token of workspace A's owner key.
	owner string
	ws    countersign.Actor
	// audit is the audit-trail writer the server records into.
	audit *storage.AuditWriter
}

// newTestServer starts a server; setup may add routes before it listens.
func newTestServer(t *testing.T, setup ...func(*api.Server)) *testServer {
	t.Helper()
	return newTestServerWith(t, api.Deps{Guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}}, setup...)
}

// newTestServerWith starts a server with deps; the database and logger are
// filled in when deps leaves them empty.
func newTestServerWith(t *testing.T, deps api.Deps, setup ...func(*api.Server)) *testServer {
	t.Helper()
	db := storagetest.OpenSQLite(t)
	actor, token := storagetest.Workspace(t, db, "A")
	deps.Keys, deps.Database, deps.Webhooks = db.Keys(), db, db.Webhooks()
	deps.Processes, deps.Registrations = db.Processes(), db.Registrations()
	audit := resourceDeps(t, db, &deps)
	deps.Events = db.Events()
	deps.Evidence, deps.EvidenceKey = db.Evidence(), testEvidenceKey
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv := api.New(api.Config{BodyLimit: 64 << 10, Version: "test"}, deps)
	for _, f := range setup {
		f(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &testServer{t: t, srv: srv, db: db, url: "http://" + ln.Addr().String(), owner: token, ws: actor, audit: audit}
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// ErrorCode returns error.code of an error body, failing when there is none.
func (r response) ErrorCode(t *testing.T) string {
	t.Helper()
	var b api.ErrorBody
	if err := json.Unmarshal(r.Body, &b); err != nil || b.Error.Code == "" {
		t.Fatalf("status %d body %q is not an error body", r.Status, r.Body)
	}
	return b.Error.Code
}

// ErrorField returns error.field of an error body.
func (r response) ErrorField(t *testing.T) string {
	t.Helper()
	var b api.ErrorBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	return b.Error.Field
}

// do sends a request; body may be nil, a string (sent raw) or a value (JSON).
func (s *testServer) do(method, path, token string, body any) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// key creates a key of role in workspace ws and returns its token.
func (s *testServer) key(ws countersign.Actor, role countersign.Role) string {
	s.t.Helper()
	_, token, err := s.db.Keys().CreateAPIKey(context.Background(), ws, string(role)+"-key", role)
	if err != nil {
		s.t.Fatal(err)
	}
	return token
}

// otherWorkspace creates workspace B and returns its owner actor and token.
func (s *testServer) otherWorkspace() (countersign.Actor, string) {
	s.t.Helper()
	return storagetest.Workspace(s.t, s.db, "B")
}
