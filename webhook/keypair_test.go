package webhook_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
)

func TestVerifyKeyPairFormats(t *testing.T) {
	sk, pk := webhook.GenerateKeyPair()
	if !strings.HasPrefix(sk, "whsk_") || !strings.HasPrefix(pk, "whpk_") {
		t.Fatalf("key pair %q / %q lacks the prefixes", sk, pk)
	}
	seed, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sk, "whsk_"))
	pub, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(pk, "whpk_"))
	if len(seed) != ed25519.SeedSize || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("seed %d bytes, public key %d bytes", len(seed), len(pub))
	}
	// The 64-byte form (seed || public key) names the same key.
	long := "whsk_" + base64.StdEncoding.EncodeToString(ed25519.NewKeyFromSeed(seed))
	if got, err := webhook.PublicKeyOf(long); err != nil || got != pk {
		t.Fatalf("PublicKeyOf(64-byte form) = %q, %v", got, err)
	}
	mismatched := "whsk_" + base64.StdEncoding.EncodeToString(append(append([]byte{}, seed...), make([]byte, 32)...))
	for _, bad := range []string{"", pk, "whsk_!!", "whsk_" + base64.StdEncoding.EncodeToString(make([]byte, 16)), mismatched} {
		if _, err := webhook.ParseSigningKey(bad); err == nil {
			t.Errorf("ParseSigningKey(%q) accepted", bad)
		} else if strings.Contains(err.Error(), strings.TrimPrefix(bad, "whsk_")) && len(bad) > 8 {
			t.Errorf("error quotes the key: %v", err)
		}
	}
	if _, err := webhook.NewKeySigner(); err == nil {
		t.Fatal("NewKeySigner without keys accepted")
	}
	s, err := webhook.NewKeySigner(sk)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Header("msg_1", time.Unix(1, 0), []byte("{}"))
	sig, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "v1a,"))
	if !ed25519.Verify(pub, []byte("msg_1.1.{}"), sig) {
		t.Fatalf("header %q does not verify with the standard library", h)
	}
}

// While an endpoint moves from a secret to a key pair, its header carries
// both kinds, and a receiver holding either accepts it.
func TestVerifyJoinedSigners(t *testing.T) {
	secret := webhook.GenerateSecret()
	sk, pk := webhook.GenerateKeyPair()
	hmacSigner, err := webhook.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	keySigner, err := webhook.NewKeySigner(sk)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	body := []byte(`{"id":"evt_1"}`)
	h := string(webhook.JoinSigners(hmacSigner, keySigner).AppendHeader(nil, "msg_1", now, body))
	if !strings.HasPrefix(h, "v1,") || !strings.Contains(h, " v1a,") {
		t.Fatalf("joined header %q", h)
	}
	for _, key := range []string{secret, pk} {
		if err := verifier(t, key).Verify(deliveryHeader("msg_1", now, h), body); err != nil {
			t.Fatalf("receiver with %.8s…: %v", key, err)
		}
	}
}
