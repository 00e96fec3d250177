package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/countersign/countersign/evidence"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

// apiCall sends a request with the key and decodes a 2xx JSON answer into out.
func apiCall(t *testing.T, method, url, key string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, raw)
		}
	}
	if res.StatusCode/100 != 2 {
		t.Logf("%s %s: %d %s", method, url, res.StatusCode, raw)
	}
	return res.StatusCode
}

// TestEvidenceEndToEnd runs a signing process through a real serve (SQLite,
// embedded Redis, a real receiver), takes the process's bundle from the API
// and verifies it offline with `countersign evidence verify`; then checks the
// whole log with `countersign evidence check`, changes one byte of a stored
// event, and expects the check to name it.
func TestEvidenceEndToEnd(t *testing.T) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer receiver.Close()
	dir := t.TempDir()
	dbURL := "sqlite://" + filepath.Join(dir, "cs.db")
	addr := freeAddr(t)
	withEnv(t, map[string]string{
		"COUNTERSIGN_DATABASE_URL":          dbURL,
		"COUNTERSIGN_ADDR":                  addr,
		"COUNTERSIGN_LOG_LEVEL":             "warn",
		"COUNTERSIGN_ALLOW_PRIVATE_TARGETS": "true",
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, &stdout, &stderr) }()
	key := waitFor(t, func() string { return regexp.MustCompile(`cs_[0-9a-z]{26}_[0-9a-f]{48}`).FindString(stdout.String()) })
	base := "http://" + addr
	waitFor(t, func() string {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			return "up"
		}
		return ""
	})
	if info, err := os.Stat(filepath.Join(dir, evidence.KeyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the key file under the data directory: %v, %v", info, err)
	}

	if st := apiCall(t, "POST", base+"/v1/webhooks/endpoints", key, map[string]any{"url": receiver.URL, "event_types": []string{"*"}}, nil); st != 201 {
		t.Fatalf("create endpoint: %d", st)
	}
	var proc struct {
		ID string `json:"id"`
	}
	body := map[string]any{"documentId": "doc-1", "documentName": "Lease.pdf", "initiator": "jdoe",
		"signingProcessSteps": []any{map[string]any{"processOrder": 0, "processStepSigners": []any{
			map[string]any{"signerName": "Signer One", "signerRole": "SIGNER", "signerCountry": "LV", "signerPersonalCode": "161175-19997"}}}}}
	if st := apiCall(t, "POST", base+"/v1/processes", key, body, &proc); st != 201 {
		t.Fatalf("create process: %d", st)
	}
	if st := apiCall(t, "POST", base+"/v1/processes/"+proc.ID+"/start", key, nil, nil); st != 200 {
		t.Fatalf("start process: %d", st)
	}
	var pub evidencePublicKey
	if st := apiCall(t, "GET", base+"/v1/evidence/public-key", key, nil, &pub); st != 200 || pub.PublicKey == "" {
		t.Fatalf("public key: %d %+v", st, pub)
	}

	// Wait until every event of the process was delivered and the audit
	// writer flushed: the bundle then holds all three kinds.
	var raw []byte
	waitFor(t, func() string {
		var b evidence.Bundle
		if apiCall(t, "GET", base+"/v1/processes/"+proc.ID+"/evidence", key, nil, &b) != 200 {
			return ""
		}
		kinds := map[evidence.Kind]int{}
		for _, r := range b.Records {
			kinds[r.Kind]++
		}
		if kinds[evidence.KindAudit] == 0 || kinds[evidence.KindEvent] == 0 || kinds[evidence.KindAttempt] != kinds[evidence.KindEvent] {
			return ""
		}
		raw, _ = json.Marshal(b)
		return "complete"
	})
	bundleFile := filepath.Join(dir, "bundle.json")
	if err := os.WriteFile(bundleFile, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"evidence", "verify", bundleFile, "--public-key", pub.PublicKey}, &out, io.Discard); err != nil {
		t.Fatalf("evidence verify of the API's bundle: %v", err)
	}
	if !strings.HasPrefix(out.String(), "valid: ") {
		t.Fatalf("evidence verify printed %q", out.String())
	}

	// Two heads of the workspace: the one the bundle kept and a later one.
	if st := apiCall(t, "POST", base+"/v1/processes/"+proc.ID+"/pause", key, nil, nil); st != 200 {
		t.Fatalf("pause: %d", st)
	}
	var later evidence.Bundle
	apiCall(t, "GET", base+"/v1/processes/"+proc.ID+"/evidence", key, nil, &later)
	var heads struct {
		Data []struct {
			Size uint64 `json:"size"`
		} `json:"data"`
	}
	if st := apiCall(t, "GET", base+"/v1/evidence/heads", key, nil, &heads); st != 200 || len(heads.Data) < 2 {
		t.Fatalf("heads: %d %+v", st, heads)
	}
	from, to := heads.Data[len(heads.Data)-1].Size, heads.Data[0].Size
	var c evidence.Consistency
	if st := apiCall(t, "GET", base+"/v1/evidence/consistency?from="+strconv.FormatUint(from, 10)+"&to="+strconv.FormatUint(to, 10), key, nil, &c); st != 200 {
		t.Fatalf("consistency: %d", st)
	}
	if err := evidence.VerifyConsistency(c, pub.PublicKey); err != nil {
		t.Fatalf("consistency %d..%d: %v", from, to, err)
	}
	if st := apiCall(t, "GET", base+"/v1/evidence/consistency?from=x&to=1", key, nil, nil); st != 400 {
		t.Fatalf("consistency with from=x: %d, want 400", st)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	var b evidence.Bundle
	json.Unmarshal(raw, &b)
	check := func() (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"evidence", "check", "--workspace", b.Workspace}, &out, io.Discard)
		return out.String(), err
	}
	if out, err := check(); err != nil || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("evidence check of a sound log: %q, %v", out, err)
	}
	db, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	var eventID string
	for _, r := range b.Records {
		if r.Kind == evidence.KindEvent {
			eventID = r.ID
			break
		}
	}
	if _, err := storagetest.Exec(context.Background(), db, "UPDATE events SET body = replace(body, 'Lease.pdf', 'Lease.pdX') WHERE id = ?", eventID); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = check()
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "(event "+eventID+"): stored bytes no longer match") {
		t.Fatalf("evidence check after one byte changed: %v", err)
	}
}

// evidencePublicKey is GET /v1/evidence/public-key's answer.
type evidencePublicKey struct {
	PublicKey string `json:"publicKey"`
	KeyID     string `json:"keyId"`
}
