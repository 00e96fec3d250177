package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

var (
	soakFlag     = flag.Bool("soak", false, "run the soak test (also COUNTERSIGN_SOAK=1)")
	soakDuration = flag.Duration("soak-duration", 0, "how long the soak test loads and injects faults (default 10m, or COUNTERSIGN_SOAK_DURATION)")
)

// buildDir holds the binary built for this test run.
var buildDir string

var build struct {
	once sync.Once
	path string
	err  error
}

// parallelism is how many of the parallel tests run at once unless -parallel
// says otherwise: they wait on child processes more than they compute.
const parallelism = 3

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", strconv.Itoa(parallelism))
	}
	dir, err := os.MkdirTemp("", "countersign-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binary returns the path of the countersign binary, built once per test run
// from this module (without the race detector, so it starts and runs at full
// speed; the test process itself may run with it).
func binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (it builds and runs the real binary)")
	}
	build.once.Do(func() {
		out := filepath.Join(buildDir, "countersign")
		cmd := exec.Command("go", "build", "-o", out, "./cmd/countersign")
		cmd.Dir = ".." // the module root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if msg, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ./cmd/countersign: %v\n%s", err, msg)
			return
		}
		build.path = out
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// inCI reports whether the tests run in CI, where a missing tool fails
// instead of skipping.
func inCI() bool { return os.Getenv("CI") != "" }

// skipOrFail skips the test outside CI and fails it in CI.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
