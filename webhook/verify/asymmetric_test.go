package verify_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook/verify"
)

// keyPair makes a whsk_/whpk_ pair from a fixed seed with the standard
// library alone, independently of the webhook package.
func keyPair(seedByte byte) (ed25519.PrivateKey, string) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = seedByte
	}
	priv := ed25519.NewKeyFromSeed(seed)
	return priv, "whpk_" + base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
}

func signEd25519(priv ed25519.PrivateKey, id string, ts int64, body string) string {
	return "v1a," + base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(id+"."+strconv.FormatInt(ts, 10)+"."+body)))
}

// HMAC and Ed25519 signatures, alone, mixed and rotated, against verifiers
// holding secrets, public keys or both.
func TestVerifyHMACAndEd25519(t *testing.T) {
	now := time.Unix(1767225600, 0)
	const id, body = "msg_1", `{"type":"process.completed"}`
	ts := now.Unix()
	tsText := strconv.FormatInt(ts, 10)
	privA, pubA := keyPair(1)
	privB, pubB := keyPair(2)
	v1 := sign(t, secretA, id, ts, body)
	v1aA := signEd25519(privA, id, ts, body)
	v1aB := signEd25519(privB, id, ts, body)
	tests := []struct {
		name string
		keys []string
		sig  string
		body string
		ok   bool
	}{
		{"ed25519 with its public key", []string{pubA}, v1aA, body, true},
		{"ed25519, body changed", []string{pubA}, v1aA, body + " ", false},
		{"ed25519 by another key", []string{pubA}, v1aB, body, false},
		{"ed25519 rotation, receiver holds the old key", []string{pubA}, v1aA + " " + v1aB, body, true},
		{"ed25519 rotation, receiver holds the new key", []string{pubB}, v1aA + " " + v1aB, body, true},
		{"receiver holds both keys", []string{pubA, pubB}, v1aB, body, true},
		{"hmac signature, receiver holds only a public key", []string{pubA}, v1, body, false},
		{"ed25519 signature, receiver holds only a secret", []string{secretA}, v1aA, body, false},
		{"ed25519 signature bytes labelled v1", []string{secretA, pubA}, "v1," + strings.TrimPrefix(v1aA, "v1a,"), body, false},
		{"hmac signature bytes labelled v1a", []string{secretA, pubA}, "v1a," + strings.TrimPrefix(v1, "v1,"), body, false},
		{"switch from secret to key pair, receiver on the secret", []string{secretA}, v1 + " " + v1aA, body, true},
		{"switch from secret to key pair, receiver on the key", []string{pubA}, v1 + " " + v1aA, body, true},
		{"mixed header, body changed", []string{secretA, pubA}, v1 + " " + v1aA, body + "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := verify.New(tt.keys...)
			if err != nil {
				t.Fatal(err)
			}
			err = v.With(verify.WithNow(func() time.Time { return now })).Verify(header(id, tsText, tt.sig), []byte(tt.body))
			if tt.ok && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !tt.ok && !errors.Is(err, verify.ErrNoMatchingSignature) {
				t.Fatalf("Verify = %v, want ErrNoMatchingSignature", err)
			}
		})
	}
}

func TestVerifyRefusesBadPublicKeys(t *testing.T) {
	_, pub := keyPair(3)
	short := "whpk_" + base64.StdEncoding.EncodeToString(make([]byte, 31))
	signing := "whsk_" + base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, k := range []string{short, "whpk_not*base64", signing} {
		_, err := verify.New(pub, k)
		if !errors.Is(err, verify.ErrInvalidSecret) {
			t.Fatalf("New(%q) = %v, want ErrInvalidSecret", k, err)
		}
		if strings.Contains(err.Error(), strings.TrimPrefix(k, "whsk_")) && strings.HasPrefix(k, "whsk_") {
			t.Fatalf("error quotes the signing key: %v", err)
		}
	}
	if _, err := verify.New(signing); err == nil || !strings.Contains(err.Error(), "public key") {
		t.Fatalf("New(whsk_) = %v, want a hint to use the public key", err)
	}
}
