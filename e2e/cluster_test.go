package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/kit"
	"github.com/countersign/countersign/queue/queuetest"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// ciSchedule is the compressed retry schedule of the CI tests: ten attempts
// over about 16 seconds.
const ciSchedule = "0s,200ms,500ms,1s,2s,2s,2s,2s,2s,2s"

// clusterConfig says what a cluster runs on.
type clusterConfig struct {
	// postgres puts the database on a fresh PostgreSQL database instead of SQLite.
	postgres bool
	// sqliteDir is the directory of the SQLite file (default: a temp dir).
	sqliteDir string
	// redisURL is a Redis of the test's own (default: a database leased
	// from the shared test Redis).
	redisURL string
	// schedule is COUNTERSIGN_RETRY_SCHEDULE (default ciSchedule).
	schedule string
	// env adds or overrides settings (NAME=value).
	env []string
}

// cluster is one installation under test: a database, a Redis, any number of
// serve and worker processes sharing them, and an owner API key.
type cluster struct {
	t         testing.TB
	bin       string
	dir       string
	dbURL     string
	redisURL  string
	addr      string
	env       []string
	api       *client
	workspace string
	db        *storage.DB
	procs     []*proc
}

// newCluster prepares the database (migrated, with a workspace created by
// `countersign workspace create --json`) and the settings; it starts no process.
func newCluster(t testing.TB, cfg clusterConfig) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: binary(t), dir: t.TempDir()}
	switch {
	case cfg.postgres:
		c.dbURL = storagetest.NewPostgresDatabase(t)
	default:
		dir := cfg.sqliteDir
		if dir == "" {
			dir = c.dir
		}
		c.dbURL = "sqlite://" + filepath.Join(dir, "countersign.db")
	}
	c.redisURL = cfg.redisURL
	if c.redisURL == "" {
		c.redisURL = queuetest.URL(t)
	}
	c.addr = freeAddr(t)
	schedule := cfg.schedule
	if schedule == "" {
		schedule = ciSchedule
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COUNTERSIGN_") {
			c.env = append(c.env, kv)
		}
	}
	c.env = append(c.env,
		"COUNTERSIGN_ADDR="+c.addr,
		"COUNTERSIGN_DATABASE_URL="+c.dbURL,
		"COUNTERSIGN_REDIS_URL="+c.redisURL,
		"COUNTERSIGN_ALLOW_PRIVATE_TARGETS=true",
		"COUNTERSIGN_RETRY_SCHEDULE="+schedule,
		"COUNTERSIGN_LOG_FORMAT=json",
		"COUNTERSIGN_SHUTDOWN_TIMEOUT=10s",
		"COUNTERSIGN_WORKER_CONCURRENCY=32",
		"COUNTERSIGN_API_RATE_LIMIT=0", // the load is one API key
	)
	c.env = append(c.env, cfg.env...)
	t.Cleanup(c.stop)

	cmd := exec.Command(c.bin, "workspace", "create", "--name", "e2e", "--json")
	cmd.Env = c.env
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("countersign workspace create: %v\n%s", err, stderr)
	}
	var ws struct {
		WorkspaceID string `json:"workspace_id"`
		APIKey      string `json:"api_key"`
	}
	if err := json.Unmarshal(out, &ws); err != nil || ws.APIKey == "" {
		t.Fatalf("workspace create --json printed %q: %v", out, err)
	}
	c.workspace = ws.WorkspaceID
	c.api = newClient("http://"+c.addr, ws.APIKey)
	c.openDB()
	return c
}

// openDB opens the test's own connection to the database, to check it.
func (c *cluster) openDB() {
	c.t.Helper()
	var err error
	if c.db, err = storage.Open(context.Background(), c.dbURL); err != nil {
		c.t.Fatalf("open the database: %v", err)
	}
}

