package countersign

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"
)

// APIKey authenticates requests to one workspace. Only a hash of its secret is
// stored; the secret is shown once, when the key is created.
type APIKey struct {
	ID          string `json:"id"`
	WorkspaceID string `json:"workspace_id"`
	Name        string `json:"name"`
	Role        Role   `json:"role"`
	// Prefix is the first characters of the secret, shown so people can tell keys apart.
	Prefix     string     `json:"prefix"`
	Hash       []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// keyTokenPrefix starts every API key token, so leaked keys are easy to grep for.
const keyTokenPrefix = "cs_"

// NewAPIKeyToken returns a new token for the key with the given id (key_…) and the
// hash to store. The token is cs_<ulid of the id>_<48 hex chars of secret>: the
// id part finds the row, the secret part is compared by hash in constant time.
func NewAPIKeyToken(keyID string) (token string, hash []byte) {
	ulidPart := strings.TrimPrefix(keyID, PrefixAPIKey+"_")
	secret := hex.EncodeToString(RandomBytes(24))
	token = keyTokenPrefix + ulidPart + "_" + secret
	return token, HashAPIKeyToken(token)
}

// HashAPIKeyToken returns the stored hash of a token. Tokens carry 192 random
// bits, so a fast hash is enough: there is nothing to brute-force.
func HashAPIKeyToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ParseAPIKeyToken returns the key id a token names, or false when the token is
// not shaped like one of ours.
func ParseAPIKeyToken(token string) (keyID string, ok bool) {
	rest, ok := strings.CutPrefix(token, keyTokenPrefix)
	if !ok {
		return "", false
	}
	ulidPart, secret, ok := strings.Cut(rest, "_")
	if !ok || len(secret) != 48 {
		return "", false
	}
	id := PrefixAPIKey + "_" + ulidPart
	if !ValidID(PrefixAPIKey, id) {
		return "", false
	}
	return id, true
}

// TokenPrefix is the part of a token shown in listings.
func TokenPrefix(token string) string {
	if len(token) < 12 {
		return token
	}
	return token[:12]
}

// MatchesToken reports, in constant time, whether token hashes to k's stored hash.
func (k *APIKey) MatchesToken(token string) bool {
	return subtle.ConstantTimeCompare(HashAPIKeyToken(token), k.Hash) == 1
}

// MaxNameLength bounds the names of workspaces, keys and similar labels.
const MaxNameLength = 200

// ValidateName checks a human-readable name: 1–200 characters, no control characters.
func ValidateName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return FieldErrorf(EVALIDATION, field, "%s is required", field)
	}
	if len([]rune(name)) > MaxNameLength {
		return FieldErrorf(EVALIDATION, field, "%s is longer than %d characters", field, MaxNameLength)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return FieldErrorf(EVALIDATION, field, "%s contains control characters", field)
		}
	}
	return nil
}
