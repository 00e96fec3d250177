package webhook

import (
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// SignatureScheme is how an endpoint's deliveries are signed. The names are
// the algorithms; in the webhook-signature header they appear as Standard
// Webhooks' version tags: "v1," for HMAC-SHA256, "v1a," for Ed25519.
type SignatureScheme string

// The signature schemes.
const (
	// SchemeHMAC signs with a shared whsec_ secret: the receiver holds the
	// same secret, so it could also sign. The default.
	SchemeHMAC SignatureScheme = "hmac-sha256"
	// SchemeEd25519 signs with a whsk_ key that never leaves Countersign; the
	// receiver verifies with the whpk_ public key and cannot forge a delivery.
	SchemeEd25519 SignatureScheme = "ed25519"
)

// SignatureSchemes lists the schemes, the default first.
var SignatureSchemes = []SignatureScheme{SchemeHMAC, SchemeEd25519}

// Validate refuses a scheme that is not one of SignatureSchemes, as an
// EVALIDATION error about the field "signature_scheme".
func (s SignatureScheme) Validate() error {
	switch s {
	case SchemeHMAC, SchemeEd25519:
		return nil
	}
	return countersign.FieldErrorf(countersign.EVALIDATION, "signature_scheme",
		"signature_scheme must be %q or %q", SchemeHMAC, SchemeEd25519)
}

// NewCredential returns a new signing credential of the scheme: a whsec_
// secret for HMAC, a whsk_ signing key for Ed25519.
func NewCredential(s SignatureScheme) string {
	if s == SchemeEd25519 {
		key, _ := GenerateKeyPair()
		return key
	}
	return GenerateSecret()
}

// SchemeOf returns the scheme a stored credential signs with, by its prefix.
func SchemeOf(credential string) SignatureScheme {
	if strings.HasPrefix(credential, SigningKeyPrefix) {
		return SchemeEd25519
	}
	return SchemeHMAC
}

// NewHeaderSigner returns the signer of an endpoint's credentials, in the
// order their signatures appear in the header: whsec_ secrets sign "v1,",
// whsk_ keys "v1a,". A rotation from one scheme to the other holds one of
// each during its grace period, and the header carries both.
func NewHeaderSigner(credentials ...string) (HeaderSigner, error) {
	if len(credentials) == 0 {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "secret", "at least one secret is required")
	}
	signers := make([]HeaderSigner, 0, len(credentials))
	for i := 0; i < len(credentials); {
		// consecutive credentials of one scheme share one signer
		j := i + 1
		for j < len(credentials) && SchemeOf(credentials[j]) == SchemeOf(credentials[i]) {
			j++
		}
		var (
			s   HeaderSigner
			err error
		)
		if SchemeOf(credentials[i]) == SchemeEd25519 {
			s, err = NewKeySigner(credentials[i:j]...)
		} else {
			s, err = NewSigner(credentials[i:j]...)
		}
		if err != nil {
			return nil, err
		}
		signers = append(signers, s)
		i = j
	}
	if len(signers) == 1 {
		return signers[0], nil
	}
	return JoinSigners(signers...), nil
}

// Rotate gives e a new credential of scheme (e's own when empty); the
// current one keeps signing until now+grace, and a grace of zero stops it
// at once. Rotating is also how an endpoint changes its scheme.
func (e *Endpoint) Rotate(now time.Time, grace time.Duration, scheme SignatureScheme) {
	if scheme == "" {
		scheme = e.Scheme()
	}
	expires := now.Add(grace)
	e.PreviousSecret, e.PreviousSecretExpiresAt = e.Secret, &expires
	e.Secret, e.UpdatedAt = NewCredential(scheme), now
}

// Scheme is the scheme of the endpoint's current credential.
func (e *Endpoint) Scheme() SignatureScheme { return SchemeOf(e.Secret) }

// PublicKey is the whpk_ key that verifies an Ed25519 endpoint's
// signatures; "" for an HMAC endpoint. Unlike the secret, anyone may see it.
func (e *Endpoint) PublicKey() string {
	return publicKeyOf(e.Secret)
}

// PreviousPublicKey is the public key of the previous credential while it
// still signs and is a whsk_ key; "" otherwise.
func (e *Endpoint) PreviousPublicKey(now time.Time) string {
	if s := e.Secrets(now); len(s) == 2 {
		return publicKeyOf(s[1])
	}
	return ""
}

func publicKeyOf(credential string) string {
	if SchemeOf(credential) != SchemeEd25519 {
		return ""
	}
	pub, err := PublicKeyOf(credential)
	if err != nil {
		return ""
	}
	return pub
}
