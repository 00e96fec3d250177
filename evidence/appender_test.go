package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// TestEvidenceAppenderBatches appends 37 records in batches of varying size,
// each batch resuming from the previous batch's border, and checks the root
// and every node against RFC 9162's definition.
func TestEvidenceAppenderBatches(t *testing.T) {
	var leaves [][]byte
	var border [][]byte
	var size uint64
	for batch, n := range []int{1, 2, 5, 8, 1, 20} {
		a, err := NewAppender("wsp_1", size, border)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			l, err := a.Append(Record{Kind: KindEvent, Workspace: "wsp_1", ID: fmt.Sprintf("evt_%d_%d", batch, i),
				Body: json.RawMessage(`{"n":1}`)})
			if err != nil {
				t.Fatal(err)
			}
			if l.Index != size+uint64(i) {
				t.Fatalf("leaf index %d, want %d", l.Index, size+uint64(i))
			}
			leaves = append(leaves, l.Hash)
		}
		for _, nd := range a.Nodes() {
			w := uint64(1) << nd.ID.Level
			want := referenceRoot(leaves[nd.ID.Index*w : (nd.ID.Index+1)*w])
			if !bytes.Equal(nd.Hash, want) {
				t.Fatalf("node (%d, %d) is not the subtree's hash", nd.ID.Level, nd.ID.Index)
			}
		}
		root, err := a.Root()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(root, referenceRoot(leaves)) {
			t.Fatalf("root after %d leaves differs from RFC 9162's", len(leaves))
		}
		size, border = a.Size(), a.Border()
	}
	if _, err := NewAppender("wsp_1", size, border[1:]); err == nil {
		t.Error("a border of the wrong length was accepted")
	}
	a, _ := NewAppender("wsp_1", 0, nil)
	if _, err := a.Append(Record{Kind: KindEvent, Workspace: "wsp_2", ID: "evt_x", Body: json.RawMessage(`{}`)}); err == nil {
		t.Error("a record of another workspace was appended")
	}
}
