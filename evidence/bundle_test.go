package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/golden"

	"golang.org/x/mod/sumdb/note"
)

// fixedKey returns a key from a fixed seed, so that signatures (Ed25519 is
// deterministic) and therefore the golden bundle do not change between runs.
func fixedKey(t testing.TB, name string, seedByte byte) *Key {
	t.Helper()
	seed := bytes.Repeat([]byte{seedByte}, ed25519.SeedSize)
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		t.Fatal(err)
	}
	hash := strings.Split(vkey, "+")[1]
	k, err := ParseKey("PRIVATE+KEY+" + name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, seed...)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixture is a workspace log with two interleaved processes, and the rows the
// records came from, as storage would hold them.
type fixture struct {
	store *MemStore
	rows  map[string]Record
	key   *Key
}

var bundleTime = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: NewMemStore(), rows: map[string]Record{}, key: fixedKey(t, "countersign.example", 7)}
	recs := []Record{
		{Kind: KindAudit, ID: "aud_1", ProcessID: "prc_A", Body: json.RawMessage(`{"action":"process.create","actor":"key_1"}`)},
		{Kind: KindEvent, ID: "evt_1", ProcessID: "prc_A", Body: json.RawMessage(`{"type":"process.created","data":{"title":"Lease"}}`)},
		{Kind: KindEvent, ID: "evt_2", ProcessID: "prc_B", Body: json.RawMessage(`{"type":"process.created","data":{"title":"NDA"}}`)},
		{Kind: KindAttempt, ID: "att_1", ProcessID: "prc_A", Body: json.RawMessage(`{"delivery":"dlv_1","status":200}`)},
		{Kind: KindAudit, ID: "aud_2", Body: json.RawMessage(`{"action":"endpoint.create"}`)},
		{Kind: KindEvent, ID: "evt_3", ProcessID: "prc_A", Body: json.RawMessage(`{"type":"process.completed","data":{}}`)},
		{Kind: KindEvent, ID: "evt_4", ProcessID: "prc_B", Body: json.RawMessage(`{"type":"process.signed","data":{}}`)},
	}
	for _, r := range recs {
		r.Workspace = "wsp_1"
		if _, err := Append(context.Background(), f.store, r); err != nil {
			t.Fatal(err)
		}
		f.rows[r.ID] = r
	}
	return f
}

func (f *fixture) source(_ context.Context, l Leaf) (Record, error) {
	r, ok := f.rows[l.RecordID]
	if !ok {
		return Record{}, errors.New("no row")
	}
	return r, nil
}

func (f *fixture) bundle(t *testing.T, process string) *Bundle {
	t.Helper()
	b, err := BuildBundle(context.Background(), f.store, f.key, f.source, "wsp_1", process, bundleTime)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEvidenceBundleGolden(t *testing.T) {
	f := newFixture(t)
	b := f.bundle(t, "prc_A")
	if err := Verify(b, f.key.PublicKey()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	got, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "evidence", "bundle.json", append(got, '\n'))
	want, err := os.ReadFile(filepath.Join(golden.Dir(t, "evidence"), "bundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The golden bundle read back still verifies: the JSON round trip keeps
	// the canonical bytes and proofs exact.
	var back Bundle
	if err := json.Unmarshal(want, &back); err != nil {
		t.Fatal(err)
	}
	if err := Verify(&back, f.key.PublicKey()); err != nil {
		t.Fatalf("Verify(golden): %v", err)
	}
}

// Each way of tampering with a bundle is detected, and the error names the
// first record that fails.
func TestEvidenceVerifyDetectsTampering(t *testing.T) {
	f := newFixture(t)
	other := fixedKey(t, "countersign.example", 9)
	tests := []struct {
		name   string
		tamper func(b *Bundle)
		want   string // in the error; the record it names
	}{
		{"untouched", func(*Bundle) {}, ""},
		{"one byte of a record changed", func(b *Bundle) {
			b.Records[1].Canonical = strings.Replace(b.Records[1].Canonical, "Lease", "Lense", 1)
		}, "record 1 (event evt_1)"},
		{"one byte changed and the leaf hash restated", func(b *Bundle) {
			b.Records[1].Canonical = strings.Replace(b.Records[1].Canonical, "Lease", "Lense", 1)
			b.Records[1].LeafHash = LeafHash([]byte(b.Records[1].Canonical))
		}, "record 1 (event evt_1): not included"},
		{"a record deleted", func(b *Bundle) {
			b.Records = append(b.Records[:1], b.Records[2:]...)
		}, "record 1 (attempt att_1)"},
		{"two records reordered", func(b *Bundle) {
			b.Records[1], b.Records[2] = b.Records[2], b.Records[1]
		}, "record 1 (attempt att_1)"},
		{"two records' contents swapped in place", func(b *Bundle) {
			r1, r2 := b.Records[1], b.Records[2]
			b.Records[1].Canonical, b.Records[1].LeafHash = r2.Canonical, r2.LeafHash
			b.Records[2].Canonical, b.Records[2].LeafHash = r1.Canonical, r1.LeafHash
		}, "record 1 (event evt_1)"},
		{"a record of another process", func(b *Bundle) {
			nb := f.bundle(t, "prc_B")
			b.Records[2] = nb.Records[0]
			b.Records[2].Seq = 2
		}, "record 2 (event evt_2): belongs to process \"prc_B\""},
		{"a record of another process, relabelled", func(b *Bundle) {
			nb := f.bundle(t, "prc_B")
			r := nb.Records[0]
			r.Canonical = strings.Replace(r.Canonical, `"prc_B"`, `"prc_A"`, 1)
			r.Canonical = strings.Replace(r.Canonical, `"seq":0`, `"seq":2`, 1)
			r.Seq, r.LeafHash = 2, nil
			b.Records[2] = r
		}, "record 2 (event evt_2): not included"},
		{"tree head forged with another key", func(b *Bundle) {
			head, err := OpenHead(b.TreeHead, f.key.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			if b.TreeHead, err = other.Sign(head); err != nil {
				t.Fatal(err)
			}
		}, "not signed by this key"},
		{"tree head's root changed", func(b *Bundle) {
			b.TreeHead = strings.Replace(b.TreeHead, "\n7\n", "\n6\n", 1)
		}, "not signed by this key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.bundle(t, "prc_A")
			tt.tamper(b)
			err := Verify(b, f.key.PublicKey())
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// A stored row changed after it was written no longer matches its leaf: the
// bundle is not built, and the error names the row.
func TestEvidenceBuildBundleDetectsChangedRow(t *testing.T) {
	f := newFixture(t)
	r := f.rows["att_1"]
	r.Body = json.RawMessage(`{"delivery":"dlv_1","status":201}`)
	f.rows["att_1"] = r
	_, err := BuildBundle(context.Background(), f.store, f.key, f.source, "wsp_1", "prc_A", bundleTime)
	var re *RecordError
	if !errors.As(err, &re) || re.ID != "att_1" {
		t.Fatalf("BuildBundle = %v, want a RecordError naming att_1", err)
	}
}

// A record whose body retention expunged keeps its leaf: the bundle still
// proves it, and still verifies.
func TestEvidenceBundleWithExpungedBody(t *testing.T) {
	f := newFixture(t)
	r := f.rows["evt_1"]
	r.Body = nil
	f.rows["evt_1"] = r
	b := f.bundle(t, "prc_A")
	if b.Records[1].Canonical != "" || len(b.Records[1].LeafHash) == 0 {
		t.Fatalf("expunged record = %+v", b.Records[1])
	}
	if err := Verify(b, f.key.PublicKey()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}
