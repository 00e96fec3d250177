package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// logBuffer collects log output written from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// taskQueue keeps the delivery tasks the store and the deliverer hand it.
type taskQueue struct {
	mu    sync.Mutex
	tasks []webhook.Task
}

func (q *taskQueue) Dispatch(ts []webhook.Task) {
	q.mu.Lock()
	q.tasks = append(q.tasks, ts...)
	q.mu.Unlock()
}

func (q *taskQueue) EnqueueIn(_ context.Context, t webhook.Task, _ time.Duration) error {
	q.Dispatch([]webhook.Task{t})
	return nil
}

// take returns the queued tasks and empties the queue.
func (q *taskQueue) take() []webhook.Task {
	q.mu.Lock()
	defer q.mu.Unlock()
	ts := q.tasks
	q.tasks = nil
	return ts
}

// TestSecretsAreNeverLogged runs a full flow with every log at debug level
// into one buffer (API, audit writer, deliverer): keys are created and used,
// a wrong key is tried, an endpoint gets its signing secret, which is read and
// rotated, a process is created, started and signed, and the deliveries fail
// against a receiver answering 500 and are recorded. No API key, no key's
// secret part, no whsec_ secret and no Authorization header value may appear
// anywhere in the log.
func TestSecretsAreNeverLogged(t *testing.T) {
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	queue := &taskQueue{}
	h := newHarness(t, api.Config{RateLimit: 1000}, api.Deps{Logger: logger})
	h.db.SetDispatcher(queue.Dispatch)
	secrets := []string{h.owner}
	secret := func(m map[string]any, key string) string {
		t.Helper()
		s, _ := m[key].(string)
		if s == "" {
			t.Fatalf("no %s in %v", key, m)
		}
		secrets = append(secrets, s)
		return s
	}

	admin := secret(h.expectJSON(201, "POST", "/v1/api-keys", h.owner, map[string]any{"name": "ops", "role": "admin"}), "secret")
	member := secret(h.expectJSON(201, "POST", "/v1/api-keys", admin, map[string]any{"name": "app", "role": "member"}), "secret")
	h.expectJSON(200, "GET", "/v1/api-keys", admin, nil)
	h.expectJSON(403, "GET", "/v1/api-keys", member, nil)
	wrong := member[:len(member)-4] + "beef"
	secrets = append(secrets, wrong)
	h.expectJSON(401, "GET", "/v1/api-keys", wrong, nil)
	h.expectJSON(401, "GET", "/v1/api-keys?api_key="+admin, "", nil)

	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "receiver is down", http.StatusInternalServerError)
	}))
	defer receiver.Close()
	ep := h.expectJSON(201, "POST", "/v1/webhooks/endpoints", admin, map[string]any{"url": receiver.URL + "/hook",
		"event_types": []string{"*"}, "headers": map[string]string{"X-Tenant": "acme"}})
	secret(ep, "secret")
	epPath := "/v1/webhooks/endpoints/" + ep["id"].(string)
	secret(h.expectJSON(200, "POST", epPath+"/secret/rotate", admin, map[string]any{"grace_period_seconds": 3600}), "secret")
	got := h.expectJSON(200, "GET", epPath+"/secret", h.owner, nil)
	secret(got, "secret")
	secret(got, "previous_secret")

	p := h.expectJSON(201, "POST", "/v1/processes", member, processBody())
	pid := p["id"].(string)
	h.expectJSON(200, "POST", "/v1/processes/"+pid+"/start", member, nil)
	var signer string
	for _, sg := range p["signers"].([]any) {
		if sg.(map[string]any)["signerName"] == "One" {
			signer = sg.(map[string]any)["id"].(string)
		}
	}
	h.expectJSON(200, "POST", "/v1/processes/"+pid+"/signers/"+signer+"/sign", member, nil)
	h.expectJSON(202, "POST", epPath+"/test", admin, nil)

	// Deliver what was queued: every attempt fails and is recorded.
	d := webhook.NewDeliverer(webhook.DelivererConfig{Store: h.db.Webhooks(), Queue: queue, Logger: logger,
		Sender: webhook.NewSender(webhook.SenderConfig{Version: "test", Guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})})
	tasks := queue.take()
	if len(tasks) == 0 {
		t.Fatal("nothing was queued for delivery")
	}
	for _, task := range tasks {
		if err := d.Deliver(t.Context(), task); err != nil {
			t.Fatalf("deliver %s: %v", task.DeliveryID, err)
		}
	}
	dl := h.expectJSON(200, "GET", "/v1/webhooks/deliveries/"+tasks[0].DeliveryID, admin, nil)
	if attempts := dl["attempts"].([]any); len(attempts) != 1 || attempts[0].(map[string]any)["status_code"] != float64(500) {
		t.Fatalf("the failed attempt is not recorded: %v", dl)
	}
	h.expectJSON(202, "POST", "/v1/webhooks/deliveries/"+tasks[0].DeliveryID+"/replay", admin, nil)

	out := logs.String()
	if !strings.Contains(out, "level=DEBUG") && !strings.Contains(out, "msg=request") {
		t.Fatalf("the flow logged nothing to check:\n%s", out)
	}
	for _, s := range secrets {
		needles := []string{s}
		if strings.HasPrefix(s, "cs_") { // the secret part of a key token
			needles = append(needles, s[strings.LastIndexByte(s, '_')+1:])
		}
		if rest, ok := strings.CutPrefix(s, "whsec_"); ok {
			needles = append(needles, rest)
		}
		for _, n := range needles {
			if strings.Contains(out, n) {
				t.Errorf("the log holds a secret (%.12s…)", n)
			}
		}
	}
	for _, n := range []string{"whsec_", "Bearer", "Authorization", "authorization"} {
		if strings.Contains(out, n) {
			t.Errorf("the log holds %q", n)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", out)
	}
}

