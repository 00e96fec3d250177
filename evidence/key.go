package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// EnvKey names the environment variable that supplies the installation's
// signing key instead of the key file: a signed-note private key as
// GenerateKey returns it, "PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>".
const EnvKey = "COUNTERSIGN_EVIDENCE_KEY"

// KeyFile is the key's file name under the data directory, written 0600 at
// first start so that the key lives and is backed up with the data it signs.
const KeyFile = "evidence.key"

// DefaultKeyName names a generated key; it starts every checkpoint's origin.
const DefaultKeyName = "countersign"

// Key is the installation's Ed25519 key for tree heads, in the C2SP
// signed-note encoding that Go's checksum database and the transparency-dev
// tools use, so that auditors can check heads with tools they already have.
type Key struct {
	signer note.Signer
	public string
}

// GenerateKey returns a new key with the given name (no spaces, no '+') and
// its private encoding, to be kept in the key file or in EnvKey.
func GenerateKey(name string) (*Key, string, error) {
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, "", fmt.Errorf("evidence: generate key: %w", err)
	}
	k, err := ParseKey(skey)
	return k, skey, err
}

// ParseKey reads a private key in the signed-note encoding. Its errors never
// quote the key.
func ParseKey(skey string) (*Key, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("evidence: not a signed-note Ed25519 private key: %w", err)
	}
	// NewSigner checked the shape: PRIVATE+KEY+name+hash+base64(0x01||seed).
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return nil, errors.New("evidence: not a signed-note Ed25519 private key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("evidence: public key: %w", err)
	}
	return &Key{signer: s, public: vkey}, nil
}

// LoadOrCreateKey reads the key at path, or, when there is no file, generates
// one named DefaultKeyName and writes it there with mode 0600.
func LoadOrCreateKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return ParseKey(string(b))
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("evidence: read the key file: %w", err)
	}
	k, skey, err := GenerateKey(DefaultKeyName)
	if err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting at once must not each write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence: create the key file: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("evidence: write the key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("evidence: write the key file: %w", err)
	}
	return k, nil
}

// Name returns the key's name, the first part of every checkpoint's origin.
func (k *Key) Name() string { return k.signer.Name() }

// ID returns the key id: eight hex digits of SHA-256(name || "\n" || 0x01 ||
// public key), which every signature line carries.
func (k *Key) ID() string { return fmt.Sprintf("%08x", k.signer.KeyHash()) }

// PublicKey returns the public key in the signed-note verifier encoding,
// "<name>+<key id>+<base64(0x01 || 32-byte Ed25519 public key)>": what
// GET /v1/evidence/public-key serves and what auditors pass to Verify.
func (k *Key) PublicKey() string { return k.public }

// PublicKeyID returns the key id of a public key in the verifier encoding.
func PublicKeyID(vkey string) (string, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return "", fmt.Errorf("evidence: not a signed-note public key: %w", err)
	}
	return fmt.Sprintf("%08x", v.KeyHash()), nil
}
