package verify

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
)

// Key prefixes of Standard Webhooks' asymmetric scheme: a receiver holds the
// whpk_ public key (standard base64 of the 32-byte Ed25519 public key); the
// whsk_ signing key stays with the sender.
const (
	publicKeyPrefix  = "whpk_"
	signingKeyPrefix = "whsk_"
)

// parsePublicKey decodes a whpk_ public key. A whsk_ signing key is refused
// with a hint, so that nobody pastes the private half into a receiver.
func parsePublicKey(i int, s string) (ed25519.PublicKey, error) {
	if strings.HasPrefix(s, signingKeyPrefix) {
		return nil, fmt.Errorf("%w: key %d is a whsk_ signing key; a receiver needs only the whpk_ public key", ErrInvalidSecret, i)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, publicKeyPrefix))
	if err != nil {
		return nil, fmt.Errorf("%w: key %d is not whpk_ and standard base64", ErrInvalidSecret, i)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: public key %d decodes to %d bytes, not %d", ErrInvalidSecret, i, len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// verifyAsymmetric reports whether a base64 "v1a" signature is the Ed25519
// signature of the signed content under one of the public keys.
func verifyAsymmetric(keys []ed25519.PublicKey, content []byte, b64 string) bool {
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	for _, k := range keys {
		if ed25519.Verify(k, content, sig) {
			return true
		}
	}
	return false
}
