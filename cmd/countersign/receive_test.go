package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
)

// What countersign receive saves, countersign verify checks; a restarted
// receiver numbers on and answers the status it is told.
func TestReceiveSavesWhatVerifyReads(t *testing.T) {
	secret := webhook.GenerateSecret()
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "received")
	post := func(addr, id string) int {
		t.Helper()
		body := `{"id":"` + id + `","type":"webhook.test","data":{}}`
		now := time.Now()
		req, _ := http.NewRequest("POST", "http://"+addr+"/hooks", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", fmt.Sprint(now.Unix()))
		req.Header.Set("webhook-signature", webhook.Sign(key, id, now, []byte(body)))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	receive := func(args ...string) (addr string, out *syncBuffer, stop func()) {
		addr = freeAddr(t)
		out = &syncBuffer{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, append([]string{"receive", "--addr", addr, "--dir", dir}, args...), out, io.Discard)
		}()
		waitFor(t, func() string {
			if strings.Contains(out.String(), "receiving webhooks") {
				return "up"
			}
			return ""
		})
		return addr, out, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("receive: %v", err)
			}
		}
	}

	addr, out, stop := receive()
	if res, err := http.Get("http://" + addr + "/"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET / (is it up?): %v %v", res, err)
	} else {
		res.Body.Close()
	}
	if code := post(addr, "evt_1"); code != http.StatusNoContent {
		t.Fatalf("first request answered %d", code)
	}
	stop()
	if !strings.Contains(out.String(), "0001.http  POST /hooks  webhook-id evt_1 webhook.test → 204") {
		t.Errorf("receive printed %q", out.String())
	}
	addr, _, stop = receive("--status", "503")
	if code := post(addr, "evt_2"); code != http.StatusServiceUnavailable {
		t.Fatalf("with --status 503 the request answered %d", code)
	}
	stop()

	for i, id := range []string{"evt_1", "evt_2"} {
		raw, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%04d.http", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		var stdout bytes.Buffer
		if err := runWithInput(context.Background(), []string{"verify", "--secret", secret}, bytes.NewReader(raw), &stdout, io.Discard); err != nil {
			t.Fatalf("verify %04d.http: %v\n%s", i+1, err, raw)
		}
		if !strings.HasPrefix(stdout.String(), "valid: webhook-id "+id) {
			t.Errorf("verify %04d.http printed %q", i+1, stdout.String())
		}
	}
	if err := run(context.Background(), []string{"receive", "--status", "42"}, io.Discard, io.Discard); exitCode(err) != 2 {
		t.Errorf("receive --status 42: %v, want a usage error", err)
	}
}
