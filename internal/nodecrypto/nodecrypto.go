// Package nodecrypto runs ed25519.js, an Ed25519 implementation independent
// of Go's (Node's crypto, on OpenSSL), so that tests can check our
// signatures against another implementation.
package nodecrypto

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Ed25519 sends req to ed25519.js as JSON and returns what it prints. Without
// node the test is skipped, except in CI, where a skipped interop test would
// hide a break.
func Ed25519(tb testing.TB, req map[string]string) string {
	tb.Helper()
	bin, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("node is required in CI for the Ed25519 interop test")
		}
		tb.Skip("node not installed")
	}
	in, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	_, self, _, _ := runtime.Caller(0) // the script sits beside this file
	cmd := exec.Command(bin, filepath.Join(filepath.Dir(self), "ed25519.js"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("node: %v: %s", err, stderr.String())
	}
	return string(out)
}