// closeDB closes the test's connection (so that no file of it stays open).
func (c *cluster) closeDB() {
	if c.db != nil {
		c.db.Close()
		c.db = nil
	}
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	addr, err := kit.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// start runs the binary with args and the cluster's settings.
func (c *cluster) start(name string, args ...string) *proc {
	c.t.Helper()
	return c.startWith(name, nil, args...)
}

// startWith runs the binary with args and the cluster's settings, env
// overriding them (NAME=value; a later value of a name wins).
func (c *cluster) startWith(name string, env []string, args ...string) *proc {
	c.t.Helper()
	logPath := filepath.Join(c.dir, fmt.Sprintf("%02d-%s.log", len(c.procs)+1, name))
	p := startProc(c.t, name, logPath, append(append([]string(nil), c.env...), env...), c.bin, args...)
	c.procs = append(c.procs, p)
	return p
}

// serve starts `serve` with args (--no-worker) and waits until it answers.
func (c *cluster) serve(args ...string) *proc {
	c.t.Helper()
	name := "serve"
	if len(args) > 0 {
		name = "serve" + strings.ReplaceAll(strings.Join(args, ""), "--", "_")
	}
	p := c.start(name, append([]string{"serve"}, args...)...)
	if err := c.waitHealthy(p, 30*time.Second); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// worker starts `worker` and waits until its worker runs.
func (c *cluster) worker() *proc {
	c.t.Helper()
	p := c.start("worker", "worker")
	if err := p.waitLog("worker started", 30*time.Second); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// waitHealthy waits until /healthz answers 200.
func (c *cluster) waitHealthy(p *proc, within time.Duration) error {
	if err := kit.WaitReady(context.Background(), "http://"+c.addr+"/healthz", p.Done(), within); err != nil {
		return fmt.Errorf("%s: %w (exit %v)", p.Name(), err, p.Err())
	}
	return nil
}

// stop ends every process still running (SIGTERM, then SIGKILL), prints the
// logs when the test failed (or E2E_LOGS is set), and closes the database.
func (c *cluster) stop() {
	for _, p := range c.procs {
		if p.Running() {
			start := time.Now()
			if err := p.Term(15 * time.Second); err != nil {
				c.t.Logf("stopping %s: %v", p.Name(), err)
			}
			if took := time.Since(start); took > 5*time.Second {
				c.t.Logf("stopping %s took %s", p.Name(), took.Round(time.Millisecond))
			}
		}
	}
	if c.t.Failed() || os.Getenv("E2E_LOGS") != "" {
		for _, p := range c.procs {
			p.dumpLog(c.t)
		}
	}
	c.closeDB()
}

// endpoint is a registered webhook endpoint and the receiver behind it.
type endpoint struct {
	id       string
	patterns []string
	sub      webhook.Subscription
	rcv      *receiver
}

// addEndpoint registers rcv for patterns with the given attempt timeout.
func (c *cluster) addEndpoint(rcv *receiver, timeoutSeconds int, patterns ...string) *endpoint {
	c.t.Helper()
	return c.addEndpointWith(rcv, timeoutSeconds, patterns, nil)
}

// addEndpointWith registers rcv for patterns with the given attempt timeout
// and further endpoint options (rate_limit…) in the API's names.
func (c *cluster) addEndpointWith(rcv *receiver, timeoutSeconds int, patterns []string, options map[string]any) *endpoint {
	c.t.Helper()
	var out struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	body := map[string]any{"url": rcv.url(), "event_types": patterns, "timeout_seconds": timeoutSeconds}
	for k, v := range options {
		body[k] = v
	}
	if err := c.api.Must(context.Background(), http.StatusCreated, "POST", "/v1/webhooks/endpoints", body, &out); err != nil {
		c.t.Fatal(err)
	}
	if out.Secret == "" {
		c.t.Fatalf("createWebhookEndpoint answered no secret")
	}
	rcv.setSecret(c.t, out.Secret)
	return &endpoint{id: out.ID, patterns: patterns, sub: webhook.NewSubscription(patterns), rcv: rcv}
}

// lastSeq returns the sequence number of the workspace's latest event.
func (c *cluster) lastSeq() int64 {
	c.t.Helper()
	var seq int64
	if err := storagetest.Get(context.Background(), c.db, &seq, "SELECT COALESCE(MAX(seq), 0) FROM events WHERE workspace_id = ?", c.workspace); err != nil {
		c.t.Fatal(err)
	}
	return seq
}
