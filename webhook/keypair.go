package webhook

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// Standard Webhooks' asymmetric scheme: Ed25519 signatures, "v1a,"-prefixed,
// next to (or instead of) the HMAC "v1," ones. The receiver holds only the
// public key, so whoever can check a delivery cannot forge one.
const (
	// AsymmetricVersion prefixes every Ed25519 signature.
	AsymmetricVersion = "v1a"
	// SigningKeyPrefix starts a private signing key: standard base64 of the
	// 32-byte Ed25519 seed (RFC 8032's private key), as the specification's
	// reference libraries encode it.
	SigningKeyPrefix = "whsk_"
	// PublicKeyPrefix starts a public key: standard base64 of the 32-byte
	// Ed25519 public key.
	PublicKeyPrefix = "whpk_"
)

// GenerateKeyPair returns a new whsk_ signing key and its whpk_ public key.
func GenerateKeyPair() (signingKey, publicKey string) {
	seed := countersign.RandomBytes(ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	return SigningKeyPrefix + base64.StdEncoding.EncodeToString(seed), encodePublicKey(priv)
}

// ParseSigningKey returns the Ed25519 private key a whsk_ key encodes. It
// also accepts the 64-byte form (seed || public key) that some libraries
// write, when its halves agree. Errors are EVALIDATION errors about the field
// "signingKey" and never quote the key.
func ParseSigningKey(s string) (ed25519.PrivateKey, error) {
	b64, ok := strings.CutPrefix(s, SigningKeyPrefix)
	if !ok {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "signingKey", "signing key must start with %s", SigningKeyPrefix)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "signingKey",
			"signing key must be %s followed by standard base64", SigningKeyPrefix)
	}
	switch len(raw) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(raw), nil
	case ed25519.PrivateKeySize:
		priv := ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
		if !bytes.Equal(priv, raw) {
			return nil, countersign.FieldErrorf(countersign.EVALIDATION, "signingKey", "signing key's public half does not match its seed")
		}
		return priv, nil
	}
	return nil, countersign.FieldErrorf(countersign.EVALIDATION, "signingKey",
		"signing key must decode to a %d-byte Ed25519 seed, not %d bytes", ed25519.SeedSize, len(raw))
}

// PublicKeyOf returns the whpk_ public key of a whsk_ signing key: what an
// endpoint's owner hands to its receiver.
func PublicKeyOf(signingKey string) (string, error) {
	priv, err := ParseSigningKey(signingKey)
	if err != nil {
		return "", err
	}
	return encodePublicKey(priv), nil
}

func encodePublicKey(priv ed25519.PrivateKey) string {
	return PublicKeyPrefix + base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
}

// KeySigner signs messages with the Ed25519 keys of one endpoint, one "v1a,"
// signature per key, in the header format of Signer. Several keys are valid
// while an endpoint's key pair is rotated. A KeySigner is safe for concurrent
// use.
type KeySigner struct {
	keys []ed25519.PrivateKey
}

// NewKeySigner returns a KeySigner for the given whsk_ keys, in the order
// their signatures appear in the header. At least one key is required.
func NewKeySigner(signingKeys ...string) (*KeySigner, error) {
	if len(signingKeys) == 0 {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "signingKey", "at least one signing key is required")
	}
	s := &KeySigner{keys: make([]ed25519.PrivateKey, len(signingKeys))}
	for i, k := range signingKeys {
		priv, err := ParseSigningKey(k)
		if err != nil {
			return nil, err
		}
		s.keys[i] = priv
	}
	return s, nil
}

// AppendHeader appends the webhook-signature header value for a message to
// dst: "v1a," and the base64 Ed25519 signature of msgID + "." + unix seconds
// + "." + body, per key, separated by single spaces.
func (s *KeySigner) AppendHeader(dst []byte, msgID string, ts time.Time, body []byte) []byte {
	msg := make([]byte, 0, len(msgID)+22+len(body))
	msg = append(msg, msgID...)
	msg = append(msg, '.')
	msg = strconv.AppendInt(msg, ts.Unix(), 10)
	msg = append(msg, '.')
	msg = append(msg, body...)
	for i, k := range s.keys {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, AsymmetricVersion...)
		dst = append(dst, ',')
		dst = base64.StdEncoding.AppendEncode(dst, ed25519.Sign(k, msg))
	}
	return dst
}

// Header returns the webhook-signature header value for a message.
func (s *KeySigner) Header(msgID string, ts time.Time, body []byte) string {
	return string(s.AppendHeader(nil, msgID, ts, body))
}
