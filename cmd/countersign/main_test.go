package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// env builds a getenv over a map, so tests do not depend on the process environment.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// withEnv swaps the command's environment for the test's.
func withEnv(t *testing.T, kv map[string]string) {
	t.Helper()
	old := getenv
	getenv = env(kv)
	t.Cleanup(func() { getenv = old })
}

func TestBadConfigurationIsAUsageError(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"addr", map[string]string{"COUNTERSIGN_ADDR": "8080"}, nil, "COUNTERSIGN_ADDR"},
		{"database", map[string]string{"COUNTERSIGN_DATABASE_URL": "mysql://x"}, nil, "COUNTERSIGN_DATABASE_URL"},
		{"redis", map[string]string{"COUNTERSIGN_REDIS_URL": "http://x"}, nil, "COUNTERSIGN_REDIS_URL"},
		{"bool", map[string]string{"COUNTERSIGN_ALLOW_PRIVATE_TARGETS": "maybe"}, nil, "COUNTERSIGN_ALLOW_PRIVATE_TARGETS"},
		{"level", nil, []string{"--log-level", "loud"}, "--log-level"},
		{"format", nil, []string{"--log-format", "xml"}, "--log-format"},
		{"body limit", nil, []string{"--body-limit", "-1"}, "--body-limit"},
		{"shutdown", nil, []string{"--shutdown-timeout", "0s"}, "--shutdown-timeout"},
		{"concurrency", nil, []string{"--concurrency", "zero"}, "--concurrency"},
		{"retry schedule", nil, []string{"--retry-schedule", "1s,,2s"}, "--retry-schedule"},
		{"unknown flag", nil, []string{"--colour"}, "colour"},
		{"extra arg", nil, []string{"now"}, "now"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			withEnv(t, c.env)
			// A configuration that is wrongly accepted would serve until ctx ends.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var stderr bytes.Buffer
			err := run(ctx, append([]string{"serve"}, c.args...), io.Discard, &stderr)
			if err == nil || exitCode(err) != 2 {
				t.Fatalf("err = %v (exit %d), want a usage error", err, exitCode(err))
			}
			if !strings.Contains(err.Error()+stderr.String(), c.want) {
				t.Fatalf("error %q does not name %s", err.Error()+stderr.String(), c.want)
			}
		})
	}
	t.Run("worker without redis", func(t *testing.T) {
		withEnv(t, nil)
		err := run(context.Background(), []string{"worker"}, io.Discard, io.Discard)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "COUNTERSIGN_REDIS_URL") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unknown command", func(t *testing.T) {
		if err := run(context.Background(), []string{"explode"}, io.Discard, io.Discard); exitCode(err) != 2 {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestWorkspaceCreateJSONAndMigrate(t *testing.T) {
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "cs.db")
	withEnv(t, map[string]string{"COUNTERSIGN_DATABASE_URL": dbURL})
	for i := 0; i < 2; i++ {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"migrate"}, &out, io.Discard); err != nil {
			t.Fatalf("migrate #%d: %v", i+1, err)
		}
		if !regexp.MustCompile(`^schema version [1-9][0-9]*\n$`).MatchString(out.String()) {
			t.Fatalf("migrate printed %q", out.String())
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"workspace", "create", "--name", "Acme", "--json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\{"workspace_id":"wsp_[0-9a-z]{26}","api_key":"cs_[0-9a-z]{26}_[0-9a-f]{48}"\}\n$`).MatchString(out.String()) {
		t.Fatalf("workspace create --json printed %q", out.String())
	}
	if err := run(context.Background(), []string{"workspace", "create", "--json"}, io.Discard, io.Discard); exitCode(err) != 2 {
		t.Fatalf("missing --name: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe to write from the server and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServeOnEmbeddedDefaultsPrintsAWorkingKey(t *testing.T) {
	addr := freeAddr(t)
	withEnv(t, map[string]string{
		"COUNTERSIGN_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "cs.db"),
		"COUNTERSIGN_ADDR":         addr,
		"COUNTERSIGN_LOG_LEVEL":    "warn",
	})
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, &stdout, &stderr) }()

	key := waitFor(t, func() string { return regexp.MustCompile(`cs_[0-9a-z]{26}_[0-9a-f]{48}`).FindString(stdout.String()) })
	waitFor(t, func() string {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			return "up"
		}
		return ""
	})
	req, _ := http.NewRequest("GET", "http://"+addr+"/v1/api-keys", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Data []struct{ Role string } }
	json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	if res.StatusCode != 200 || len(list.Data) != 1 || list.Data[0].Role != "owner" {
		t.Fatalf("GET /v1/api-keys with the printed key: %d %+v", res.StatusCode, list)
	}
	if !strings.Contains(stderr.String(), "embedded in-process Redis") {
		t.Errorf("the embedded Redis is not announced in the log: %s", stderr.String())
	}
	// The image's HEALTHCHECK: countersign health, on the listen address
	// (a wildcard host is asked on loopback) or the environment's.
	_, port, _ := net.SplitHostPort(addr)
	for _, args := range [][]string{{"health"}, {"health", "--ready"}, {"health", "--addr", "0.0.0.0:" + port}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, io.Discard); err != nil || !strings.Contains(out.String(), `"status":"ok"`) {
			t.Errorf("%v: %v, printed %q", args, err, out.String())
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20s of the signal")
	}
	if err := run(context.Background(), []string{"health"}, io.Discard, io.Discard); exitCode(err) != 1 {
		t.Errorf("health with nothing listening: %v, want exit 1", err)
	}
	if err := run(context.Background(), []string{"health", "--addr", "8080"}, io.Discard, io.Discard); exitCode(err) != 2 {
		t.Errorf("health --addr 8080: %v, want a usage error", err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitFor polls f until it returns non-empty, for up to 15 seconds.
func waitFor(t *testing.T, f func() string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if v := f(); v != "" {
			return v
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(errors.New("condition not met within 15s"))
	return ""
}
