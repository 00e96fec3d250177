package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/evidence"
)

// writeBundle builds a two-record bundle with the evidence package, lets
// tamper change it, and writes it to a file.
func writeBundle(t *testing.T, key *evidence.Key, tamper func(*evidence.Bundle)) string {
	t.Helper()
	ctx := context.Background()
	s := evidence.NewMemStore()
	rows := map[string]evidence.Record{}
	for _, r := range []evidence.Record{
		{Kind: evidence.KindEvent, Workspace: "wsp_1", ID: "evt_1", ProcessID: "prc_1", Body: json.RawMessage(`{"type":"process.created"}`)},
		{Kind: evidence.KindAttempt, Workspace: "wsp_1", ID: "att_1", ProcessID: "prc_1", Body: json.RawMessage(`{"status":200}`)},
	} {
		if _, err := evidence.Append(ctx, s, r); err != nil {
			t.Fatal(err)
		}
		rows[r.ID] = r
	}
	src := func(_ context.Context, l evidence.Leaf) (evidence.Record, error) { return rows[l.RecordID], nil }
	b, err := evidence.BuildBundle(ctx, s, key, src, "wsp_1", "prc_1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tamper(b)
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvidenceVerifyCommand(t *testing.T) {
	key, _, err := evidence.GenerateKey("countersign")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := evidence.GenerateKey("countersign")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "evidence.pub")
	if err := os.WriteFile(keyFile, []byte(key.PublicKey()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	untouched := func(*evidence.Bundle) {}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // in stdout when valid, in the error otherwise
	}{
		{"valid", []string{writeBundle(t, key, untouched), "--public-key", key.PublicKey()}, 0, "valid: 2 records of process prc_1"},
		{"flags first, key from a file", []string{"--public-key", keyFile, writeBundle(t, key, untouched)}, 0, "valid: 2 records"},
		{"record changed", []string{writeBundle(t, key, func(b *evidence.Bundle) {
			b.Records[1].Canonical = strings.Replace(b.Records[1].Canonical, "200", "500", 1)
		}), "--public-key", key.PublicKey()}, 1, "record 1 (attempt att_1)"},
		{"record deleted", []string{writeBundle(t, key, func(b *evidence.Bundle) {
			b.Records = b.Records[1:]
		}), "--public-key", key.PublicKey()}, 1, "record 0 (attempt att_1)"},
		{"another installation's key", []string{writeBundle(t, key, untouched), "--public-key", other.PublicKey()}, 1, "not signed by this key"},
		{"no key", []string{writeBundle(t, key, untouched)}, 2, "--public-key is required"},
		{"no file", []string{"--public-key", key.PublicKey()}, 2, "bundle FILE"},
		{"not a key", []string{writeBundle(t, key, untouched), "--public-key", "whpk_nope"}, 2, "neither a public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runWithInput(context.Background(), append([]string{"evidence", "verify"}, tt.args...), strings.NewReader(""), &out, io.Discard)
			code := 0
			if err != nil {
				code = exitCode(err)
			}
			if code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			got := out.String()
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
