package main

import (
	"fmt"
	"os"
	"testing"
)

// asCommand, set in the environment, makes the test binary run as the
// countersign command instead of running tests: the docs walkthrough starts
// it under that name, so no separate build of the binary is needed.
const asCommand = "COUNTERSIGN_TEST_BINARY_IS_COMMAND"

// packageDir is the package's source directory, where go test started.
var packageDir string

// TestMain runs the package's tests in a temporary working directory, so a
// command that falls back to its defaults (sqlite://./data/countersign.db)
// writes there and never into the source tree.
func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		main()
		os.Exit(0)
	}
	var err error
	if packageDir, err = os.Getwd(); err != nil {
		fmt.Fprintln(os.Stderr, "working directory:", err)
		os.Exit(1)
	}
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
