package webhook_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
)

// The example of the Standard Webhooks specification and its reference libraries.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

const secondSecret = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24tdGVzdHM="

func mustKey(t testing.TB, secret string) []byte {
	t.Helper()
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func mustSigner(t testing.TB, secrets ...string) *webhook.Signer {
	t.Helper()
	s, err := webhook.NewSigner(secrets...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignSpecVector(t *testing.T) {
	ts := time.Unix(specTimestamp, 0)
	if got := webhook.Sign(mustKey(t, specSecret), specMsgID, ts, []byte(specBody)); got != specSignature {
		t.Fatalf("Sign = %q, want %q", got, specSignature)
	}
	if got := mustSigner(t, specSecret).Header(specMsgID, ts, []byte(specBody)); got != specSignature {
		t.Fatalf("Signer.Header = %q, want %q", got, specSignature)
	}
}

func TestSignatureHeader(t *testing.T) {
	ts := time.Unix(specTimestamp, 0)
	body := []byte(specBody)
	a, b := mustKey(t, specSecret), mustKey(t, secondSecret)
	tests := []struct {
		name    string
		secrets []string
		keys    [][]byte
	}{
		{"one key", []string{specSecret}, [][]byte{a}},
		{"rotation", []string{specSecret, secondSecret}, [][]byte{a, b}},
		{"rotation, new first", []string{secondSecret, specSecret}, [][]byte{b, a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := webhook.SignatureHeader(tt.keys, specMsgID, ts, body)
			parts := strings.Split(got, " ")
			if len(parts) != len(tt.keys) {
				t.Fatalf("header %q has %d signatures, want %d", got, len(parts), len(tt.keys))
			}
			for i, key := range tt.keys {
				if want := webhook.Sign(key, specMsgID, ts, body); parts[i] != want {
					t.Errorf("signature %d = %q, want %q", i, parts[i], want)
				}
			}
			if s := mustSigner(t, tt.secrets...).Header(specMsgID, ts, body); s != got {
				t.Errorf("Signer.Header = %q, want %q", s, got)
			}
		})
	}
}

func TestSignerAppendsAndIsReusable(t *testing.T) {
	s := mustSigner(t, specSecret)
	ts := time.Unix(specTimestamp, 0)
	buf := []byte("prefix:")
	buf = s.AppendHeader(buf, specMsgID, ts, []byte(specBody))
	if string(buf) != "prefix:"+specSignature {
		t.Fatalf("AppendHeader = %q", buf)
	}
	// A long id grows the pooled scratch space; later signatures must not change.
	long := strings.Repeat("x", 1000)
	if got, want := s.Header(long, ts, nil), webhook.Sign(mustKey(t, specSecret), long, ts, nil); got != want {
		t.Fatalf("long id: %q, want %q", got, want)
	}
	if got := s.Header(specMsgID, ts, []byte(specBody)); got != specSignature {
		t.Fatalf("after a long id: %q, want %q", got, specSignature)
	}
}

func TestSignerConcurrent(t *testing.T) {
	s := mustSigner(t, specSecret, secondSecret)
	ts := time.Unix(specTimestamp, 0)
	want := s.Header(specMsgID, ts, []byte(specBody))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := s.Header(specMsgID, ts, []byte(specBody)); got != want {
					t.Errorf("concurrent Header = %q, want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestNewSignerErrors(t *testing.T) {
	if _, err := webhook.NewSigner(); err == nil {
		t.Error("NewSigner() with no secret succeeded")
	}
	if _, err := webhook.NewSigner(specSecret, "whsec_bad"); err == nil {
		t.Error("NewSigner with a bad second secret succeeded")
	}
}

var benchBody = []byte(strings.Repeat("x", 1024))

// BenchmarkSign keys a new HMAC per signature, as webhook.Sign does.
func BenchmarkSign(b *testing.B) {
	key := mustKey(b, specSecret)
	ts := time.Unix(specTimestamp, 0)
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		_ = webhook.Sign(key, specMsgID, ts, benchBody)
	}
}

// BenchmarkSignerAppendHeader reuses pooled HMAC states and the caller's buffer.
func BenchmarkSignerAppendHeader(b *testing.B) {
	s := mustSigner(b, specSecret)
	ts := time.Unix(specTimestamp, 0)
	buf := make([]byte, 0, 128)
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendHeader(buf[:0], specMsgID, ts, benchBody)
	}
}

func BenchmarkSignerAppendHeaderParallel(b *testing.B) {
	s := mustSigner(b, specSecret)
	ts := time.Unix(specTimestamp, 0)
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 0, 128)
		for pb.Next() {
			buf = s.AppendHeader(buf[:0], specMsgID, ts, benchBody)
		}
	})
}
