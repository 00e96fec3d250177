// Package verify checks the signatures of webhooks that Countersign sends, as the
// Standard Webhooks specification defines them. Receivers import it, or copy it
// into their tree: it uses nothing but the Go standard library.
//
// A delivery carries three headers: webhook-id (the message id, the same on every
// retry, so receivers can drop duplicates), webhook-timestamp (unix seconds of
// the attempt) and webhook-signature (one or more space-separated signatures of
// id + "." + timestamp + "." + body: "v1,<base64>" for HMAC-SHA256 under a
// whsec_ secret, "v1a,<base64>" for Ed25519 under a key pair whose whpk_ public
// key the receiver holds). Verify the body exactly as received, before parsing it.
//
//	v, err := verify.New(os.Getenv("COUNTERSIGN_WEBHOOK_SECRET"))
//	...
//	body, _ := io.ReadAll(r.Body)
//	if err := v.Verify(r.Header, body); err != nil {
//		http.Error(w, "bad signature", http.StatusBadRequest)
//		return
//	}
package verify

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of a Standard Webhooks delivery.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far a delivery's timestamp may be from the receiver's
// clock, in the past or the future, before Verify refuses it as a possible replay.
const DefaultTolerance = 5 * time.Minute

// Errors returned by Verify, to be tested with errors.Is. Each means the request
// did not come from Countersign as it was sent: answer it with a 4xx.
var (
	ErrMissingHeaders      = errors.New("verify: missing webhook-id, webhook-timestamp or webhook-signature header")
	ErrInvalidTimestamp    = errors.New("verify: webhook-timestamp is not unix seconds")
	ErrTimestampTooOld     = errors.New("verify: webhook-timestamp is too old")
	ErrTimestampTooNew     = errors.New("verify: webhook-timestamp is too far in the future")
	ErrNoMatchingSignature = errors.New("verify: no signature matches")
)

// ErrInvalidSecret is returned by New for a secret that is not whsec_ followed by
// the standard base64 of 24 to 64 bytes, or a public key that is not whpk_
// followed by the standard base64 of 32 bytes.
var ErrInvalidSecret = errors.New("verify: invalid secret")

const (
	secretPrefix  = "whsec_"
	minSecretSize = 24
	maxSecretSize = 64
)

// Verifier checks deliveries against one or more secrets. Give it both the old
// and the new secret while an endpoint's secret is rotated. A Verifier is safe
// for concurrent use.
type Verifier struct {
	keys      [][]byte
	public    []ed25519.PublicKey
	tolerance time.Duration
	now       func() time.Time
}

// Option configures a Verifier.
type Option func(*Verifier)

// WithTolerance sets how far the timestamp may be from now, both ways. Zero or
// less leaves DefaultTolerance.
func WithTolerance(d time.Duration) Option {
	return func(v *Verifier) {
		if d > 0 {
			v.tolerance = d
		}
	}
}

// WithNow sets the clock the timestamp is compared with; tests use it.
func WithNow(now func() time.Time) Option {
	return func(v *Verifier) {
		if now != nil {
			v.now = now
		}
	}
}

// New returns a Verifier for the given whsec_ secrets (the prefix may be left
// out) and whpk_ public keys, in any mix, with DefaultTolerance and the system
// clock; With changes those.
func New(secrets ...string) (*Verifier, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: no secret given", ErrInvalidSecret)
	}
	v := &Verifier{tolerance: DefaultTolerance, now: time.Now}
	for i, s := range secrets {
		if strings.HasPrefix(s, publicKeyPrefix) || strings.HasPrefix(s, signingKeyPrefix) {
			pub, err := parsePublicKey(i+1, s)
			if err != nil {
				return nil, err
			}
			v.public = append(v.public, pub)
			continue
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, secretPrefix))
		if err != nil {
			return nil, fmt.Errorf("%w: secret %d is not whsec_ and standard base64", ErrInvalidSecret, i+1)
		}
		if len(key) < minSecretSize || len(key) > maxSecretSize {
			return nil, fmt.Errorf("%w: secret %d decodes to %d bytes, not %d to %d",
				ErrInvalidSecret, i+1, len(key), minSecretSize, maxSecretSize)
		}
		v.keys = append(v.keys, key)
	}
	return v, nil
}

// With returns a copy of v with the options applied:
//
//	v, err := verify.New(secret)
//	v = v.With(verify.WithTolerance(time.Minute))
func (v *Verifier) With(opts ...Option) *Verifier {
	c := *v
	for _, o := range opts {
		o(&c)
	}
	return &c
}

// Verify checks a delivery's headers and its body, exactly as received. It returns
// nil when the timestamp is within the tolerance and one of the header's v1
// signatures is the HMAC of the message under one of the secrets, or one of its
// v1a signatures is the Ed25519 signature under one of the public keys, and otherwise
// an error that wraps one of the package's sentinel errors.
func (v *Verifier) Verify(header http.Header, body []byte) error {
	id := header.Get(HeaderID)
	tsText := header.Get(HeaderTimestamp)
	sigs := header.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return ErrMissingHeaders
	}
	unix, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrInvalidTimestamp, tsText)
	}
	now := v.now().Unix()
	tol := int64(v.tolerance / time.Second)
	switch {
	case unix < now-tol:
		return fmt.Errorf("%w: %ds behind the receiver's clock", ErrTimestampTooOld, now-unix)
	case unix > now+tol:
		return fmt.Errorf("%w: %ds ahead of the receiver's clock", ErrTimestampTooNew, unix-now)
	}
	expected := make([][]byte, len(v.keys))
	for i, key := range v.keys {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(id + "." + tsText + "."))
		h.Write(body)
		expected[i] = h.Sum(nil)
	}
	var content []byte
	if len(v.public) > 0 {
		content = append([]byte(id+"."+tsText+"."), body...)
	}
	for _, sig := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(sig, ",")
		if ok && version == "v1a" && verifyAsymmetric(v.public, content, b64) {
			return nil
		}
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		for _, want := range expected {
			if hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return ErrNoMatchingSignature
}
