package webhook_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/webhook/verify"
)

// testSender returns a Sender for loopback receivers, trusting srv's certificate
// when srv is a TLS server.
func testSender(t testing.TB, srv *httptest.Server) *webhook.Sender {
	t.Helper()
	cfg := webhook.SenderConfig{Version: "1.2.3", Guard: webhook.Guard{AllowPrivate: true}}
	if srv != nil && srv.TLS != nil {
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		cfg.TLSConfig = &tls.Config{RootCAs: pool}
	}
	s := webhook.NewSender(cfg)
	t.Cleanup(s.CloseIdleConnections)
	return s
}

// signedRequest returns a Request for url whose signature is made with specSecret.
func signedRequest(t testing.TB, url string, body []byte) webhook.Request {
	t.Helper()
	ts := time.Now()
	return webhook.Request{
		URL:       url,
		MsgID:     "msg_sender",
		Timestamp: ts,
		Signature: mustSigner(t, specSecret).Header("msg_sender", ts, body),
		Body:      body,
	}
}

// received is what a test receiver saw.
type received struct {
	header http.Header
	body   []byte
}

func TestSendDelivers(t *testing.T) {
	got := make(chan received, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), body}
		w.Header().Set("X-Receiver", "yes")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()

	body := []byte(`{"id":"evt_1","type":"action.opened"}`)
	req := signedRequest(t, srv.URL+"/hooks?token=secret-token", body)
	req.Headers = map[string]string{
		"Authorization":     "Bearer abc",
		"webhook-signature": "v1,forged",
		"Content-Type":      "text/plain",
		"User-Agent":        "other",
	}
	res := testSender(t, srv).Send(context.Background(), req)
	if !res.OK() || res.StatusCode != http.StatusAccepted || res.ErrorClass != webhook.ClassNone || res.Error != "" {
		t.Fatalf("Send = %+v, want a delivered 202", res)
	}
	if string(res.ResponseBody) != `{"ok":true}` || res.Truncated || res.ResponseHeaders.Get("X-Receiver") != "yes" {
		t.Fatalf("response not recorded: %+v", res)
	}
	if res.Latency <= 0 {
		t.Fatalf("Latency = %v, want it measured", res.Latency)
	}

	r := <-got
	if !bytes.Equal(r.body, body) {
		t.Fatalf("receiver got body %q", r.body)
	}
	for name, want := range map[string]string{
		"webhook-id":        "msg_sender",
		"webhook-signature": req.Signature,
		"Content-Type":      "application/json",
		"User-Agent":        "Countersign/1.2.3",
		"Authorization":     "Bearer abc",
	} {
		if v := r.header.Values(name); len(v) != 1 || v[0] != want {
			t.Errorf("header %s = %q, want %q", name, v, want)
		}
	}
	v, err := verify.New(specSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(r.header, r.body); err != nil {
		t.Fatalf("receiver's verify = %v", err)
	}
}

