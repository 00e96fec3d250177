package kit

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k1" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":"unauthenticated","message":"no key"}}`))
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"x1"}`))
	}))
	defer srv.Close()
	ctx := context.Background()
	var out struct{ ID string }
	if err := NewClient(srv.URL, "k1", 4, 5*time.Second).Must(ctx, http.StatusCreated, "POST", "/", map[string]int{"a": 1}, &out); err != nil || out.ID != "x1" {
		t.Fatalf("Must: %+v, %v", out, err)
	}
	status, data, err := NewClient(srv.URL, "k2", 4, 5*time.Second).Send(ctx, "GET", "/", nil)
	if err != nil || status != http.StatusUnauthorized || ErrorCode(data) != "unauthenticated" || ErrorText(data) != "unauthenticated: no key" {
		t.Fatalf("an error answer: %d %s %v → %q", status, data, err, ErrorText(data))
	}
	if ErrorText([]byte("plain")) != "plain" || ErrorCode([]byte("plain")) != "" {
		t.Error("a body that is not an error answer")
	}
}

func TestProc(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	var out bytes.Buffer
	p, err := Start("echo", &out, nil, sh, "-c", "echo hello")
	if err != nil {
		t.Fatal(err)
	}
	<-p.Done()
	if p.Err() != nil || p.Running() || strings.TrimSpace(out.String()) != "hello" {
		t.Fatalf("echo: %v, running %v, output %q", p.Err(), p.Running(), out.String())
	}
	if err := p.Term(time.Second); err == nil {
		t.Error("Term of an exited process did not say so")
	}
	p, err = Start("sleep", &out, nil, sh, "-c", "exec sleep 60")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Running() || p.Pid() == 0 {
		t.Fatal("sleep is not running")
	}
	if err := p.Term(30 * time.Second); err == nil || p.Running() {
		t.Errorf("Term: %v (sleep ends by the signal: an exit error), running %v", err, p.Running())
	}
}
