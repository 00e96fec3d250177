package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
)

// referenceRoot is RFC 9162 §2.1.1's MTH, computed over all leaves at once.
func referenceRoot(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		return leaves[0]
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		return nodeHash(referenceRoot(leaves[:k]), referenceRoot(leaves[k:]))
	}
}

func appendN(t *testing.T, s Store, ws string, n int) [][]byte {
	t.Helper()
	var hashes [][]byte
	for i := range n {
		l, err := Append(context.Background(), s, Record{Kind: KindAudit, Workspace: ws,
			ID: fmt.Sprintf("aud_%d", i), Body: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
		if err != nil {
			t.Fatal(err)
		}
		if l.Index != uint64(i) {
			t.Fatalf("leaf %d got index %d", i, l.Index)
		}
		hashes = append(hashes, l.Hash)
	}
	return hashes
}

// Roots and proofs computed from the stored perfect subtrees agree with the
// RFC's definition over all leaves, for every size, index and pair of sizes.
func TestEvidenceLogProofs(t *testing.T) {
	ctx := context.Background()
	s := NewMemStore()
	const n = 37
	leaves := appendN(t, s, "wsp_a", n)
	appendN(t, s, "wsp_b", 5) // another workspace's log must not interfere
	for size := uint64(0); size <= n; size++ {
		root, err := Root(ctx, s, "wsp_a", size)
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceRoot(leaves[:size]); !bytes.Equal(root, want) {
			t.Fatalf("root at %d differs from the reference", size)
		}
		for i := uint64(0); i < size; i++ {
			p, err := InclusionProof(ctx, s, "wsp_a", i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := verifyInclusion(i, size, leaves[i], p, root); err != nil {
				t.Fatalf("inclusion of %d at %d: %v", i, size, err)
			}
			if err := verifyInclusion(i, size, leaves[(i+1)%size], p, root); size > 1 && err == nil {
				t.Fatalf("inclusion of %d at %d verified with another leaf", i, size)
			}
		}
		for size1 := uint64(0); size1 <= size; size1++ {
			p, err := ConsistencyProof(ctx, s, "wsp_a", size1, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := verifyConsistency(size1, size, p, referenceRoot(leaves[:size1]), root); err != nil {
				t.Fatalf("consistency %d to %d: %v", size1, size, err)
			}
		}
	}
	if _, err := InclusionProof(ctx, s, "wsp_a", n, n); err == nil {
		t.Fatal("proof for a leaf beyond the tree")
	}
}

// A process's records are numbered in the order they were appended, across
// the records of other processes and of none.
func TestEvidenceAppendNumbersProcessRecords(t *testing.T) {
	ctx := context.Background()
	s := NewMemStore()
	for i, p := range []string{"prc_a", "prc_b", "", "prc_a", "prc_a", "prc_b"} {
		if _, err := Append(ctx, s, Record{Kind: KindEvent, Workspace: "wsp_1", ID: fmt.Sprintf("evt_%d", i),
			ProcessID: p, Body: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	leaves, err := s.ProcessLeaves(ctx, "wsp_1", "prc_a")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range leaves {
		got = append(got, fmt.Sprintf("%s#%d@%d", l.RecordID, l.Seq, l.Index))
	}
	if want := "[evt_0#0@0 evt_3#1@3 evt_4#2@4]"; fmt.Sprint(got) != want {
		t.Fatalf("leaves of prc_a = %v, want %s", got, want)
	}
}
