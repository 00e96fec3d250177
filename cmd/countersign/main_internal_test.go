package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the package's tests in a temporary working directory, so a
// command that falls back to its defaults (sqlite://./data/countersign.db)
// writes there and never into the source tree.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "countersign-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	if err := os.Chdir(dir); err != nil {
		fmt.Fprintln(os.Stderr, "chdir:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
