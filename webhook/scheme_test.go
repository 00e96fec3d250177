package webhook_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/webhook/verify"
)

// A header signer built from an endpoint's credentials signs with each, in
// order and in its own scheme, and every credential's verifier accepts it.
func TestNewHeaderSigner(t *testing.T) {
	sec1, sec2 := webhook.GenerateSecret(), webhook.GenerateSecret()
	key1, pub1 := webhook.GenerateKeyPair()
	key2, pub2 := webhook.GenerateKeyPair()
	ts := time.Now()
	body := []byte(`{"id":"evt_1"}`)
	tests := []struct {
		name        string
		credentials []string
		versions    string
		verifiers   []string
	}{
		{"one secret", []string{sec1}, "v1", []string{sec1}},
		{"one key", []string{key1}, "v1a", []string{pub1}},
		{"two keys", []string{key2, key1}, "v1a v1a", []string{pub1, pub2}},
		{"secret to key", []string{key1, sec1}, "v1a v1", []string{pub1, sec1}},
		{"key to secret", []string{sec2, key1}, "v1 v1a", []string{sec2, pub1}},
		{"two secrets", []string{sec2, sec1}, "v1 v1", []string{sec1, sec2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := webhook.NewHeaderSigner(tt.credentials...)
			if err != nil {
				t.Fatal(err)
			}
			sig := string(s.AppendHeader(nil, "evt_1", ts, body))
			var versions []string
			for _, f := range strings.Fields(sig) {
				v, _, _ := strings.Cut(f, ",")
				versions = append(versions, v)
			}
			if got := strings.Join(versions, " "); got != tt.versions {
				t.Fatalf("versions %q, want %q", got, tt.versions)
			}
			h := http.Header{}
			h.Set(verify.HeaderID, "evt_1")
			h.Set(verify.HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
			h.Set(verify.HeaderSignature, sig)
			for _, c := range tt.verifiers {
				v, err := verify.New(c)
				if err != nil {
					t.Fatal(err)
				}
				if err := v.Verify(h, body); err != nil {
					t.Fatalf("verifying with %.8s…: %v", c, err)
				}
			}
		})
	}
	if _, err := webhook.NewHeaderSigner(); err == nil {
		t.Fatal("no credential: want an error")
	}
	if _, err := webhook.NewHeaderSigner("whsk_AAAA"); countersign.ErrorCode(err) != countersign.EVALIDATION {
		t.Fatalf("a malformed key: %v", err)
	}
}

// Rotate keeps or changes the scheme and keeps the previous credential for
// the grace period; the public keys follow.
func TestEndpointRotate(t *testing.T) {
	now := time.Unix(1767225600, 0)
	e := webhook.Endpoint{Secret: webhook.GenerateSecret()}
	if e.Scheme() != webhook.SchemeHMAC || e.PublicKey() != "" {
		t.Fatalf("HMAC endpoint: scheme %s, public key %q", e.Scheme(), e.PublicKey())
	}
	old := e.Secret
	e.Rotate(now, time.Hour, webhook.SchemeEd25519)
	if e.Scheme() != webhook.SchemeEd25519 || e.PreviousSecret != old || !strings.HasPrefix(e.PublicKey(), webhook.PublicKeyPrefix) {
		t.Fatalf("after rotating to Ed25519: %+v", e)
	}
	if e.PreviousPublicKey(now) != "" {
		t.Fatal("an HMAC previous credential has no public key")
	}
	if got := e.Secrets(now.Add(59 * time.Minute)); len(got) != 2 {
		t.Fatalf("during the grace: %d credentials", len(got))
	}
	if got := e.Secrets(now.Add(time.Hour)); len(got) != 1 || got[0] != e.Secret {
		t.Fatalf("after the grace: %d credentials", len(got))
	}
	pub := e.PublicKey()
	e.Rotate(now, time.Hour, "") // keeps Ed25519
	if e.Scheme() != webhook.SchemeEd25519 || e.PublicKey() == pub || e.PreviousPublicKey(now) != pub {
		t.Fatalf("after an Ed25519 rotation: public %q, previous %q", e.PublicKey(), e.PreviousPublicKey(now))
	}
}

// A scheme that is not one, or an update that changes it, names the field.
func TestSignatureSchemeInput(t *testing.T) {
	for _, s := range []webhook.SignatureScheme{"", "rsa", "Ed25519", "v1a"} {
		if err := s.Validate(); field(err) != "signature_scheme" {
			t.Fatalf("scheme %q: %v", s, err)
		}
	}
	e := webhook.Endpoint{ID: "ep_1", Secret: webhook.GenerateSecret()}
	hmac, ed := webhook.SchemeHMAC, webhook.SchemeEd25519
	if err := (webhook.EndpointInput{SignatureScheme: &hmac}).CheckScheme(e); err != nil {
		t.Fatalf("repeating the scheme: %v", err)
	}
	if err := (webhook.EndpointInput{SignatureScheme: &ed}).CheckScheme(e); field(err) != "signature_scheme" {
		t.Fatalf("changing the scheme on update: %v", err)
	}
	if got := (webhook.EndpointInput{}).Scheme(); got != webhook.SchemeHMAC {
		t.Fatalf("default scheme %s", got)
	}
}

// field is the field an *countersign.Error names; "" for any other error.
func field(err error) string {
	var e *countersign.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
