package api_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// harness is the one API server of the api tests: a real server over a real
// SQLite database (or one the test opens, such as PostgreSQL), with workspace
// A and its owner key. Requests go through Fiber's app.Test in memory (no
// sockets), so the bad-input suites can send thousands of them; listen puts
// it on a loopback port for the tests that need a real connection (browsers,
// graceful shutdown, raw HTTP clients). It takes any testing.TB, so fuzz
// targets can build it once per worker.
type harness struct {
	// t is the test the harness was built for; the request helpers fail it.
	// A fuzz function passes its own t to send instead.
	t   testing.TB
	srv *api.Server
	db  *storage.DB
	// url is the server's base URL once listen has run, and "" before.
	url string
	// owner is the token of workspace A's owner key.
	owner string
	ws    countersign.Actor
	// audit is the audit-trail writer the server records into, or nil when
	// the test gave its own.
	audit *storage.AuditWriter
}

// openGuard lets webhook endpoints live on loopback over plain HTTP, where the
// tests' receivers are.
var openGuard = webhook.Guard{AllowPrivate: true, AllowHTTP: true}

// newHarness builds a server over a fresh SQLite database with workspace A.
// deps may set the logger, queue, guard or any other dependency; the stores
// are filled in, and a zero Guard is openGuard. A zero cfg.BodyLimit is 64 KiB.
func newHarness(tb testing.TB, cfg api.Config, deps api.Deps) *harness {
	tb.Helper()
	return newHarnessOn(tb, storagetest.OpenSQLite(tb), cfg, deps)
}

// newHarnessOn is newHarness over db.
func newHarnessOn(tb testing.TB, db *storage.DB, cfg api.Config, deps api.Deps) *harness {
	tb.Helper()
	if deps.Guard == (webhook.Guard{}) {
		deps.Guard = openGuard
	}
	return buildHarness(tb, db, cfg, deps)
}

// newStrictHarness is newHarness with deps.Guard kept as given: a zero Guard
// is the production one, which refuses private addresses and plain HTTP.
func newStrictHarness(tb testing.TB, cfg api.Config, deps api.Deps) *harness {
	tb.Helper()
	return buildHarness(tb, storagetest.OpenSQLite(tb), cfg, deps)
}

// buildHarness fills the stores, logger and audit writer of deps and builds
// the server.
func buildHarness(tb testing.TB, db *storage.DB, cfg api.Config, deps api.Deps) *harness {
	tb.Helper()
	actor, token := storagetest.Workspace(tb, db, "A")
	deps.Keys, deps.Database, deps.Webhooks, deps.Events = db.Keys(), db, db.Webhooks(), db.Events()
	deps.Processes, deps.Registrations = db.Processes(), db.Registrations()
	if deps.Messages == nil {
		deps.Messages = db.Messages()
	}
	deps.Evidence, deps.EvidenceKey = db.Evidence(), testEvidenceKey
	if deps.Resources == nil {
		deps.Resources = db.Resources()
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h := &harness{t: tb, db: db, owner: token, ws: actor}
	if deps.Audit == nil {
		h.audit = db.Resources().NewAuditWriter(deps.Logger)
		tb.Cleanup(h.audit.Close) // after the server has stopped
		deps.Audit = h.audit
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 64 << 10
	}
	cfg.Version = "test"
	h.srv = api.New(cfg, deps)
	return h
}

// listen serves the server on a loopback port until the test ends and
// returns its base URL; from then on the request helpers go over the socket.
// Routes a test adds to srv go in before listen.
func (h *harness) listen() string {
	h.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	go h.srv.Serve(ln)
	h.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.srv.Shutdown(ctx)
	})
	h.url = "http://" + ln.Addr().String()
	return h.url
}

// key creates a key of role in workspace ws and returns its token.
func (h *harness) key(ws countersign.Actor, role countersign.Role) string {
	h.t.Helper()
	_, token, err := h.db.Keys().CreateAPIKey(context.Background(), ws, string(role)+"-key", role)
	if err != nil {
		h.t.Fatal(err)
	}
	return token
}

// otherWorkspace creates workspace B and returns its owner actor and token.
func (h *harness) otherWorkspace() (countersign.Actor, string) {
	h.t.Helper()
	return storagetest.Workspace(h.t, h.db, "B")
}

// flushAudit waits until every audit record queued so far is written.
func (h *harness) flushAudit() {
	h.t.Helper()
	if h.audit == nil {
		h.t.Fatal("flushAudit: the server records into a writer of the test's own")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.audit.Flush(ctx); err != nil {
		h.t.Fatalf("flush audit records: %v", err)
	}
}
