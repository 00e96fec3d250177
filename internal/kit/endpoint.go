package kit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/countersign/countersign/webhook/verify"
)

// Endpoint is the verifying side of one webhook endpoint's receiver: it
// holds the endpoint's secret and accepts a request only when its signature
// verifies and its body is the event whose id is the webhook-id. Receivers
// differ in what they record and answer; this check is the same for all.
type Endpoint struct {
	verifier atomic.Pointer[verify.Verifier]
}

// Envelope is what a receiver reads of a delivered event.
type Envelope struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
}

// ErrNoSecret is a request that arrived before the endpoint had a secret.
var ErrNoSecret = errors.New("request before the endpoint had a secret")

// ErrNotTheEvent is a body that is not an event envelope whose id is the
// webhook-id header.
var ErrNotTheEvent = errors.New("the body is not an event envelope whose id is the webhook-id")

// SetSecret installs the verifier of the endpoint's secret (whsec_…).
func (e *Endpoint) SetSecret(secret string) error {
	v, err := verify.New(secret)
	if err != nil {
		return fmt.Errorf("endpoint secret: %w", err)
	}
	e.verifier.Store(v)
	return nil
}

// Verify checks one request's headers and body and returns its envelope.
func (e *Endpoint) Verify(h http.Header, body []byte) (Envelope, error) {
	if err := e.VerifySignature(h, body); err != nil {
		return Envelope{}, err
	}
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil || env.ID != h.Get(verify.HeaderID) {
		return Envelope{}, ErrNotTheEvent
	}
	return env, nil
}

// VerifySignature checks only the signature of a request, whatever its body
// (the bench's signed-POST ceiling sends no event).
func (e *Endpoint) VerifySignature(h http.Header, body []byte) error {
	v := e.verifier.Load()
	if v == nil {
		return ErrNoSecret
	}
	// The errors name no id, so that a receiver can count them by message.
	if err := v.Verify(h, body); err != nil {
		return fmt.Errorf("bad signature: %w", err)
	}
	return nil
}
