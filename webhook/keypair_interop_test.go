package webhook_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/nodecrypto"
	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/webhook/verify"
)

// Our v1a signatures, one key or two during a rotation, verify with Node's
// Ed25519 and the public key alone; a changed body or another key does not.
func TestVerifyAsymmetricInteropNodeVerifiesOurs(t *testing.T) {
	oldKey, oldPub := webhook.GenerateKeyPair()
	newKey, newPub := webhook.GenerateKeyPair()
	_, strangerPub := webhook.GenerateKeyPair()
	ts := time.Unix(1767225600, 0)
	body := `{"id":"evt_1","type":"process.completed","data":{"title":"Bail \u00e0 loyer"}}`
	signer, err := webhook.NewKeySigner(oldKey, newKey)
	if err != nil {
		t.Fatal(err)
	}
	header := signer.Header("msg_1", ts, []byte(body))
	if n := strings.Count(header, "v1a,"); n != 2 {
		t.Fatalf("header %q has %d v1a signatures, want 2", header, n)
	}
	tests := []struct {
		name, publicKey, body, want string
	}{
		{"old key of the rotation", oldPub, body, "valid"},
		{"new key of the rotation", newPub, body, "valid"},
		{"a key that did not sign", strangerPub, body, "invalid"},
		{"body changed", newPub, strings.Replace(body, "completed", "cancelled", 1), "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := nodecrypto.Ed25519(t, map[string]string{"mode": "verify", "publicKey": tt.publicKey, "id": "msg_1",
				"timestamp": strconv.FormatInt(ts.Unix(), 10), "body": tt.body, "signature": header})
			if got != tt.want {
				t.Fatalf("node says %q, want %q", got, tt.want)
			}
		})
	}
}

// Signatures made by Node from a whsk_ key verify with our verifier and the
// whpk_ key Go derives from it: both sides read the key formats alike.
func TestVerifyAsymmetricInteropOursVerifiesNode(t *testing.T) {
	signingKey, publicKey := webhook.GenerateKeyPair()
	derived, err := webhook.PublicKeyOf(signingKey)
	if err != nil || derived != publicKey {
		t.Fatalf("PublicKeyOf = %q, %v; want %q", derived, err, publicKey)
	}
	now := time.Now()
	body := `{"id":"evt_2","type":"process.signed"}`
	sig := nodecrypto.Ed25519(t, map[string]string{"mode": "sign", "signingKey": signingKey, "publicKey": publicKey,
		"id": "msg_2", "timestamp": strconv.FormatInt(now.Unix(), 10), "body": body})
	if !strings.HasPrefix(sig, "v1a,") {
		t.Fatalf("node signed %q", sig)
	}
	v, err := verify.New(publicKey)
	if err != nil {
		t.Fatal(err)
	}
	h := deliveryHeader("msg_2", now, sig)
	if err := v.Verify(h, []byte(body)); err != nil {
		t.Fatalf("Verify(node's signature): %v", err)
	}
	if err := v.Verify(h, []byte(body+" ")); err == nil {
		t.Fatal("Verify accepted node's signature over another body")
	}
	// Ed25519 is deterministic: Node and Go sign the same bytes alike.
	signer, err := webhook.NewKeySigner(signingKey)
	if err != nil {
		t.Fatal(err)
	}
	if ours := signer.Header("msg_2", now, []byte(body)); ours != sig {
		t.Fatalf("Go signed %q, Node %q", ours, sig)
	}
}
