package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/kit"
)

// proc is one child process of the binary (serve, worker, redis-server…)
// started by the kit, with its output captured in a file.
type proc struct {
	*kit.Proc
	logPath string
}

// startProc starts path with args and env, its stdout and stderr appended to logPath.
func startProc(t testing.TB, name, logPath string, env []string, path string, args ...string) *proc {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	kp, err := kit.Start(name, f, env, path, args...)
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	go func() {
		<-kp.Done()
		f.Close()
	}()
	return &proc{Proc: kp, logPath: logPath}
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
		if !p.Running() {
			return fmt.Errorf("%s exited (%v) before logging %q", p.Name(), p.Err(), msg)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not log %q within %s", p.Name(), msg, within)
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
		t.Logf("%s: no log: %v", p.Name(), err)
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
		p.Name(), p.logPath, len(lines), len(problems), strings.Join(problems, "\n"), strings.Join(tail, "\n"))
}
