package webhook

import (
	"encoding/base64"
	"strings"

	"github.com/countersign/countersign"
)

// SecretPrefix starts every signing secret, as Standard Webhooks prescribes.
const SecretPrefix = "whsec_"

// Bounds of a secret's decoded key, in bytes. Standard Webhooks asks for 24 to 64;
// GenerateSecret uses SecretSize.
const (
	MinSecretSize = 24
	MaxSecretSize = 64
	SecretSize    = 32
)

// GenerateSecret returns a new signing secret: SecretPrefix followed by the
// standard base64 of SecretSize bytes from the system's secure random source.
func GenerateSecret() string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(countersign.RandomBytes(SecretSize))
}

// ParseSecret returns the HMAC key a secret encodes. The whsec_ prefix is
// optional so that integrators may paste the bare base64 they generated
// themselves; the key must be MinSecretSize to MaxSecretSize bytes long.
// Errors are EVALIDATION errors about the field "secret" and never quote the
// secret itself, so they are safe to log and to show.
func ParseSecret(s string) ([]byte, error) {
	b64 := strings.TrimPrefix(s, SecretPrefix)
	if b64 == "" {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "secret", "secret is empty")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "secret",
			"secret must be %s followed by standard base64", SecretPrefix)
	}
	if len(key) < MinSecretSize || len(key) > MaxSecretSize {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "secret",
			"secret must decode to %d to %d bytes, not %d", MinSecretSize, MaxSecretSize, len(key))
	}
	return key, nil
}

// ParseSecrets parses each secret with ParseSecret, for a Signer of an endpoint
// whose secret is being rotated.
func ParseSecrets(secrets ...string) ([][]byte, error) {
	keys := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		key, err := ParseSecret(s)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// MaskSecret returns s with all but its prefix and last four characters hidden,
// for logs and for showing which secret an endpoint holds.
func MaskSecret(s string) string {
	rest, hadPrefix := strings.CutPrefix(s, SecretPrefix)
	prefix := ""
	if hadPrefix {
		prefix = SecretPrefix
	}
	if len(rest) <= 8 {
		return prefix + "****"
	}
	return prefix + "****" + rest[len(rest)-4:]
}
