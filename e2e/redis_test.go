package e2e

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// privateRedis is a redis-server of the test's own, on a loopback port, with
// no persistence: stopping it loses everything, so it comes back empty.
type privateRedis struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	p    *proc
	runs int
}

// startPrivateRedis starts a redis-server for this test only. Without
// redis-server installed the test is skipped, except in CI, where it fails.
func startPrivateRedis(t testing.TB) *privateRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		skipOrFail(t, "redis-server is not installed (scripts/services.sh installs it): %v", err)
	}
	_, portText, _ := net.SplitHostPort(freeAddr(t))
	port, _ := strconv.Atoi(portText)
	r := &privateRedis{t: t, bin: bin, dir: t.TempDir(), port: port}
	r.start()
	t.Cleanup(func() {
		if r.p != nil {
			r.p.Kill()
			if t.Failed() {
				r.p.dumpLog(t)
			}
		}
	})
	return r
}

// url is the Redis URL of database 0.
func (r *privateRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// start runs a fresh, empty server on the port and waits until it answers.
func (r *privateRedis) start() {
	r.t.Helper()
	r.runs++
	log := filepath.Join(r.dir, fmt.Sprintf("redis-%d.log", r.runs))
	r.p = startProc(r.t, "redis-server", log, nil, r.bin,
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--logfile", "")
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if !r.p.Running() || time.Now().After(deadline) {
			r.p.dumpLog(r.t)
			r.t.Fatalf("redis-server on port %d did not start: %v", r.port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills the server (SIGKILL): its data is gone.
func (r *privateRedis) stop() { r.p.Kill() }

// flushAll runs FLUSHALL.
func (r *privateRedis) flushAll() error {
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer c.Close()
	return c.FlushAll(context.Background()).Err()
}
