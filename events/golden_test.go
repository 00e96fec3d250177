package events

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/countersign/countersign/internal/golden"
)

// goldenArea is testdata/events: one example envelope per event type, <type>.json.
const goldenArea = "events"

// goldenPath returns the golden file of t.
func goldenPath(tb testing.TB, t Type) string {
	return filepath.Join(golden.Dir(tb, goldenArea), string(t)+".json")
}

// encodeExample returns the golden bytes of t's example.
func encodeExample(tb testing.TB, t Type) []byte {
	tb.Helper()
	return golden.JSON(tb, Example(t))
}

func TestGolden(t *testing.T) {
	for _, typ := range Types {
		t.Run(string(typ), func(t *testing.T) {
			got := encodeExample(t, typ)
			if !bytes.Equal(got, encodeExample(t, typ)) {
				t.Fatal("Example is not deterministic: two calls gave different bytes")
			}
			golden.Check(t, goldenArea, string(typ)+".json", got)
		})
	}
}

// TestGoldenNoStrays fails on golden files of types that no longer exist, so
// the docs built from testdata do not keep advertising them.
func TestGoldenNoStrays(t *testing.T) {
	dir := golden.Dir(t, goldenArea)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (run go test ./events -run Golden -update)", err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !Known(Type(name)) {
			t.Errorf("%s: not the golden file of a catalogue type; remove it", filepath.Join(dir, e.Name()))
		}
	}
}

func TestExampleUnknownType(t *testing.T) {
	if e := Example("no.such.type"); e.Type != "" || e.Data != nil {
		t.Errorf("Example(unknown) = %+v, want the zero Event", e)
	}
}
