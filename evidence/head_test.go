package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The log grows between two signed heads; the consistency proof between
// them verifies, and fails for heads that do not extend each other.
func TestEvidenceVerifyConsistency(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	head := func(size uint64) string {
		root, err := Root(ctx, f.store, "wsp_1", size)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := f.key.Sign(TreeHead{Workspace: "wsp_1", Size: size, Root: root, Time: bundleTime})
		if err != nil {
			t.Fatal(err)
		}
		return cp
	}
	old := head(3)
	p, err := ConsistencyProof(ctx, f.store, "wsp_1", 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	good := Consistency{From: old, To: head(7), Proof: p}
	if err := VerifyConsistency(good, f.key.PublicKey()); err != nil {
		t.Fatalf("VerifyConsistency: %v", err)
	}
	raw, _ := json.Marshal(good)
	var back Consistency
	if err := json.Unmarshal(raw, &back); err != nil || VerifyConsistency(back, f.key.PublicKey()) != nil {
		t.Fatalf("consistency proof does not survive JSON: %v", err)
	}

	// A log rewritten after the old head: same size, one record changed.
	rewritten := NewMemStore()
	for i, id := range []string{"aud_1", "evt_1", "evt_2", "att_1", "aud_2", "evt_3", "evt_4"} {
		r := f.rows[id]
		if i == 1 {
			r.Body = json.RawMessage(`{"type":"process.created","data":{"title":"Lease, amended"}}`)
		}
		if _, err := Append(ctx, rewritten, r); err != nil {
			t.Fatal(err)
		}
	}
	root, _ := Root(ctx, rewritten, "wsp_1", 7)
	newHead, _ := f.key.Sign(TreeHead{Workspace: "wsp_1", Size: 7, Root: root, Time: bundleTime.Add(time.Hour)})
	p2, _ := ConsistencyProof(ctx, rewritten, "wsp_1", 3, 7)
	other := fixedKey(t, "countersign.example", 9)
	forged, _ := other.Sign(TreeHead{Workspace: "wsp_1", Size: 7, Root: root, Time: bundleTime})
	tests := []struct {
		name string
		c    Consistency
		want error
	}{
		{"log rewritten", Consistency{From: old, To: newHead, Proof: p2}, ErrNotConsistent},
		{"proof of the honest log for the rewritten head", Consistency{From: old, To: newHead, Proof: p}, ErrNotConsistent},
		{"heads swapped", Consistency{From: good.To, To: good.From, Proof: p}, ErrNotConsistent},
		{"newer head signed by another key", Consistency{From: old, To: forged, Proof: p2}, ErrHeadSignature},
	}
	for _, tt := range tests {
		if err := VerifyConsistency(tt.c, f.key.PublicKey()); !errors.Is(err, tt.want) {
			t.Errorf("%s: VerifyConsistency = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// The key is generated once, 0600, and read back the same on the next start.
func TestEvidenceLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), KeyFile)
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if k1.PublicKey() != k2.PublicKey() {
		t.Fatal("the key changed between two starts")
	}
	if !strings.HasPrefix(k1.PublicKey(), DefaultKeyName+"+"+k1.ID()+"+") {
		t.Fatalf("public key %q does not carry name and id %s", k1.PublicKey(), k1.ID())
	}
	skey, _ := os.ReadFile(path)
	k3, err := ParseKey(string(skey)) // what COUNTERSIGN_EVIDENCE_KEY holds
	if err != nil || k3.PublicKey() != k1.PublicKey() {
		t.Fatalf("ParseKey(key file) = %v", err)
	}
	if _, err := ParseKey("PRIVATE+KEY+x+00000000+AAAA"); err == nil || strings.Contains(err.Error(), "AAAA") {
		t.Fatalf("ParseKey(bad) = %v", err)
	}
}
