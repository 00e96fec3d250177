package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/countersign/countersign/internal/kit"
)

// defaultRedis is the bench's own Redis database, flushed at every run
// (the tests lease the others: queue/queuetest).
const defaultRedis = "redis://127.0.0.1:6379/15"

// service is the service under test: child processes of this binary
// (the default), goroutines of the bench process (--in-process), or a running
// service the bench attaches to (--target).
type service struct {
	mode     string // "child", "in-process" or "target"
	cfg      config
	cmds     Commands
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
	child  *kit.Proc          // child mode
	cancel context.CancelFunc // in-process mode
	exited chan struct{}      // in-process mode: closed when Serve returned
	err    error              // in-process mode: what Serve returned
}

// done is closed when the process (or its in-process stand-in) has ended.
func (p *serviceProc) done() <-chan struct{} {
	if p.child != nil {
		return p.child.Done()
	}
	return p.exited
}

// exitErr is how the process ended, once done is closed.
func (p *serviceProc) exitErr() error {
	if p.child != nil {
		return p.child.Err()
	}
	select {
	case <-p.exited:
		return p.err
	default:
		return nil
	}
}

// startService starts the service the configuration asks for and waits until
// it is ready; dir holds the SQLite file and the logs.
func startService(ctx context.Context, cfg config, cmds Commands, dir string) (*service, error) {
	s := &service{cfg: cfg, cmds: cmds, logs: newLogTally(nil)}
	if cfg.Target != "" {
		s.mode, s.baseURL, s.apiKey, s.dbURL = "target", strings.TrimRight(cfg.Target, "/"), cfg.APIKey, cfg.DatabaseURL
		if cfg.RedisURL != defaultRedis {
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
	addr, err := kit.FreeAddr()
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
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
	if cfg.ServeCPUProfile != "" {
		serveArgs = append(serveArgs, "--cpuprofile", cfg.ServeCPUProfile)
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
	if err := waitReady(ctx, s.baseURL, s.procs[0].done()); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w (exit: %v)\nservice log:\n%s", err, s.procs[0].exitErr(), s.logs.tail())
	}
	return s, nil
}

// createWorkspace makes the bench's workspace and returns its owner key.
func (s *service) createWorkspace(ctx context.Context) (string, error) {
	args := []string{"workspace", "create", "--name", "bench", "--json", "--database-url", s.dbURL}
	var out bytes.Buffer
	var err error
	if s.mode == "in-process" {
		err = s.cmds.Workspace(ctx, args[1:], &out, s.logs)
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
func (s *service) startWorkers(ctx context.Context, n int) error {
	for i := range n {
		if err := s.start(ctx, fmt.Sprintf("worker-%d", i+1), "worker"); err != nil {
			return err
		}
	}
	return nil
}

// start runs one service process: a child of this binary or, in-process, a
// Serve goroutine given the same settings as flags.
func (s *service) start(ctx context.Context, name string, args ...string) error {
	p := &serviceProc{name: name}
	if s.mode == "in-process" {
		var pctx context.Context
		pctx, p.cancel = context.WithCancel(ctx)
		p.exited = make(chan struct{})
		p.pid = os.Getpid()
		p.name = "bench+" + name // one process: the bench and the service
		flags := args[1:]
		for _, env := range slices.Sorted(maps.Keys(s.env)) {
			if f, ok := s.cmds.Flags[env]; ok {
				flags = append(flags, "--"+f+"="+s.env[env])
			}
		}
		go func() {
			defer close(p.exited)
			p.err = s.cmds.Serve(pctx, flags, io.Discard, s.logs, args[0] == "serve")
		}()
	} else {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench: find this binary: %w", err)
		}
		if p.child, err = kit.Start(name, s.logs, s.environ(), exe, args...); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		p.pid = p.child.Pid()
	}
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.mu.Unlock()
	return nil
}

// environ is this process's environment with the service's settings.
func (s *service) environ() []string {
	env := os.Environ()
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	return env
}

// processes lists the service's processes (none when attached).
func (s *service) processes() []*serviceProc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*serviceProc(nil), s.procs...)
}

// stop stops every process it started (SIGTERM, then SIGKILL after 15 s).
func (s *service) stop() {
	s.stopOnce.Do(func() {
		var wg sync.WaitGroup
		for _, p := range s.processes() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if p.cancel != nil {
					p.cancel()
					<-p.exited
				} else {
					p.child.Term(15 * time.Second)
				}
			}()
		}
		wg.Wait()
		s.logs.close()
	})
}

// waitReady waits up to 60 s for base/readyz to answer 200; exited ends the
// wait early when the process being waited for has ended.
func waitReady(ctx context.Context, base string, exited <-chan struct{}) error {
	if err := kit.WaitReady(ctx, base+"/readyz", exited, 60*time.Second); err != nil {
		return fmt.Errorf("bench: the service: %w", err)
	}
	return nil
}
