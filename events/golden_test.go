package events

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/events")

// goldenDir holds one example envelope per event type, <type>.json.
const goldenDir = "../testdata/events"

// goldenPath returns the golden file of t.
func goldenPath(t Type) string { return filepath.Join(goldenDir, string(t)+".json") }

// encodeExample returns the golden bytes of t's example: indented, ending in a newline.
func encodeExample(tb testing.TB, t Type) []byte {
	tb.Helper()
	b, err := json.MarshalIndent(Example(t), "", "  ")
	if err != nil {
		tb.Fatalf("encode example %s: %v", t, err)
	}
	return append(b, '\n')
}

func TestGolden(t *testing.T) {
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, typ := range Types {
		t.Run(string(typ), func(t *testing.T) {
			got := encodeExample(t, typ)
			if !bytes.Equal(got, encodeExample(t, typ)) {
				t.Fatal("Example is not deterministic: two calls gave different bytes")
			}
			path := goldenPath(typ)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./events -run Golden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from Example(%q): %s\nrun go test ./events -run Golden -update if the change is intended",
					path, typ, firstDiff(want, got))
			}
		})
	}
}

// TestGoldenNoStrays fails on golden files of types that no longer exist, so
// the docs built from testdata do not keep advertising them.
func TestGoldenNoStrays(t *testing.T) {
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatalf("%v (run go test ./events -run Golden -update)", err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !Known(Type(name)) {
			t.Errorf("%s: not the golden file of a catalogue type; remove it", filepath.Join(goldenDir, e.Name()))
		}
	}
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
			return fmt.Sprintf("first difference at line %d:\n  golden:  %q\n  example: %q", i+1, w, g)
		}
	}
	return "same lines, different bytes"
}

func TestExampleUnknownType(t *testing.T) {
	if e := Example("no.such.type"); e.Type != "" || e.Data != nil {
		t.Errorf("Example(unknown) = %+v, want the zero Event", e)
	}
}
