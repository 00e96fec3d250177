package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// walkthroughDoc and walkthroughHeading locate the walkthrough this test runs.
const (
	walkthroughDoc     = "docs/api.md"
	walkthroughHeading = "## Your first hour"
)

// shellBlocks returns the ```sh blocks of markdown's section under heading,
// up to the next heading of the same level.
func shellBlocks(markdown, heading string) []string {
	_, section, ok := strings.Cut(markdown, "\n"+heading+"\n")
	if !ok {
		return nil
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)\n```sh\n(.*?)\n```\n").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// TestFirstHourWalkthrough runs the walkthrough of docs/api.md as written, in
// bash with curl and jq: its commands start a real countersign serve (embedded
// defaults, in a scratch directory) and countersign receive, and drive them.
// Only the two listen addresses are chosen by the test, through the variables
// the walkthrough reads. Each block's output must show what the docs say.
func TestFirstHourWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (scripts/services.sh installs it)", tool)
			}
			t.Skipf("%s is not installed: the walkthrough needs it", tool)
		}
	}
	doc, err := os.ReadFile(filepath.Join(packageDir, "..", "..", walkthroughDoc))
	if err != nil {
		t.Fatal(err)
	}
	blocks := shellBlocks(string(doc), walkthroughHeading)
	if len(blocks) < 8 {
		t.Fatalf("%s has %d sh blocks under %q", walkthroughDoc, len(blocks), walkthroughHeading)
	}

	// The test binary, named countersign, is the command (see asCommand).
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(self, filepath.Join(bin, "countersign")); err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for i, b := range blocks {
		fmt.Fprintf(&script, "echo '--- block %d'\n%s\n", i, b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = t.TempDir()
	// The service runs on its defaults: no COUNTERSIGN_* setting of the
	// test's own environment reaches it.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COUNTERSIGN_") && !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "TMPDIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, asCommand+"=1", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TMPDIR="+t.TempDir(), "COUNTERSIGN_ADDR="+freeAddr(t), "RECEIVER_ADDR="+freeAddr(t))
	// Its own process group, so that whatever the script left running when it
	// failed (serve, receive) is stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err != nil {
		t.Fatalf("the walkthrough failed: %v\n%s", err, out.String())
	}
	t.Logf("walkthrough output:\n%s", out.String())

	got := map[int]string{}
	for i, part := range strings.Split(out.String(), "--- block ")[1:] {
		got[i] = part
	}
	// What each block must show; background receiver lines may fall anywhere.
	for i, wants := range map[int][]string{
		0: {`"role":"owner"`},
		2: {`"secret": "whsec_`, `"url": "http://127.0.0.1:`},
		3: {`"status": "PENDING"`, `"signerRole": "SIGNER"`, `"signerRole": "VIEWER"`},
		4: {`{"status":"STARTED"}`, `{"status":"COMPLETED"}`},
		5: {`"event_type":"transaction.lifecycle.completed","status":"delivered"`, `"status_code": 204`},
		6: {"valid: webhook-id evt_", "countersign: verify: invalid: no signature matches", "refused, as it should be"},
		7: {`"status": "failed"`, `"attempt": 3`, `"status_code": 503`},
		8: {`"status":"delivered","replay_id":"dlv_`, "valid: webhook-id evt_"},
	} {
		for _, w := range wants {
			if !strings.Contains(got[i], w) {
				t.Errorf("block %d of the walkthrough printed no %s:\n%s", i, w, got[i])
			}
		}
	}
	if n := strings.Count(got[7], `"status_code": 503`); n != 3 {
		t.Errorf("the failing receiver's delivery shows %d attempts answered 503, want 3 (COUNTERSIGN_RETRY_SCHEDULE=0s,2s,4s)", n)
	}
}
