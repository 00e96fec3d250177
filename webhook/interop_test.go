package webhook_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/webhook/verify"
)

// The reference library checks timestamps against the system clock, so these
// tests sign with the current time; they assert no duration.

func deliveryHeader(id string, ts time.Time, sig string) http.Header {
	h := http.Header{}
	h.Set(standardwebhooks.HeaderWebhookID, id)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	return h
}

func reference(t *testing.T, secret string) *standardwebhooks.Webhook {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	return wh
}

func verifier(t *testing.T, secrets ...string) *verify.Verifier {
	t.Helper()
	v, err := verify.New(secrets...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Our signatures, one key or several, verify with the reference library.
func TestInteropReferenceVerifiesOurs(t *testing.T) {
	now := time.Now()
	body := []byte(`{"id":"evt_1","type":"transaction.lifecycle.completed"}`)
	tests := []struct {
		name     string
		secrets  []string
		verifyBy string
		body     []byte
		ok       bool
	}{
		{"one secret", []string{specSecret}, specSecret, body, true},
		{"rotation, old secret", []string{specSecret, secondSecret}, specSecret, body, true},
		{"rotation, new secret", []string{specSecret, secondSecret}, secondSecret, body, true},
		{"secret not in header", []string{specSecret}, secondSecret, body, false},
		{"tampered body", []string{specSecret, secondSecret}, specSecret, append([]byte(`{"x":1}`), body...), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := mustSigner(t, tt.secrets...).Header("msg_interop", now, body)
			err := reference(t, tt.verifyBy).Verify(tt.body, deliveryHeader("msg_interop", now, sig))
			if tt.ok != (err == nil) {
				t.Fatalf("reference Verify = %v, want ok %v", err, tt.ok)
			}
			if !tt.ok && !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
				t.Fatalf("reference Verify = %v, want ErrNoMatchingSignature", err)
			}
		})
	}
}

// The reference library's signatures verify with our verify package, alone or in
// a header with other signatures, and under a verifier holding several secrets.
func TestInteropVerifyAcceptsReference(t *testing.T) {
	now := time.Now()
	body := []byte(`{"id":"evt_2","type":"action.opened"}`)
	refSig := func(secret string) string {
		sig, err := reference(t, secret).Sign("msg_interop", now, body)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	tests := []struct {
		name    string
		header  string
		secrets []string
		body    []byte
		want    error
	}{
		{"one signature", refSig(specSecret), []string{specSecret}, body, nil},
		{"two signatures, old secret", refSig(specSecret) + " " + refSig(secondSecret), []string{specSecret}, body, nil},
		{"two signatures, new secret", refSig(specSecret) + " " + refSig(secondSecret), []string{secondSecret}, body, nil},
		{"verifier with both secrets", refSig(secondSecret), []string{specSecret, secondSecret}, body, nil},
		{"wrong secret", refSig(specSecret), []string{secondSecret}, body, verify.ErrNoMatchingSignature},
		{"tampered body", refSig(specSecret), []string{specSecret}, []byte(`{"id":"evt_3"}`), verify.ErrNoMatchingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifier(t, tt.secrets...).Verify(deliveryHeader("msg_interop", now, tt.header), tt.body)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// Both sides compute the same bytes, not only mutually acceptable ones.
func TestInteropSameSignature(t *testing.T) {
	now := time.Now()
	body := []byte(`{"n":1}`)
	theirs, err := reference(t, specSecret).Sign("msg_same", now, body)
	if err != nil {
		t.Fatal(err)
	}
	if ours := webhook.Sign(mustKey(t, specSecret), "msg_same", now, body); ours != theirs {
		t.Fatalf("Sign = %q, reference = %q", ours, theirs)
	}
}