func TestSendFailures(t *testing.T) {
	release := make(chan struct{})
	var redirectHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("/410", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/301", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/target", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/target", func(w http.ResponseWriter, r *http.Request) { redirectHits.Add(1) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so that the server notices the client leave
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("a"), 20<<10))
	})
	plain := httptest.NewServer(mux)
	defer plain.Close()
	untrusted := httptest.NewUnstartedServer(mux)
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point
	untrusted.StartTLS()
	defer untrusted.Close()
	defer close(release) // before the servers close, which wait for handlers

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String() + "/"
	closed.Close()

	tests := []struct {
		name    string
		sender  *webhook.Sender
		url     string
		timeout time.Duration
		status  int
		class   webhook.ErrorClass
		errText string
	}{
		{"500", testSender(t, plain), plain.URL + "/500", 0, 500, webhook.ClassHTTPStatus, "HTTP 500"},
		{"410", testSender(t, plain), plain.URL + "/410", 0, 410, webhook.ClassHTTPStatus, "HTTP 410 Gone"},
		{"301 not followed", testSender(t, plain), plain.URL + "/301", 0, 301, webhook.ClassHTTPStatus, "redirect"},
		{"slow beyond timeout", testSender(t, plain), plain.URL + "/slow", 50 * time.Millisecond, 0, webhook.ClassTimeout, "timed out"},
		{"refused connection", testSender(t, plain), closedURL, 0, 0, webhook.ClassConnect, "refused"},
		{"DNS failure", testSender(t, plain), "https://countersign-test.invalid/", 0, 0, webhook.ClassDNS, "countersign-test.invalid"},
		{"untrusted certificate", testSender(t, plain), untrusted.URL + "/big", 0, 0, webhook.ClassTLS, "certificate"},
		{"plain HTTP to a TLS server", testSender(t, plain), strings.Replace(untrusted.URL, "https", "http", 1) + "/big", 0, 400, webhook.ClassHTTPStatus, "HTTP 400"},
		{"TLS to a plain server", testSender(t, plain), strings.Replace(plain.URL, "http", "https", 1) + "/big", 0, 0, webhook.ClassTLS, ""},
		{"guard refuses loopback", webhook.NewSender(webhook.SenderConfig{}), plain.URL + "/big", 0, 0, webhook.ClassConnect, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signedRequest(t, tt.url, []byte(`{}`))
			req.Timeout = tt.timeout
			res := tt.sender.Send(context.Background(), req)
			if res.OK() || res.StatusCode != tt.status || res.ErrorClass != tt.class {
				t.Fatalf("Send = status %d class %q error %q; want status %d class %q",
					res.StatusCode, res.ErrorClass, res.Error, tt.status, tt.class)
			}
			if res.Gone() != (tt.status == http.StatusGone) {
				t.Fatalf("Gone = %v for status %d", res.Gone(), res.StatusCode)
			}
			if !strings.Contains(res.Error, tt.errText) {
				t.Fatalf("Error = %q, want it to contain %q", res.Error, tt.errText)
			}
			if strings.Contains(res.Error, "token") || strings.Contains(res.Error, "/big") {
				t.Fatalf("Error = %q quotes the URL", res.Error)
			}
		})
	}
	if n := redirectHits.Load(); n != 0 {
		t.Fatalf("redirect target was hit %d times", n)
	}
}

func TestSendRecordsRetryAfterAndTruncates(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write(bytes.Repeat([]byte("b"), webhook.MaxResponseBody+1))
	}))
	defer srv.Close()
	res := testSender(t, srv).Send(context.Background(), signedRequest(t, srv.URL, []byte(`{}`)))
	if res.StatusCode != 503 || res.RetryAfter != "120" {
		t.Fatalf("Send = status %d Retry-After %q", res.StatusCode, res.RetryAfter)
	}
	if len(res.ResponseBody) != webhook.MaxResponseBody || !res.Truncated {
		t.Fatalf("body %d bytes, truncated %v; want %d, true", len(res.ResponseBody), res.Truncated, webhook.MaxResponseBody)
	}
}

func TestSendBodyAtLimitIsNotTruncated(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("c"), webhook.MaxResponseBody))
	}))
	defer srv.Close()
	res := testSender(t, srv).Send(context.Background(), signedRequest(t, srv.URL, []byte(`{}`)))
	if !res.OK() || len(res.ResponseBody) != webhook.MaxResponseBody || res.Truncated {
		t.Fatalf("Send = ok %v, %d bytes, truncated %v", res.OK(), len(res.ResponseBody), res.Truncated)
	}
}

// Consecutive attempts to one receiver reuse one kept-alive connection, even when
// answers are long enough to need draining.
func TestSendReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("d"), 20<<10))
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	s := testSender(t, srv)
	for range 20 {
		if res := s.Send(context.Background(), signedRequest(t, srv.URL, []byte(`{}`))); !res.OK() {
			t.Fatalf("Send = %+v", res)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("20 sequential attempts opened %d connections, want 1", n)
	}
}

// BenchmarkSender POSTs signed 1 KiB bodies to a loopback receiver from parallel
// goroutines, as workers do, and reports attempts per second.
func BenchmarkSender(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s := testSender(b, srv)
	signer := mustSigner(b, specSecret)
	body := bytes.Repeat([]byte("x"), 1024)
	b.SetParallelism(32)
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ts := time.Now()
			res := s.Send(context.Background(), webhook.Request{
				URL: srv.URL, MsgID: "msg_bench", Timestamp: ts, Body: body,
				Signature: signer.Header("msg_bench", ts, body),
			})
			if !res.OK() {
				b.Errorf("Send = %+v", res)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
