package webhook

import "time"

// HeaderSigner writes the webhook-signature header value of a message. Signer
// (HMAC, "v1,") and KeySigner (Ed25519, "v1a,") both are one, so the delivery
// path can hold either for an endpoint, or both joined while an endpoint moves
// from a secret to a key pair.
type HeaderSigner interface {
	AppendHeader(dst []byte, msgID string, ts time.Time, body []byte) []byte
}

var (
	_ HeaderSigner = (*Signer)(nil)
	_ HeaderSigner = (*KeySigner)(nil)
)

// JoinSigners returns a HeaderSigner whose header carries the signatures of
// each signer in turn, space-separated as Standard Webhooks prescribes: a
// receiver that knows either the old secret or the new public key accepts
// the delivery during the grace period.
func JoinSigners(signers ...HeaderSigner) HeaderSigner {
	return joined(signers)
}

type joined []HeaderSigner

func (j joined) AppendHeader(dst []byte, msgID string, ts time.Time, body []byte) []byte {
	for i, s := range j {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = s.AppendHeader(dst, msgID, ts, body)
	}
	return dst
}
