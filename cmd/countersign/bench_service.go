package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// defaultBenchRedis is the bench's own Redis database, flushed at every run.
const defaultBenchRedis = "redis://127.0.0.1:6379/15"

// benchService is the service under test: child processes of this binary
// (the default), goroutines of the bench process (--in-process), or a running
// service the bench attaches to (--target).
type benchService struct {
	mode     string // "child", "in-process" or "target"
	cfg      benchConfig
	baseURL  string
	apiKey   string
	dbURL    string // empty when unknown (--target without --database-url)
	redisURL string // empty when unknown
	env      map[string]string
	logs     *logTally
	mu       sync.Mutex
	procs    []*serviceProc
	stopOnce sync.Once
}

// serviceProc is one serve or worker process, or its in-process stand-in.
type serviceProc struct {
	name   string
	pid    int
	cmd    *exec.Cmd          // child mode
	cancel context.CancelFunc // in-process mode
	done   chan error
}

// startService starts the service the configuration asks for and waits until
// it is ready; dir holds the SQLite file and the logs.
func startService(ctx context.Context, cfg benchConfig, dir string) (*benchService, error) {
	s := &benchService{cfg: cfg, logs: newLogTally(nil)}
	if cfg.Target != "" {
		s.mode, s.baseURL, s.apiKey, s.dbURL = "target", strings.TrimRight(cfg.Target, "/"), cfg.APIKey, cfg.DatabaseURL
		if cfg.RedisURL != defaultBenchRedis {
			s.redisURL = cfg.RedisURL // only when given: the default is not the target's
		}
		return s, waitReady(ctx, s.baseURL, nil)
	}
	s.mode = map[bool]string{true: "in-process", false: "child"}[cfg.InProcess]
	s.dbURL = cfg.DatabaseURL
	if s.dbURL == "" {
		s.dbURL = "sqlite://" + filepath.Join(dir, "countersign.db")
	}
	s.redisURL = cfg.RedisURL
	if err := flushRedis(ctx, s.redisURL); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "service.log"))
	if err != nil {
		return nil, fmt.Errorf("bench: service log: %w", err)
	}
	s.logs = newLogTally(logFile)
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	s.baseURL = "http://" + addr
	s.env = map[string]string{
		"COUNTERSIGN_ADDR": addr, "COUNTERSIGN_DATABASE_URL": s.dbURL, "COUNTERSIGN_REDIS_URL": s.redisURL,
		"COUNTERSIGN_ALLOW_PRIVATE_TARGETS": "true", "COUNTERSIGN_LOG_LEVEL": "warn", "COUNTERSIGN_LOG_FORMAT": "text",
		"COUNTERSIGN_WORKER_CONCURRENCY": strconv.Itoa(cfg.ServiceConcurrency),
		"COUNTERSIGN_RETRY_SCHEDULE":     cfg.RetrySchedule, "COUNTERSIGN_SHUTDOWN_TIMEOUT": "10s",
		// The bench's one key drives the whole load: no per-key API rate limit.
		"COUNTERSIGN_API_RATE_LIMIT": "0",
	}
	if s.apiKey, err = s.createWorkspace(ctx); err != nil {
		return nil, err
	}
	serveArgs := []string{"serve"}
	if cfg.Workers > 0 || cfg.Backlog > 0 {
		serveArgs = append(serveArgs, "--no-worker")
	}
	if err := s.start(ctx, "serve", serveArgs...); err != nil {
		return nil, err
	}
	if cfg.Backlog == 0 {
		if err := s.startWorkers(ctx, cfg.Workers); err != nil {
			s.stop()
			return nil, err
		}
	}
	if err := waitReady(ctx, s.baseURL, s.procs[0].done); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w\nservice log:\n%s", err, s.logs.tail())
	}
	return s, nil
}

// createWorkspace makes the bench's workspace and returns its owner key.
func (s *benchService) createWorkspace(ctx context.Context) (string, error) {
	args := []string{"workspace", "create", "--name", "bench", "--json", "--database-url", s.dbURL}
	var out bytes.Buffer
	var err error
	if s.mode == "in-process" {
		err = workspaceCmd(ctx, args[1:], &out, s.logs)
	} else {
		var exe string
		if exe, err = os.Executable(); err == nil {
			cmd := exec.CommandContext(ctx, exe, args...)
			cmd.Env, cmd.Stdout, cmd.Stderr = s.environ(), &out, s.logs
			err = cmd.Run()
		}
	}
	var ws struct {
		APIKey string `json:"api_key"`
	}
	if err == nil {
		err = json.Unmarshal(out.Bytes(), &ws)
	}
	if err != nil || ws.APIKey == "" {
		return "", fmt.Errorf("bench: workspace create on %s: %v %s", s.dbURL, err, s.logs.tail())
	}
	return ws.APIKey, nil
}

// startWorkers starts n `worker` processes.
func (s *benchService) startWorkers(ctx context.Context, n int) error {
	for i := range n {
		if err := s.start(ctx, fmt.Sprintf("worker-%d", i+1), "worker"); err != nil {
			return err
		}
	}
	return nil
}

// start runs one service process: a child of this binary or, in-process, a
// serveCmd goroutine given the same settings as flags.
func (s *benchService) start(ctx context.Context, name string, args ...string) error {
	p := &serviceProc{name: name, done: make(chan error, 1)}
	if s.mode == "in-process" {
		var pctx context.Context
		pctx, p.cancel = context.WithCancel(ctx)
		p.pid = os.Getpid()
		p.name = "bench+" + name // one process: the bench and the service
		flags := args[1:]
		for _, st := range settings() {
			if v, ok := s.env[st.env]; ok {
				flags = append(flags, "--"+st.flag+"="+v)
			}
		}
		go func() { p.done <- serveCmd(pctx, flags, io.Discard, s.logs, args[0] == "serve") }()
	} else {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench: find this binary: %w", err)
		}
		p.cmd = exec.Command(exe, args...)
		p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = s.environ(), s.logs, s.logs
		if err := p.cmd.Start(); err != nil {
			return fmt.Errorf("bench: start %s: %w", name, err)
		}
		p.pid = p.cmd.Process.Pid
		go func() { p.done <- p.cmd.Wait() }()
	}
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.mu.Unlock()
	return nil
}

// environ is this process's environment with the service's settings.
func (s *benchService) environ() []string {
	env := os.Environ()
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	return env
}

// processes lists the service's processes (none when attached).
func (s *benchService) processes() []*serviceProc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*serviceProc(nil), s.procs...)
}

// stop stops every process it started (SIGTERM, then SIGKILL after 15 s).
func (s *benchService) stop() {
	s.stopOnce.Do(func() {
		for _, p := range s.processes() {
			if p.cancel != nil {
				p.cancel()
			} else if p.cmd != nil {
				p.cmd.Process.Signal(syscall.SIGTERM)
			}
		}
		for _, p := range s.processes() {
			select {
			case <-p.done:
			case <-time.After(15 * time.Second):
				if p.cmd != nil {
					p.cmd.Process.Kill()
				}
			}
		}
		s.logs.close()
	})
}

// waitReady polls base/readyz until it answers 200, for up to 60 s; exited
// reports an early exit of the process being waited for.
func waitReady(ctx context.Context, base string, exited chan error) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		select {
		case e := <-exited:
			exited <- e
			return fmt.Errorf("bench: the service exited before it was ready: %v", e)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: %s/readyz not ready within 60s: %w", base, err)
		}
	}
}

// freeLoopbackAddr returns a 127.0.0.1 address with a free port.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
