package webhook

import (
	"net/http"
	"strings"

	"github.com/countersign/countersign"
)

// Header names of a Standard Webhooks delivery.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// The webhook-* names as net/http keys its header maps, to set them without
// canonicalizing on every attempt.
var (
	canonicalID        = http.CanonicalHeaderKey(HeaderID)
	canonicalTimestamp = http.CanonicalHeaderKey(HeaderTimestamp)
	canonicalSignature = http.CanonicalHeaderKey(HeaderSignature)
)

// reservedHeaders are set by the Sender or by HTTP itself; an endpoint's custom
// headers cannot replace them. Every webhook-* header is reserved as well.
var reservedHeaders = map[string]bool{
	"Content-Type":      true,
	"Content-Length":    true,
	"Content-Encoding":  true,
	"Transfer-Encoding": true,
	"Host":              true,
	"Connection":        true,
	"Keep-Alive":        true,
	"Te":                true,
	"Trailer":           true,
	"Upgrade":           true,
	"User-Agent":        true,
}

// ReservedHeader reports whether an endpoint's custom header may not use name:
// the webhook-* headers, Content-Type, User-Agent and the headers that frame the
// HTTP message. The Sender skips such custom headers.
func ReservedHeader(name string) bool {
	if len(name) >= len("webhook-") && strings.EqualFold(name[:len("webhook-")], "webhook-") {
		return true
	}
	return reservedHeaders[http.CanonicalHeaderKey(name)]
}

// ValidateHeaders checks an endpoint's custom headers at registration: each name
// is an HTTP token and not reserved, and no value holds a control character.
// Errors are EVALIDATION errors about the field "headers".
func ValidateHeaders(h map[string]string) error {
	for name, value := range h {
		if !validHeaderName(name) {
			return countersign.FieldErrorf(countersign.EVALIDATION, "headers", "invalid header name %q", name)
		}
		if ReservedHeader(name) {
			return countersign.FieldErrorf(countersign.EVALIDATION, "headers", "header %q is set by Countersign", name)
		}
		if !validHeaderValue(value) {
			return countersign.FieldErrorf(countersign.EVALIDATION, "headers", "header %q has an invalid value", name)
		}
	}
	return nil
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue reports whether value has no control character but tab.
func validHeaderValue(value string) bool {
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// setCustomHeaders copies an endpoint's custom headers into h, skipping reserved
// and malformed ones, which registration refuses anyway.
func setCustomHeaders(h http.Header, custom map[string]string) {
	for name, value := range custom {
		if validHeaderName(name) && !ReservedHeader(name) && validHeaderValue(value) {
			h.Set(name, value)
		}
	}
}