// TestAPIKeysAreHashedAtRest: the stored hash of a key is SHA-256 of its token,
// never the token or its secret part, and no row of the database holds the
// token (the apikey.created event keeps the answer without it).
func TestAPIKeysAreHashedAtRest(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	created := h.expectJSON(201, "POST", "/v1/api-keys", h.owner, map[string]any{"name": "ci", "role": "integrator"})
	token, id := created["secret"].(string), created["id"].(string)
	secretPart := token[strings.LastIndexByte(token, '_')+1:]
	key, err := h.db.Keys().GetAPIKey(t.Context(), h.ws.WorkspaceID, id)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(token))
	switch {
	case bytes.Equal(key.Hash, []byte(token)), bytes.Contains(key.Hash, []byte(secretPart)):
		t.Fatal("the stored hash is the token")
	case !bytes.Equal(key.Hash, sum[:]):
		t.Fatalf("the stored hash is not SHA-256 of the token: %x", key.Hash)
	case !key.MatchesToken(token) || key.MatchesToken(token[:len(token)-1]+"x"):
		t.Fatal("MatchesToken does not tell the token from another")
	}
	// No text column of any row holds the token or its secret part.
	tables := []string{}
	if err := storagetest.Select(t.Context(), h.db, &tables, "SELECT name FROM sqlite_master WHERE type = 'table'"); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		rows, err := storagetest.Query(t.Context(), h.db, "SELECT * FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			cols, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range cols {
				var s []byte
				switch x := v.(type) {
				case string:
					s = []byte(x)
				case []byte:
					s = x
				}
				if bytes.Contains(s, []byte(secretPart)) {
					t.Errorf("table %s holds the key's secret", table)
				}
			}
		}
		rows.Close()
	}
	if res := h.do("GET", "/v1/events", token, nil); res.Status != 200 {
		t.Fatalf("the key does not authenticate: %d", res.Status)
	}
	if _, err := h.db.Keys().Authenticate(t.Context(), strings.Replace(token, secretPart, strings.Repeat("0", len(secretPart)), 1)); countersign.ErrorCode(err) != countersign.EUNAUTHORIZED {
		t.Fatalf("a token with another secret: %v", err)
	}
}
