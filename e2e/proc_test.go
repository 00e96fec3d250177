package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proc is one child process of the binary (serve, worker, redis-server…)
// with its output captured in a file.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error // the exit error, once done is closed
}

// startProc starts path with args and env, its stdout and stderr appended to logPath.
func startProc(t testing.TB, name, logPath string, env []string, path string, args ...string) *proc {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p
}

// running reports whether the process has not exited.
func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (p *proc) kill() {
	if p.running() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// term sends SIGTERM and waits up to within for the process to exit; it
// returns the exit error (nil for status 0), or an error when it did not exit
// in time (it is then killed).
func (p *proc) term(within time.Duration) error {
	if !p.running() {
		return fmt.Errorf("%s had already exited: %v", p.name, p.err)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(within):
		p.kill()
		return fmt.Errorf("%s did not exit within %s of SIGTERM", p.name, within)
	}
}

// logEntry is one line of a process's JSON log.
type logEntry map[string]any

// logLines returns the JSON log entries of the process (lines that are not
// JSON are returned as {"msg": line}).
func (p *proc) logLines() []logEntry {
	f, err := os.Open(p.logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []logEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var e logEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			e = logEntry{"msg": sc.Text()}
		}
		out = append(out, e)
	}
	return out
}

// waitLog waits until the log has an entry whose msg is msg, or the process
// exits, or within passes.
func (p *proc) waitLog(msg string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		for _, e := range p.logLines() {
			if e["msg"] == msg {
				return nil
			}
		}
		if !p.running() {
			return fmt.Errorf("%s exited (%v) before logging %q", p.name, p.err, msg)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not log %q within %s", p.name, msg, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// countLog counts the log entries whose msg is msg.
func (p *proc) countLog(msg string) int {
	n := 0
	for _, e := range p.logLines() {
		if e["msg"] == msg {
			n++
		}
	}
	return n
}

// dumpLog writes the interesting part of the log to t: every warning and
// error (up to 40) and the last 40 lines.
func (p *proc) dumpLog(t testing.TB) {
	t.Helper()
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		t.Logf("%s: no log: %v", p.name, err)
		return
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	var problems []string
	for _, l := range lines {
		if strings.Contains(l, `"level":"WARN"`) || strings.Contains(l, `"level":"ERROR"`) {
			problems = append(problems, l)
		}
	}
	if len(problems) > 40 {
		problems = append(problems[:20], append([]string{"…"}, problems[len(problems)-20:]...)...)
	}
	tail := lines[max(0, len(lines)-40):]
	t.Logf("==== %s (%s): %d lines, %d warnings/errors ====\n%s\n---- last lines ----\n%s",
		p.name, p.logPath, len(lines), len(problems), strings.Join(problems, "\n"), strings.Join(tail, "\n"))
}
