package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strconv"
	"sync"
	"time"

	"github.com/countersign/countersign"
)

// SignatureVersion prefixes every signature: v1 is HMAC-SHA256 in Standard Webhooks.
const SignatureVersion = "v1"

// Sign returns the v1 signature of one message:
// "v1," + base64(HMAC-SHA256(key, msgID + "." + unix seconds of ts + "." + body)).
// It keys a new HMAC on every call; the delivery path uses a Signer instead.
func Sign(key []byte, msgID string, ts time.Time, body []byte) string {
	m := newMAC(key)
	return string(m.appendSignature(nil, msgID, ts, body))
}

// SignatureHeader returns the webhook-signature header value for a message: one v1
// signature per key, separated by single spaces. Several keys are valid while an
// endpoint's secret is rotated, and the receiver accepts any signature that matches.
func SignatureHeader(keys [][]byte, msgID string, ts time.Time, body []byte) string {
	var dst []byte
	for i, key := range keys {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = newMAC(key).appendSignature(dst, msgID, ts, body)
	}
	return string(dst)
}

// Signer signs messages with the keys of one endpoint. It keeps one pool of keyed
// HMAC states per key, so that signing on the delivery path neither re-derives the
// HMAC pads nor allocates; build one per endpoint secret set and keep it.
// A Signer is safe for concurrent use.
type Signer struct {
	pools []*sync.Pool
}

// NewSigner returns a Signer for the given whsec_ secrets, in the order their
// signatures appear in the header. At least one secret is required.
func NewSigner(secrets ...string) (*Signer, error) {
	if len(secrets) == 0 {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "secret", "at least one secret is required")
	}
	keys, err := ParseSecrets(secrets...)
	if err != nil {
		return nil, err
	}
	s := &Signer{pools: make([]*sync.Pool, len(keys))}
	for i, key := range keys {
		s.pools[i] = &sync.Pool{New: func() any { return newMAC(key) }}
	}
	return s, nil
}

// AppendHeader appends the webhook-signature header value for a message to dst and
// returns the extended buffer, as SignatureHeader would compute it.
func (s *Signer) AppendHeader(dst []byte, msgID string, ts time.Time, body []byte) []byte {
	for i, p := range s.pools {
		if i > 0 {
			dst = append(dst, ' ')
		}
		m := p.Get().(*mac)
		dst = m.appendSignature(dst, msgID, ts, body)
		p.Put(m)
	}
	return dst
}

// Header returns the webhook-signature header value for a message.
func (s *Signer) Header(msgID string, ts time.Time, body []byte) string {
	return string(s.AppendHeader(make([]byte, 0, s.headerLen()), msgID, ts, body))
}

// headerLen is the length of a header with one signature per key.
func (s *Signer) headerLen() int {
	one := len(SignatureVersion) + 1 + base64.StdEncoding.EncodedLen(sha256.Size)
	return len(s.pools)*(one+1) - 1
}

// mac is one keyed HMAC state with the scratch space to feed and read it, so that
// a signature costs no allocation once the mac exists.
type mac struct {
	h       hash.Hash
	scratch []byte
}

func newMAC(key []byte) *mac {
	return &mac{h: hmac.New(sha256.New, key), scratch: make([]byte, 0, 128)}
}

// appendSignature appends "v1," and the base64 signature of the message to dst.
func (m *mac) appendSignature(dst []byte, msgID string, ts time.Time, body []byte) []byte {
	m.h.Reset()
	b := append(m.scratch[:0], msgID...)
	b = append(b, '.')
	b = strconv.AppendInt(b, ts.Unix(), 10)
	b = append(b, '.')
	m.h.Write(b)
	m.h.Write(body)
	sum := m.h.Sum(b[:0])
	m.scratch = sum[:0]
	dst = append(dst, SignatureVersion...)
	dst = append(dst, ',')
	return base64.StdEncoding.AppendEncode(dst, sum)
}
