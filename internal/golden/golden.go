// Package golden keeps the golden files of every package's tests in one
// place, testdata/<area>/ at the module's root (where the docs read them
// too), behind one flag: `go test ./… -update` rewrites them instead of
// comparing. Only tests import it, so only test binaries have the flag.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing with them")

// Updating reports whether -update was given.
func Updating() bool { return *update }

var root struct {
	once sync.Once
	dir  string
	err  error
}

// Dir returns testdata/area at the module's root.
func Dir(tb testing.TB, area string) string {
	tb.Helper()
	root.once.Do(func() {
		dir, err := os.Getwd()
		for err == nil {
			if _, statErr := os.Stat(filepath.Join(dir, "go.mod")); statErr == nil {
				root.dir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				err = fmt.Errorf("no go.mod above the test's directory")
			}
			dir = parent
		}
		root.err = err
	})
	if root.err != nil {
		tb.Fatalf("golden: %v", root.err)
	}
	return filepath.Join(root.dir, "testdata", area)
}

// Check compares got with the golden file testdata/<area>/<name>, or
// rewrites that file under -update.
func Check(tb testing.TB, area, name string, got []byte) {
	tb.Helper()
	path := filepath.Join(Dir(tb, area), name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -run '%s' -update to create it)", err, tb.Name())
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file (run go test -run '%s' -update if the change is intended): %s",
			path, tb.Name(), firstDiff(want, got))
	}
}

// JSON encodes v as every golden JSON file is written: indented by two
// spaces, HTML characters as they are, ending in a newline.
func JSON(tb testing.TB, v any) []byte {
	tb.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		tb.Fatalf("golden: encode: %v", err)
	}
	return buf.Bytes()
}

// firstDiff describes the first line where want and got differ.
func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("first difference at line %d:\n  golden: %q\n  got:    %q", i+1, w, g)
		}
	}
	return "same lines, different bytes"
}
